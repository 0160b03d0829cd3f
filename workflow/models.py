"""Units, who works for them, assignments (交办) and the audit trail.

State changes happen only through `workflow.actions`; the transitions below only set fields.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from proposals.models import (
    Jurisdiction,
    Proposal,
    ProposalProposer,
    Proposer,
)

from .aging import AGING_BANDS, band_bounds
from .permissions import (
    done_by_the_worker,
    follows_reply,
    is_office_for,
    is_office_of_import,
    is_unit_member,
)


class Unit(models.Model):
    """承办单位: a handling agency, e.g. 上海市科学技术委员会 (organ code 沪科)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="units", verbose_name=_("行政区")
    )
    name = models.CharField(_("单位全称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    organ_code = models.CharField(
        _("机关代字"), max_length=20, blank=True, help_text=_("发文字号的代字，如“沪科”。")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    issuing_office = models.CharField(
        _("印发机关"),
        max_length=100,
        blank=True,
        help_text=_("版记中的印发机关，如“上海市科委办公室”。"),
    )
    series_proposal_reply = models.CharField(_("提案答复文种代字"), max_length=10, default="提复")
    series_suggestion_reply = models.CharField(_("建议答复文种代字"), max_length=10, default="建复")
    series_opinion = models.CharField(_("会办意见文种代字"), max_length=10, default="函")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=10, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["jurisdiction_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="unit_name_unique"),
        ]

    def __str__(self):
        return self.name


class UnitMembership(models.Model):
    class Role(models.TextChoices):
        CLERK = "clerk", _("承办人")
        LEADER = "leader", _("审核签发人")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class OfficeMembership(models.Model):
    """A member of a jurisdiction's proposal office (建议提案处 / 提案办)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="office_memberships"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="office_memberships"
    )

    class Meta:
        verbose_name = _("建议提案处成员")
        verbose_name_plural = _("建议提案处成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "jurisdiction"], name="office_member_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.jurisdiction}"


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


class AssignmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=OPEN_ASSIGNMENT_STATES)

    def for_unit(self, unit):
        return self.filter(unit=unit)

    def for_user(self, user):
        """What a unit member may see: their units' assignments only."""
        return self.filter(unit__memberships__user=user)

    def current(self):
        """Not re-routed elsewhere."""
        return self.exclude(state=AssignmentState.TRANSFERRED)

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

    def band_counts(self, today=None):
        """Open items per unit in each aging band, overdue and in all, and per state: one
        query grouped by unit and state, folded here."""
        today = today or timezone.localdate()
        counts = {}
        for key, *_rest in AGING_BANDS:
            earliest, latest = band_bounds(key, today)
            condition = Q(due_on__lte=latest) & (Q(due_on__gte=earliest) if earliest else Q())
            counts[key] = Count("id", filter=condition)
        rows = (
            self.open()
            .values("unit_id", "unit__name", "unit__short_name", "state")
            .annotate(**counts, overdue=Count("id", filter=Q(due_on__lt=today)), total=Count("id"))
            .order_by()
        )
        by_unit, by_state = {}, {}
        for row in rows:
            unit = by_unit.setdefault(
                row["unit_id"],
                {k: row[k] for k in ("unit_id", "unit__name", "unit__short_name")}
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
        return f"{self.proposal.reference} · {self.unit} · {self.get_role_display()}"

    @property
    def replies_to_proposer(self):
        return self.role in (self.Role.LEAD, self.Role.SEPARATE)

    @property
    def is_open(self):
        """Still to be handled: its deadline means something (a replied item is not overdue)."""
        return self.state in OPEN_ASSIGNMENT_STATES

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
        source=[AssignmentState.ACCEPTED, AssignmentState.REOPENED],
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
        source=[AssignmentState.REPLIED, AssignmentState.OPINION_SENT],
        target=AssignmentState.DONE,
        permission=follows_reply,
    )
    def complete(self):
        pass

    @transition(
        field=state,
        source=[AssignmentState.PENDING, AssignmentState.ACCEPTED],
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


class Contact(models.Model):
    """沟通 / 办前面商: the unit's contact with a proposer before replying."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话")
        VISIT = "visit", _("走访")
        MEETING = "meeting", _("座谈会")
        LETTER = "letter", _("书面")
        ONLINE = "online", _("网络")

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="contacts")
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("沟通对象")
    )
    contacted_on = models.DateField(_("沟通日期"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    with_whom = models.CharField(_("参加人员"), max_length=200, blank=True)
    summary = models.TextField(_("沟通情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["contacted_on", "id"]

    def __str__(self):
        return f"{self.assignment} · {self.contacted_on} · {self.get_method_display()}"


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


class Urge(models.Model):
    """催办: the office presses a unit about one item, or about all of its open items."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="urges")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="urges"
    )
    message = models.TextField(_("催办内容"))
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    urged_at = models.DateTimeField(_("催办时间"), default=timezone.now)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["-urged_at"]

    def __str__(self):
        return f"{self.unit} · {self.urged_at:%Y-%m-%d}"


# ---- deadline rules and the working-day calendar ----------------------------------------------
class DeadlineRule(models.Model):
    """The clocks of DOMAIN.md §3 for one jurisdiction and item kind; the office edits them.
    A jurisdiction without its own rule uses the defaults shipped here."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="deadline_rules"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Proposal.Kind.choices)
    reply_months = models.PositiveSmallIntegerField(_("答复期限（月，自交办）"), default=3)
    extension_ceiling_months = models.PositiveSmallIntegerField(
        _("延期上限（月，自交办）"), default=6
    )
    opinion_months = models.PositiveSmallIntegerField(_("会办意见期限（月，自交办）"), default=1)
    accept_working_days = models.PositiveSmallIntegerField(
        _("签收期限（工作日，自交办）"), default=5
    )
    transfer_working_days = models.PositiveSmallIntegerField(
        _("申请调整期限（工作日，自签收）"), default=5
    )
    rehandling_months = models.PositiveSmallIntegerField(_("重新办理期限（月）"), default=1)
    feedback_working_days = models.PositiveSmallIntegerField(
        _("反馈期限（工作日，自答复发出）"), default=15
    )
    publication_working_days = models.PositiveSmallIntegerField(
        _("公开期限（工作日，自答复发出）"), default=20
    )
    roll_to_working_day = models.BooleanField(_("期限遇节假日顺延至下一工作日"), default=False)

    class Meta:
        verbose_name = _("办理期限规则")
        verbose_name_plural = _("办理期限规则")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "kind"], name="deadline_rule_unique"),
            models.CheckConstraint(
                condition=Q(extension_ceiling_months__gte=models.F("reply_months")),
                name="deadline_ceiling_after_reply",
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction} · {self.get_kind_display()}"


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday pattern: a public holiday, or a weekend made a
    working day (调休). Seeded from the official schedule; the office may correct it."""

    day = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name} {'上班' if self.is_working else '休'}"


class CalendarYear(models.Model):
    """A year whose official holiday schedule is loaded; other years fall back to Mon–Fri."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=100)
    loaded_at = models.DateTimeField(_("载入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("已载入节假日安排的年份")
        verbose_name_plural = _("已载入节假日安排的年份")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


# ---- reminders -------------------------------------------------------------------------------
class DeadlineKind(models.TextChoices):
    REPLY = "reply", _("答复期限")
    OPINION = "opinion", _("会办意见期限")
    TRANSFER = "transfer", _("申请调整期限")
    FEEDBACK = "feedback", _("反馈期限")


class Audience(models.TextChoices):
    CLERK = "clerk", _("承办人")
    LEADER = "leader", _("单位领导")
    OFFICE = "office", _("建议提案处")


class ReminderRung(models.Model):
    """One step of the reminder ladder: whom to tell, how many days from the deadline
    (negative: before it), and, once overdue, how often to repeat."""

    deadline_kind = models.CharField(_("期限"), max_length=10, choices=DeadlineKind.choices)
    offset_days = models.SmallIntegerField(
        _("相对期限的天数"), help_text=_("负数为到期前，0为当日，正数为逾期后。")
    )
    audience = models.CharField(_("提醒对象"), max_length=10, choices=Audience.choices)
    repeat_days = models.PositiveSmallIntegerField(
        _("逾期后重复间隔（天）"), default=0, help_text=_("0 表示不重复。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")
        ordering = ["deadline_kind", "offset_days", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline_kind", "offset_days", "audience"], name="rung_unique"
            ),
            models.CheckConstraint(
                condition=Q(repeat_days=0) | Q(offset_days__gt=0), name="rung_repeats_when_overdue"
            ),
        ]

    def __str__(self):
        kind, audience = self.get_deadline_kind_display(), self.get_audience_display()
        return f"{kind} {self.offset_days:+d} {audience}"


class ReminderQuerySet(models.QuerySet):
    def reached(self, user):
        """The reminders `user` was told about: those their digests covered."""
        told = ReminderDigest.objects.filter(
            Q(unit=OuterRef("unit"))
            | Q(unit__isnull=True, jurisdiction=OuterRef("unit__jurisdiction")),
            recipient=user,
            created_at=OuterRef("created_at"),
            batch=OuterRef("batch"),
            audience=OuterRef("rung__audience"),
        )
        return self.filter(Exists(told))

    def in_due_order(self):
        return self.order_by("due_on", "assignment_id", "rung_id")


class Reminder(models.Model):
    """The ledger: a reminder is issued by inserting its row, so the unique key — assignment,
    rung, repeat, deadline version — makes every reminder happen once, however often,
    however concurrently, the sweep runs. Who hears of it is the digest's business: one row
    per item, not per person, keeps a backlog sweep to one row per overdue item.

    The references are not database foreign keys. The sweep writes rows only from a join
    of the assignment and the rung, in one insert-only statement, so a reference cannot
    dangle when written; a per-row foreign-key trigger would re-check 650,000 times what
    the join proved, about half of a first sweep at national scale (bench/README.md).
    Deleting through Django still cascades (an assignment) and protects (a rung in use).
    The key is the primary key: a separate id would be one more index to write per row."""

    # The rung implies the deadline kind: the key is four integers.
    pk = models.CompositePrimaryKey("assignment_id", "rung_id", "repeat", "due_version")
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_constraint=False,
        db_index=False,  # the primary key starts with it
    )
    # The assignment's unit, copied so a sweep's digests are counted from the ledger alone.
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    deadline_kind = models.CharField(max_length=10, choices=DeadlineKind.choices)
    rung = models.ForeignKey(
        ReminderRung,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    repeat = models.PositiveSmallIntegerField(default=0)
    due_version = models.PositiveIntegerField()
    due_on = models.DateField()
    # One value per sweep, increasing with each: rows of a sweep are found by it (a BRIN index
    # on PostgreSQL, where the rows lie in the order they were written) and then by batch.
    created_at = models.DateTimeField(default=timezone.now)
    batch = models.UUIDField()

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")

    def __str__(self):
        return f"{self.assignment_id} {self.deadline_kind} {self.rung_id}/{self.repeat}"


class ReminderDigest(models.Model):
    """What one sweep told one person: a unit's new reminders for their role in it, or, for
    the proposal office, its jurisdiction's at once. One notification, one mail and one text
    per digest, however many items it covers."""

    batch = models.UUIDField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    audience = models.CharField(_("提醒对象"), max_length=10, choices=Audience.choices)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    # Empty for the office: its digest covers every unit of the jurisdiction.
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    items = models.PositiveIntegerField(_("件数"))
    overdue = models.PositiveIntegerField(_("其中逾期"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    # Each channel delivers on its own; a failed one never holds up the others.
    emailed_at = models.DateTimeField(null=True, blank=True)
    texted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("提醒汇总")
        verbose_name_plural = _("提醒汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "recipient", "unit", "audience"],
                condition=Q(unit__isnull=False),
                name="digest_once_per_unit_role",
            ),
            models.UniqueConstraint(
                fields=["batch", "recipient", "jurisdiction"],
                condition=Q(unit__isnull=True),
                name="digest_once_per_office",
            ),
            models.CheckConstraint(
                condition=Q(audience="office", unit__isnull=True)
                | (~Q(audience="office") & Q(unit__isnull=False)),
                name="digest_office_has_no_unit",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "emailed_at"], name="digest_email_queue"),
            models.Index(fields=["recipient", "texted_at"], name="digest_sms_queue"),
        ]

    def __str__(self):
        return f"{self.recipient} {self.scope} {self.items}"

    @property
    def scope(self):
        """What the digest speaks of: the unit, or for the office the jurisdiction."""
        return self.unit or self.jurisdiction

    def covers(self):
        """A filter on ledger rows: those of this digest's audience and scope, any sweep."""
        if self.unit_id:
            scope = Q(unit_id=self.unit_id)
        else:
            scope = Q(unit__jurisdiction_id=self.jurisdiction_id)
        return scope & Q(rung__audience=self.audience)

    def reminders(self):
        """The ledger rows this digest told its recipient about."""
        return Reminder.objects.filter(self.covers(), created_at=self.created_at, batch=self.batch)


class Notification(models.Model):
    """The in-app notification centre: reminders, 催办, and notices to the office."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    digest = models.OneToOneField(
        ReminderDigest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
    )
    # For notices that must reach someone once (e.g. the yearly calendar reminder).
    key = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_key_once"),
        ]

    def __str__(self):
        return self.title


# ---- Excel intake (批量登记交办) -------------------------------------------------------------
def item_import_path(instance, filename):
    # Never the uploader's file name on disk: it is kept in `name` for the pages.
    return f"item-imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ItemImportState(models.TextChoices):
    CHECKING = "checking", _("检查中")
    REFUSED = "refused", _("有错误，未导入")
    CHECKED = "checked", _("待确认")
    SAVING = "saving", _("导入中")
    SAVED = "saved", _("已导入")
    FAILED = "failed", _("导入失败")


class ItemImport(ConcurrentTransitionMixin, models.Model):
    """One uploaded workbook: the dry run's report, then (once confirmed) the items saved."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区")
    )
    file = models.FileField(upload_to=item_import_path)
    name = models.CharField(_("文件名"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    state = FSMField(
        _("状态"),
        max_length=10,
        choices=ItemImportState.choices,
        default=ItemImportState.CHECKING,
        protected=True,
    )
    total = models.PositiveIntegerField(_("数据行数"), default=0)
    progress = models.PositiveIntegerField(_("已处理行数"), default=0)
    counts = models.JSONField(_("检查结果"), default=dict, blank=True)
    report = models.JSONField(_("逐行结果"), default=list, blank=True)
    message = models.TextField(_("说明"), blank=True)
    saved = models.PositiveIntegerField(_("新增件数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    saving_since = models.DateTimeField(_("开始导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Excel导入")
        verbose_name_plural = _("Excel导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=models.F("total")), name="item_import_progress_bounded"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.get_state_display()}）"

    @property
    def is_running(self):
        return self.state in (ItemImportState.CHECKING, ItemImportState.SAVING)

    @property
    def percent(self):
        return int(100 * self.progress / self.total) if self.total else 0

    # ---- conditions ----------------------------------------------------------------------
    def has_new_rows(self):
        return bool(self.counts.get("new")) and not self.counts.get("error")

    # ---- transitions: they only set fields -----------------------------------------------
    @transition(
        field=state,
        source=ItemImportState.CHECKING,
        target=ItemImportState.CHECKED,
        permission=done_by_the_worker,
    )
    def pass_check(self, counts, report, message=""):
        self.counts, self.report, self.progress = counts, report, self.total
        self.message = message

    @transition(
        field=state,
        source=ItemImportState.CHECKING,
        target=ItemImportState.REFUSED,
        permission=done_by_the_worker,
    )
    def refuse(self, message, counts=None, report=None, at=None):
        self.message, self.counts, self.report = message, counts or {}, report or []
        self.finished_at = at

    @transition(
        field=state,
        source=ItemImportState.CHECKED,
        target=ItemImportState.SAVING,
        conditions=[has_new_rows],
        permission=is_office_of_import,
    )
    def confirm(self, at=None):
        self.saving_since = at or timezone.now()

    @transition(
        field=state,
        source=ItemImportState.SAVING,
        target=ItemImportState.SAVED,
        permission=done_by_the_worker,
    )
    def finish(self, saved, at):
        self.saved, self.finished_at = saved, at

    @property
    def running_since(self):
        if self.state == ItemImportState.CHECKING:
            return self.created_at
        return self.saving_since if self.state == ItemImportState.SAVING else None

    @transition(
        field=state,
        source=[ItemImportState.CHECKING, ItemImportState.SAVING],
        target=ItemImportState.FAILED,
        permission=done_by_the_worker,
    )
    def fail(self, message, at):
        self.message, self.finished_at = message, at
