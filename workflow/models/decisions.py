"""What a unit asks the office to decide (申请调整, 申请延期): one approve/reject machine shared
by transfer requests and extensions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from ..permissions import is_office_for
from .assignments import Assignment
from .units import Unit


class Decision(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("不同意")


class OfficeDecision(ConcurrentTransitionMixin, models.Model):
    """A unit's request that the office approves or rejects (申请调整, 申请延期)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    state = FSMField(
        _("审批状态"),
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
        protected=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        abstract = True

    @transition(
        field=state, source=Decision.PENDING, target=Decision.APPROVED, permission=is_office_for
    )
    def approve(self, user, at, comment=""):
        self.decided_by, self.decided_at, self.decision_comment = user, at, comment

    @transition(
        field=state, source=Decision.PENDING, target=Decision.REJECTED, permission=is_office_for
    )
    def reject(self, user, at, comment=""):
        self.decided_by, self.decided_at, self.decision_comment = user, at, comment


class TransferRequest(OfficeDecision):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="transfer_requests"
    )
    suggested_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("建议改由"),
    )

    class Meta:
        verbose_name = _("调整申请")
        verbose_name_plural = _("调整申请")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(state="pending"), name="transfer_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.assignment} · {self.get_state_display()}"


class Extension(OfficeDecision):
    """延期: a later reply deadline, within the ceiling, with the office's approval."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extensions")
    previous_due = models.DateField(_("原期限"))
    requested_due = models.DateField(_("申请延至"))
    proposer_notified_at = models.DateTimeField(_("告知提出人时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(state="pending"), name="extension_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(requested_due__gt=models.F("previous_due")),
                name="extension_moves_later",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} → {self.requested_due}"
