"""Proof that the background machinery runs, for the health page (config/health.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Proof that the background machinery runs: beat ticks, and probes a person starts."""

    class Kind(models.TextChoices):
        BEAT = "beat", _("定时任务")
        PROBE = "probe", _("手动检查")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    requested_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("后台任务心跳")
        verbose_name_plural = _("后台任务心跳")
        indexes = [models.Index(fields=["kind", "-requested_at"], name="heartbeat_latest")]

    def __str__(self):
        return f"{self.kind} {self.requested_at}"
