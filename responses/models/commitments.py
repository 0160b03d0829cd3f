"""承诺事项: what a reply in the in-progress or planned bucket (正在解决/计划解决, DOMAIN.md §2)
promises, by which unit and by when, tracked until a follow-up reply (跟踪办理答复) reports it
delivered. "重答复轻落实" is the complaint this answers: the promise is data, not a sentence.

A commitment starts as a candidate (found in the reply's text by responses/commitment_text.py,
or added by the clerk) while the reply is drafted; the clerk confirms, edits or rejects it. A
confirmed one is tracked once its reply is sent: its due date comes from workflow/deadlines.py
(commitment_due), the reminder ladder watches it (responses/commitment_reminders.py), and a
follow-up reply closes it as delivered or partly delivered. Dropping one needs a reason and the
office's approval.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from workflow.models import AssignmentState, LedgerRow, Unit
from workflow.permissions import is_office_for, is_unit_member

# The states live apart: letters.py asks them too, and this module imports it.
from .commitment_states import (
    CONFIRMED_STATES,
    REPORTABLE_STATES,
    STANDING_STATES,
    CommitmentState,
)
from .letters import SENT_STATES, Reply


class DueKind(models.TextChoices):
    DATE = "date", _("具体日期")
    QUARTER_END = "quarter", _("季度末")
    YEAR_END = "year", _("年底")


class Outcome(models.TextChoices):
    """What a follow-up reply says of a commitment it reports."""

    DELIVERED = "delivered", _("已落实")
    PARTLY = "partly", _("部分落实")


class CommitmentQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(state__in=CONFIRMED_STATES)

    def standing(self):
        return self.filter(state__in=STANDING_STATES)

    def tracked(self):
        """Standing commitments of replies that were sent: the ones the ladder watches."""
        return self.standing().filter(reply__state__in=SENT_STATES)

    def overdue(self, today):
        return self.tracked().filter(due_on__lt=today)

    def made(self):
        """承诺事项 the statistics count: confirmed ones of replies that were sent (a draft's
        are not yet promised), never those of an assignment re-routed elsewhere."""
        sent = self.confirmed().filter(reply__state__in=SENT_STATES, reply__kind=Reply.Kind.REPLY)
        return sent.exclude(reply__assignment__state=AssignmentState.TRANSFERRED)

    def reportable(self, assignment):
        """The commitments of the assignment's sent replies a follow-up reply may report (one
        awaiting signature has promised nothing yet)."""
        return self.filter(
            reply__assignment=assignment,
            reply__kind=Reply.Kind.REPLY,
            reply__state__in=SENT_STATES,
            state__in=REPORTABLE_STATES,
        )


def reply_sent(commitment):
    """Tracked once its reply was sent: a draft's commitments are not yet promised, so no
    progress, drop or decision is taken on them (CommitmentQuerySet.tracked asks the same)."""
    return commitment.reply.state in SENT_STATES


def not_being_reported(commitment):
    """No follow-up reply still to be sent reports it: while one does, it is not dropped (the
    follow-up could then not be sent); the unit first takes it out of that report."""
    return commitment.follow_up_id is None or commitment.follow_up.state in SENT_STATES


class Commitment(ConcurrentTransitionMixin, models.Model):
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("答复")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("落实单位")
    )
    what = models.TextField(_("承诺内容"), max_length=500)
    # The sentence of the reply it was found in (empty when the clerk added it by hand).
    source_text = models.TextField(_("原文"), max_length=500, blank=True)
    due_kind = models.CharField(
        _("完成时限类型"), max_length=10, choices=DueKind.choices, default=DueKind.DATE
    )
    # As promised: the day, or any day of the quarter or year promised.
    promised_on = models.DateField(_("承诺完成时间"), null=True, blank=True)
    # The deadline on the working-day calendar (workflow.deadlines.commitment_due).
    due_on = models.DateField(_("完成期限"), null=True, blank=True, db_index=True)
    state = FSMField(
        _("状态"),
        max_length=16,
        choices=CommitmentState.choices,
        default=CommitmentState.CANDIDATE,
        protected=True,
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    # The follow-up reply that reports (or, while it is drafted, will report) it.
    follow_up = models.ForeignKey(
        Reply,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_commitments",
        verbose_name=_("跟踪办理答复"),
    )
    outcome = models.CharField(_("落实情况"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("落实说明"), max_length=2000, blank=True)
    delivered_on = models.DateField(_("落实日期"), null=True, blank=True)
    drop_reason = models.TextField(_("撤销理由"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["reply_id", "position", "id"]
        indexes = [
            models.Index(
                fields=["due_on", "id"],
                condition=Q(state__in=["open", "partly", "drop_requested"]),
                name="commitment_standing_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="candidate") | Q(due_on__isnull=False),
                name="commitment_confirmed_has_due",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["delivered", "partly"]) | Q(delivered_on__isnull=False),
                name="commitment_delivered_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["drop_requested", "dropped"]) | ~Q(drop_reason=""),
                name="commitment_dropped_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(due_kind="date") | Q(state="candidate") | Q(promised_on__isnull=False),
                name="commitment_date_promised",
            ),
        ]

    def __str__(self):
        return self.what[:60]

    @property
    def assignment(self):
        """The reply's assignment: the permission tests and the audit find the item by it."""
        return self.reply.assignment

    @property
    def proposal_id(self):
        return self.reply.assignment.proposal_id

    @property
    def is_standing(self):
        return self.state in STANDING_STATES

    @property
    def is_tracked(self):
        """Standing and its reply sent: progress is noted, a drop asked and decided."""
        return self.is_standing and reply_sent(self)

    def delivered_on_time(self):
        return bool(self.delivered_on and self.due_on and self.delivered_on <= self.due_on)

    # ---- transitions: each only sets fields; the verbs in responses/actions/commitments.py
    # lock, check, fire, log and notify.
    @transition(
        field=state,
        source=CommitmentState.CANDIDATE,
        target=CommitmentState.OPEN,
        permission=is_unit_member,
    )
    def confirm(self, due_on):
        self.due_on = due_on

    @transition(
        field=state,
        source=list(REPORTABLE_STATES),
        target=CommitmentState.DELIVERED,
        permission=is_unit_member,
    )
    def deliver(self, on):
        self.delivered_on = on

    @transition(
        field=state,
        source=list(REPORTABLE_STATES),
        target=CommitmentState.PARTLY,
        permission=is_unit_member,
    )
    def deliver_partly(self, on):
        self.delivered_on = on

    @transition(
        field=state,
        source=list(REPORTABLE_STATES),
        target=CommitmentState.DROP_REQUESTED,
        permission=is_unit_member,  # asked by the delivering unit, decided by the office
        conditions=[reply_sent, not_being_reported],
    )
    def request_drop(self, reason):
        self.drop_reason = reason

    @transition(
        field=state,
        source=CommitmentState.DROP_REQUESTED,
        target=CommitmentState.DROPPED,
        permission=is_office_for,
        conditions=[reply_sent],
    )
    def approve_drop(self):
        pass

    @transition(
        field=state,
        source=CommitmentState.DROP_REQUESTED,
        target=RETURN_VALUE(CommitmentState.OPEN, CommitmentState.PARTLY),
        permission=is_office_for,
        conditions=[reply_sent],
    )
    def refuse_drop(self):
        # Back to tracking as it stood (a partly delivered one stays so); the refused reason
        # stays in the audit log, not on the row.
        self.drop_reason = ""
        return CommitmentState.PARTLY if self.delivered_on else CommitmentState.OPEN


class CommitmentReport(models.Model):
    """What one follow-up reply (跟踪办理答复) reports of one commitment: each follow-up keeps
    its own word, so a later one reporting the same commitment again (a partly delivered one)
    leaves what the earlier, sent one said as it was. The commitment's own follow_up, outcome
    and outcome_note repeat its latest report (the one a draft is writing, while it is)."""

    follow_up = models.ForeignKey(
        Reply,
        on_delete=models.CASCADE,
        related_name="commitment_reports",
        verbose_name=_("跟踪办理答复"),
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("承诺事项")
    )
    outcome = models.CharField(_("落实情况"), max_length=10, choices=Outcome.choices)
    note = models.TextField(_("落实说明"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("落实情况报告")
        verbose_name_plural = _("落实情况报告")
        ordering = ["follow_up_id", "commitment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "commitment"], name="commitment_reported_once_per_follow_up"
            ),
        ]

    def __str__(self):
        return f"{self.follow_up_id}/{self.commitment_id} {self.outcome}"


class CommitmentNote(models.Model):
    """进展: the unit's note on how a commitment is going, for the unit and the office: never
    told to the proposers or the public (responses/proposer_selectors.tell_commitments)."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="notes", verbose_name=_("承诺事项")
    )
    text = models.TextField(_("进展情况"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("落实进展")
        verbose_name_plural = _("落实进展")
        ordering = ["commitment_id", "created_at", "id"]

    def __str__(self):
        return self.text[:60]


FIRST_LOOK_BACK_YEAR = 2000


def last_look_back_year(today=None):
    """The latest year the office can look back at: this one (a later year's check is not yet
    due; whether the problem came back cannot be known before it)."""
    return (today or timezone.localdate()).year


def look_back_window(year):
    """回头看 of `year` looks at items closed one to two years before it: those whose last
    commitment was delivered in the two calendar years before."""
    return date(year - 2, 1, 1), date(year - 1, 12, 31)


def all_delivered(replies):
    """The replies (a queryset) that made commitments and whose every one is delivered (a
    dropped or partly delivered one is not): converted to 已解决 or not, they count in 办成率,
    and 回头看 looks back at them."""
    made = Commitment.objects.filter(reply=OuterRef("pk"), state__in=CONFIRMED_STATES)
    return replies.filter(Exists(made)).exclude(
        Exists(made.exclude(state=CommitmentState.DELIVERED))
    )


def due_for_look_back(replies, year):
    """The replies (a queryset) the office looks back at in `year`: replies (not follow-ups)
    whose commitments were all delivered, the last within the window. Each comes with how
    many it made (`made`) and when the last was delivered (`last_delivered`)."""
    start, end = look_back_window(year)
    made = Commitment.objects.filter(reply=OuterRef("pk"), state__in=CONFIRMED_STATES)
    delivered = made.filter(state=CommitmentState.DELIVERED)
    counted = made.order_by().values("reply").annotate(n=Count("id")).values("n")
    return (
        all_delivered(replies.filter(kind=Reply.Kind.REPLY))
        .filter(Exists(delivered.filter(delivered_on__range=(start, end))))
        .exclude(Exists(delivered.filter(delivered_on__gt=end)))
        .annotate(
            made=Subquery(counted),
            last_delivered=Subquery(delivered.order_by("-delivered_on").values("delivered_on")[:1]),
        )
    )


class LookBack(models.Model):
    """回头看: the office's yearly check of an item whose commitments were delivered one to two
    years ago: did the problem come back?"""

    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, related_name="look_backs", verbose_name=_("答复")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    recurred = models.BooleanField(_("问题是否反弹"))
    note = models.TextField(_("核查情况"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")
        constraints = [
            models.UniqueConstraint(fields=["reply", "year"], name="look_back_once_a_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.reply}"


class CommitmentReminder(LedgerRow):
    """The ledger of commitment reminders (responses/commitment_reminders.py): a reminder is
    issued by inserting its row, and the key (commitment, rung, repeat) makes each happen
    once however often the sweep runs. Like the assignments' ledger (workflow Reminder), its
    references are not database constraints: rows are written only from a join of the
    commitment and the rung, in one insert-only statement, and Django still cascades."""

    pk = models.CompositePrimaryKey("commitment_id", "rung_id", "repeat")
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_constraint=False,
        db_index=False,  # the primary key starts with it
    )

    class Meta:
        verbose_name = _("承诺事项提醒记录")
        verbose_name_plural = _("承诺事项提醒记录")
        indexes = [models.Index(fields=["created_at"], name="commitment_reminder_sweep")]

    def __str__(self):
        return f"{self.commitment_id} {self.rung_id}/{self.repeat}"
