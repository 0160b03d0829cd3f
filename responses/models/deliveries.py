"""送达: how a sent reply reaches each proposer (DOMAIN.md §2, Delivery). One row per reply,
proposer and channel: an email or a text sent by the worker, or a paper copy handed over or
posted as recorded by the unit's clerk or the office. A proposer is reached once one of
their rows is in REACHED_STATES; the reply is delivered once every proposer is, and each
proposer's feedback window runs from the day they were reached.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from proposals.models import Proposer
from workflow.permissions import done_by_the_worker

from ..permissions import may_handle_delivery
from .letters import Reply


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    CONFIRMED = "confirmed", _("已确认送达")


# The one definition of "this proposer has the reply": sent by a channel, or confirmed.
REACHED_STATES = frozenset({DeliveryState.SENT, DeliveryState.CONFIRMED})
# The channels the worker sends by; paper is recorded by a person.
ELECTRONIC_CHANNELS = (Proposer.Channel.EMAIL, Proposer.Channel.SMS)
# Tries of one email or text before it is shown as failed (the task backs off between them).
MAX_ATTEMPTS = 5


class DeliveryQuerySet(models.QuerySet):
    def reached(self):
        return self.filter(state__in=REACHED_STATES)

    def waiting_for_worker(self, before):
        """Queued rows whose next try was due before `before`: their task was lost."""
        return self.filter(state=DeliveryState.QUEUED, next_attempt_at__lt=before).exclude(
            channel=Proposer.Channel.PAPER
        )


class Delivery(ConcurrentTransitionMixin, models.Model):
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("答复")
    )
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("提出人")
    )
    channel = models.CharField(_("送达方式"), max_length=10, choices=Proposer.Channel.choices)
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.QUEUED,
        protected=True,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # 重新发送 after a failure: each round's failure is told anew (the notice's key counts it).
    resends = models.PositiveSmallIntegerField(_("重新发送次数"), default=0)
    last_error = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    reached_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    failed_at = models.DateTimeField(_("失败时间"), null=True, blank=True)
    # The proposer's feedback window, counted from this row's reach (workflow.deadlines).
    feedback_until = models.DateField(_("反馈期限"), null=True, blank=True)
    # Paper: the day it was handed over or posted, the post's tracking number, who recorded it.
    handed_on = models.DateField(_("交付/寄出日期"), null=True, blank=True)
    tracking_number = models.CharField(_("邮件单号"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("送达记录")
        verbose_name_plural = _("送达记录")
        ordering = ["reply", "proposer", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "proposer", "channel"], name="delivery_once_per_channel"
            ),
            models.CheckConstraint(
                condition=Q(tracking_number="") | Q(channel="paper"),
                name="delivery_tracking_only_paper",
            ),
            models.CheckConstraint(
                condition=Q(channel="paper", handed_on__isnull=False, recorded_by__isnull=False)
                | (~Q(channel="paper") & Q(handed_on__isnull=True)),
                name="delivery_paper_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["sent", "confirmed"]) | Q(reached_at__isnull=False),
                name="delivery_reached_when",
            ),
            models.CheckConstraint(
                condition=~Q(state="failed") | ~Q(last_error=""),
                name="delivery_failed_why",
            ),
        ]

    def __str__(self):
        return f"{self.proposer} · {self.get_channel_display()} · {self.get_state_display()}"

    @property
    def proposal_id(self):
        """The item whose timeline shows this row (workflow.audit.proposal_id_of)."""
        return self.reply.assignment.proposal_id

    @property
    def is_reached(self):
        return self.state in REACHED_STATES

    # ---- conditions --------------------------------------------------------------------------
    def channel_recorded(self):
        """The proposer still has this row's email or mobile (resending needs it)."""
        return self.channel in self.proposer.channels

    # ---- transitions: the worker's --------------------------------------------------------
    @transition(
        field=state,
        source=DeliveryState.QUEUED,
        target=DeliveryState.SENT,
        permission=done_by_the_worker,
    )
    def mark_sent(self, at, feedback_until):
        self.attempts += 1
        self.reached_at = at
        self.feedback_until = feedback_until
        self.last_error = ""

    @transition(
        field=state,
        source=DeliveryState.QUEUED,
        target=DeliveryState.QUEUED,
        permission=done_by_the_worker,
    )
    def retry_later(self, error, next_attempt_at):
        self.attempts += 1
        self.last_error = error
        self.next_attempt_at = next_attempt_at

    @transition(
        field=state,
        source=DeliveryState.QUEUED,
        target=DeliveryState.FAILED,
        permission=done_by_the_worker,
    )
    def mark_failed(self, error, at):
        self.attempts += 1
        self.last_error = error
        self.failed_at = at

    # ---- transitions: the clerk's or the office's ------------------------------------------
    @transition(
        field=state,
        source=DeliveryState.FAILED,
        target=DeliveryState.QUEUED,
        conditions=[channel_recorded],
        permission=may_handle_delivery,
    )
    def resend(self, at):
        """重新发送: a failed email or text gets a fresh round of tries (the failure stays on
        the audit trail). Only from 发送失败: a queued row is still being tried by the worker,
        and a sent one has reached its proposer."""
        self.attempts = 0
        self.resends += 1
        self.failed_at = None
        self.next_attempt_at = at

    @transition(
        field=state,
        source=DeliveryState.QUEUED,
        target=DeliveryState.SENT,
        permission=may_handle_delivery,
    )
    def record_posting(self, at, handed_on, tracking_number, recorded_by, feedback_until):
        """寄出: posted with a tracking number; reached from the day it was posted."""
        self.reached_at = at
        self.handed_on = handed_on
        self.tracking_number = tracking_number
        self.recorded_by = recorded_by
        self.feedback_until = feedback_until

    @transition(
        field=state,
        source=DeliveryState.QUEUED,
        target=DeliveryState.CONFIRMED,
        permission=may_handle_delivery,
    )
    def record_handover(self, at, handed_on, recorded_by, feedback_until):
        """当面送达: handed over in person."""
        self.reached_at = at
        self.handed_on = handed_on
        self.recorded_by = recorded_by
        self.feedback_until = feedback_until
