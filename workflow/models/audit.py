"""The audit trail: the append-only log of every state change (hash-chained by
`workflow.auditchain`) and the record of each check of the chain."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the transition log is append-only")

    def delete(self):
        raise PermissionError("the transition log is append-only")


class TransitionLog(models.Model):
    """Every state change: who, when, from, to, comment. Append-only."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    # The item the change belongs to, so an item's timeline is one indexed query.
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="transition_logs", null=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transition = models.CharField(_("操作"), max_length=40)
    source = models.CharField(_("原状态"), max_length=20)
    target = models.CharField(_("新状态"), max_length=20)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    comment = models.TextField(_("说明"), blank=True)
    # The hash chain (workflow.auditchain): this row's place in its subject's chain and the
    # SHA-256 over the previous row's hash and this row's fields. Set by `auditchain.link`.
    seq = models.PositiveIntegerField(default=0, editable=False)
    hash = models.CharField(max_length=64, default="", editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["proposal", "at"], name="log_timeline")]
        # A subject's rows by seq (also the index of a subject's rows): two writers can
        # never fork a chain, the second fails.
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "seq"], name="log_chain")
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.transition} {self.source}→{self.target}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("the transition log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the transition log is append-only")


class AuditCheck(models.Model):
    """One run of `verify_audit` (by hand or the nightly task): what /status/ shows."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(default=timezone.now, db_index=True)
    rows = models.PositiveBigIntegerField(default=0)
    chains = models.PositiveBigIntegerField(default=0)
    breaks = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=list, blank=True)
    # The anchor the next run compares with: rows at or below this id (catches deleted rows
    # that no later link would notice, such as a chain's last one).
    last_id = models.PositiveBigIntegerField(default=0)
    anchor_rows = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("审计记录核验")
        verbose_name_plural = _("审计记录核验")

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M} {self.rows} rows, {self.breaks} breaks"

    @property
    def ok(self):
        return self.breaks == 0
