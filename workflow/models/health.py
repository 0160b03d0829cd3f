"""Proof that the background machinery runs, for the health page (config/health.py)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Beat ticks every minute (BANLI_HEARTBEAT_SECONDS); this long without one, nothing queued
# is being worked on, and pages that wait on the worker say so.
SILENT_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Silence:
    """The worker is not running: since its last tick, or `since` None when it never ran."""

    since: datetime | None


class HeartbeatQuerySet(models.QuerySet):
    def worker_silent(self, now=None):
        """None while beat and the worker tick; else a Silence, for a page to say since when
        nothing runs in the background."""
        now = now or timezone.now()
        last = self.filter(kind=Heartbeat.Kind.BEAT).order_by("-requested_at").first()
        if last is not None and last.requested_at >= now - SILENT_AFTER:
            return None
        return Silence(since=last.requested_at if last else None)


class Heartbeat(models.Model):
    """Proof that the background machinery runs: beat ticks, and probes a person starts."""

    class Kind(models.TextChoices):
        BEAT = "beat", _("定时任务")
        PROBE = "probe", _("手动检查")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    requested_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    objects = HeartbeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务心跳")
        verbose_name_plural = _("后台任务心跳")
        indexes = [models.Index(fields=["kind", "-requested_at"], name="heartbeat_latest")]

    def __str__(self):
        return f"{self.kind} {self.requested_at}"
