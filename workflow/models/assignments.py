"""Assignments (交办): one unit's part in one item, its state machine and deadline columns,
and the reads of the inbox, the office's lists and the overdue monitor.

State changes happen only through `workflow.actions`; the transitions below only set fields.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, can_proceed, transition

from proposals.models import Proposal, ProposalProposer

from ..aging import AGING_BANDS, band_bounds
from ..permissions import follows_reply, is_office_for, is_unit_member
from .units import Unit


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("待签收")
    ACCEPTED = "accepted", _("办理中")
    TRANSFER_REQUESTED = "transfer_requested", _("申请调整中")
    TRANSFERRED = "transferred", _("已调整")
    REPLIED = "replied", _("已答复")
    OPINION_SENT = "opinion_sent", _("已送会办意见")
    DONE = "done", _("已办结")
    REOPENED = "reopened", _("重新办理")


OPEN_ASSIGNMENT_STATES = [
    AssignmentState.PENDING,
    AssignmentState.ACCEPTED,
    AssignmentState.TRANSFER_REQUESTED,
    AssignmentState.REOPENED,
]

# The sources of transitions other code also asks about, named once (the machine uses them).
HANDLING_STATES = [AssignmentState.ACCEPTED, AssignmentState.REOPENED]  # mark_replied
OPINION_OUTSTANDING_STATES = [AssignmentState.PENDING, AssignmentState.ACCEPTED]  # lapse
ANSWERED_STATES = [AssignmentState.REPLIED, AssignmentState.OPINION_SENT]  # complete

CONTACT_STATES = frozenset(
    {AssignmentState.PENDING, AssignmentState.ACCEPTED, AssignmentState.REOPENED}
)


class AssignmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_ASSIGNMENT_STATES)

    def current(self):
        """Not re-routed elsewhere."""
        return self.exclude(state=AssignmentState.TRANSFERRED)

    def urgeable(self):
        """催办 about an item goes to units that still owe their letter (Assignment.is_urgeable)."""
        return self.open()

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_on__lt=today)

    def due_within(self, days, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_on__gte=today, due_on__lte=today + timedelta(days=days))

    def for_office(self, jurisdiction_ids):
        return self.filter(unit__jurisdiction_id__in=jurisdiction_ids)

    def for_units(self, unit_ids):
        return self.filter(unit_id__in=unit_ids)

    def of_items(self, data):
        """Narrowed by what the filter forms ask of the item (year, body, session, kind, key
        items), each only when given: the inbox, the monitor and the statistics share it."""
        lookups = {
            "year": "proposal__session__year",
            "body": "proposal__session__body",
            "session": "proposal__session",
            "kind": "proposal__kind",
        }
        rows = self.filter(**{lookups[k]: data[k] for k in lookups if data.get(k)})
        return rows.filter(proposal__is_key=True) if data.get("key") else rows

    def visible_to(self, roles):
        """Who sees an assignment: the office of its jurisdiction, and its own unit."""
        return self.filter(
            Q(unit__jurisdiction_id__in=roles.office_jurisdiction_ids)
            | Q(unit_id__in=roles.unit_ids)
        )

    def with_item(self):
        """What a list row shows: the item, its session, the unit and the proposers. Not the
        item's text and search pieces: kilobytes a row that no list shows."""
        return (
            self.select_related("proposal__session", "unit")
            .defer("proposal__body", "proposal__search_grams")
            .prefetch_related(
                models.Prefetch(
                    "proposal__signatories",
                    queryset=ProposalProposer.objects.select_related("proposer"),
                )
            )
        )

    def in_band(self, key, today=None):
        earliest, latest = band_bounds(key, today or timezone.localdate())
        rows = self.open().filter(due_on__lte=latest)
        return rows.filter(due_on__gte=earliest) if earliest else rows

    def band_counts(self, today=None, **per_unit):
        """Open items per unit in each aging band, overdue and in all, and per state: one
        query grouped by unit and state, folded here. `per_unit`: more of each unit's values
        (expressions on the unit, such as its last 催办), read in the same query."""
        today = today or timezone.localdate()
        counts = {}
        for key, *_rest in AGING_BANDS:
            earliest, latest = band_bounds(key, today)
            condition = Q(due_on__lte=latest) & (Q(due_on__gte=earliest) if earliest else Q())
            counts[key] = Count("id", filter=condition)
        rows = (
            self.open()
            .values("unit_id", "unit__name", "unit__short_name", "state")
            .annotate(
                **counts,
                **per_unit,
                overdue=Count("id", filter=Q(due_on__lt=today)),
                total=Count("id"),
            )
            .order_by()
        )
        by_unit, by_state = {}, {}
        for row in rows:
            unit = by_unit.setdefault(
                row["unit_id"],
                {k: row[k] for k in ("unit_id", "unit__name", "unit__short_name", *per_unit)}
                | dict.fromkeys([*counts, "overdue", "total"], 0),
            )
            for key in [*counts, "overdue", "total"]:
                unit[key] += row[key]
            by_state[row["state"]] = by_state.get(row["state"], 0) + row["total"]
        ordered = sorted(
            by_unit.values(), key=lambda u: (-u["overdue"], -u["total"], u["unit__name"])
        )
        return ordered, by_state


class Assignment(ConcurrentTransitionMixin, models.Model):
    """One unit's part in one item: lead (主办), co-handler (会办) or separate (分办)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("会办")
        SEPARATE = "separate", _("分办")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("建议提案")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("承办单位")
    )
    role = models.CharField(_("办理方式"), max_length=10, choices=Role.choices)
    state = FSMField(
        _("状态"),
        max_length=20,
        choices=AssignmentState.choices,
        default=AssignmentState.PENDING,
        protected=True,
    )
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    assigned_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    # The deliverable's deadline: the reply for lead/separate, the opinion for co-handlers.
    # Stored (and indexed) so the overdue monitor and reminders read one column.
    due_on = models.DateField(_("办理期限"), db_index=True)
    # Where the deadline's clock started and by which rule, so a changed rule or calendar
    # can recompute it; the version changes with every new deadline (reminders key on it).
    due_basis = models.CharField(
        _("期限依据"),
        max_length=12,
        choices=[("assigned", _("交办")), ("extension", _("延期")), ("rehandling", _("重新办理"))],
        default="assigned",
    )
    due_from = models.DateField(_("起算日期"), null=True, blank=True)
    due_version = models.PositiveIntegerField(default=1)
    feedback_until = models.DateField(_("反馈期限"), null=True, blank=True)
    # How many proposers its latest sent reply has not reached yet (送达): kept by the
    # delivery verbs of responses, so the unit's inbox shows it without reading deliveries.
    unreached_proposers = models.PositiveSmallIntegerField(
        _("未送达提出人数"), default=0, db_default=0
    )
    transfer_until = models.DateField(_("申请调整截止"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["unit", "state", "due_on"], name="assignment_unit_queue"),
            models.Index(fields=["state", "due_on"], name="assignment_open_due"),
            # The office's list and each unit's inbox: open rows in deadline order, read a
            # page at a time without sorting the hundreds of thousands that share a due date.
            models.Index(
                fields=["due_on", "id"],
                condition=Q(state__in=OPEN_ASSIGNMENT_STATES),
                name="assignment_open_by_due",
            ),
            models.Index(
                fields=["unit", "due_on", "id"],
                condition=Q(state__in=OPEN_ASSIGNMENT_STATES),
                name="assignment_unit_open_by_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "unit"],
                condition=~Q(state="transferred"),
                name="assignment_unit_once",
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(role="lead") & ~Q(state="transferred"),
                name="assignment_one_lead",
            ),
        ]

    def __str__(self):
        return f"{self.proposal.shown_reference} · {self.unit} · {self.get_role_display()}"

    @classmethod
    def addable_roles(cls, current_roles):
        """The roles units may still be added in to an item whose current units hold
        `current_roles`: one lead at most, and lead/co never mixed with separate."""
        current = set(current_roles)
        if cls.Role.LEAD in current:
            return [cls.Role.CO]
        if cls.Role.SEPARATE in current:
            return [cls.Role.SEPARATE]
        return list(cls.Role)

    @property
    def replies_to_proposer(self):
        return self.role in REPLYING_ROLES

    @property
    def takes_reply(self):
        """Its unit writes and sends the proposers' reply now (start_reply, request_extension
        and send_letter ask this; so does the item page): the machine's mark_replied."""
        return can_proceed(self.mark_replied)

    @property
    def takes_opinion(self):
        """A co-handler writes its opinion now: the machine's mark_opinion_sent."""
        return can_proceed(self.mark_opinion_sent)

    @property
    def is_current(self):
        """Not re-routed elsewhere (AssignmentQuerySet.current)."""
        return self.state != AssignmentState.TRANSFERRED

    @property
    def takes_contacts(self):
        """沟通 is recorded while the unit handles the item, from 交办 until its letter goes out:
        record_contact refuses it otherwise, and the item page offers it exactly then."""
        return self.state in CONTACT_STATES

    @property
    def is_open(self):
        """Still to be handled: its deadline means something (a replied item is not overdue)."""
        return self.state in OPEN_ASSIGNMENT_STATES

    @property
    def is_urgeable(self):
        """催办 is for a unit that still owes its letter: once its reply or opinion is sent
        (or it was re-routed) there is nothing to hurry. `urge` refuses it otherwise, and the
        item page offers it exactly then (AssignmentQuerySet.urgeable)."""
        return self.is_open

    # ---- conditions --------------------------------------------------------------------
    def within_transfer_window(self):
        if self.state == AssignmentState.PENDING:
            return True
        return self.transfer_until is not None and timezone.localdate() <= self.transfer_until

    def writes_reply(self):
        return self.replies_to_proposer

    def writes_opinion(self):
        return self.role == self.Role.CO

    # ---- transitions -------------------------------------------------------------------
    @transition(
        field=state,
        source=AssignmentState.PENDING,
        target=AssignmentState.ACCEPTED,
        permission=is_unit_member,
    )
    def accept(self, at, transfer_until):
        """签收: the objection window opens."""
        self.accepted_at = at
        self.transfer_until = transfer_until

    @transition(
        field=state,
        source=[AssignmentState.PENDING, AssignmentState.ACCEPTED],
        target=AssignmentState.TRANSFER_REQUESTED,
        conditions=[within_transfer_window],
        permission=is_unit_member,
    )
    def request_transfer(self):
        """申请调整: the unit never forwards an item itself; the office decides."""

    @transition(
        field=state,
        source=AssignmentState.TRANSFER_REQUESTED,
        target=AssignmentState.TRANSFERRED,
        permission=is_office_for,
    )
    def approve_transfer(self, at):
        self.finished_at = at

    @transition(
        field=state,
        source=AssignmentState.TRANSFER_REQUESTED,
        target=AssignmentState.ACCEPTED,
        permission=is_office_for,
    )
    def reject_transfer(self, at):
        """The unit must handle it; a request straight from 待签收 counts as 签收."""
        if self.accepted_at is None:
            self.accepted_at = at

    @transition(
        field=state,
        source=HANDLING_STATES,
        target=AssignmentState.REPLIED,
        conditions=[writes_reply],
        permission=follows_reply,
    )
    def mark_replied(self, at, feedback_until=None):
        self.finished_at = at
        self.feedback_until = feedback_until

    @transition(
        field=state,
        source=AssignmentState.ACCEPTED,
        target=AssignmentState.OPINION_SENT,
        conditions=[writes_opinion],
        permission=follows_reply,
    )
    def mark_opinion_sent(self, at):
        self.finished_at = at

    @transition(
        field=state,
        source=ANSWERED_STATES,
        target=AssignmentState.DONE,
        permission=follows_reply,
    )
    def complete(self):
        pass

    @transition(
        field=state,
        source=OPINION_OUTSTANDING_STATES,
        target=AssignmentState.DONE,
        conditions=[writes_opinion],
        permission=follows_reply,
    )
    def lapse(self, at):
        """The lead replied before this co-handler's opinion arrived: nothing is left to do."""
        self.finished_at = at

    @transition(
        field=state,
        source=[AssignmentState.REPLIED, AssignmentState.DONE],
        target=AssignmentState.REOPENED,
        conditions=[writes_reply],
        permission=follows_reply,
    )
    def reopen(self, due_on, reopened_on):
        """不满意: a new round with its own deadline."""
        self.round += 1
        self.due_on, self.due_basis, self.due_from = due_on, "rehandling", reopened_on
        self.due_version += 1
        self.finished_at = self.feedback_until = None


# The units that answer the proposers themselves (主办, 分办); a 会办 unit writes to the lead.
REPLYING_ROLES = (Assignment.Role.LEAD, Assignment.Role.SEPARATE)
