"""The proposal office's and the units' verbs: intake, review, 交办, 签收, transfer, extension,
contacts. One function per verb; each is one transaction that locks its row, checks the
transition, saves, logs, and schedules side effects on commit.
"""

from datetime import date, datetime, time

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import bigrams as textsearch
from proposals.models import (
    ASSIGN_PERMISSION,
    CORRECTABLE_STATES,
    REVIEW_PERMISSION,
    Proposal,
    ProposalProposer,
    ProposalState,
    Proposer,
    Session,
    TitlePieces,
)

from . import background, deadlines, item_import
from .audit import ActionRefused, entry, fire, lock, log, log_many, require_may
from .models import (
    Assignment,
    AssignmentState,
    Contact,
    Extension,
    ItemImport,
    ItemImportState,
    Notification,
    OfficeMembership,
    TransferRequest,
    Unit,
    UnitMembership,
    Urge,
)
from .permissions import in_office, in_unit
from .tasks import check_item_import_task, notify_extension, notify_urge, save_item_import_task


# ---- roles -------------------------------------------------------------------------------
def require_office(actor, jurisdiction, permission=ASSIGN_PERMISSION):
    """The actor works in this jurisdiction's proposal office and holds `permission`."""
    if not in_office(actor, jurisdiction.pk, permission):
        raise PermissionDenied(_("只有本级建议提案处可以执行此操作。"))


def require_unit_member(actor, unit):
    if not in_unit(actor, unit.pk):
        raise PermissionDenied(_("只有承办单位本单位人员可以执行此操作。"))


# ---- intake and review (proposals.Proposal) -------------------------------------------------
@transaction.atomic
def receive_proposal(actor, *, session, number, title, kind, proposers, body="", **fields):
    """登记: an item enters Banli, with its proposers in order (the lead first): Proposer
    rows, or (name, kind) pairs found or added among the session's jurisdiction's own."""
    require_office(actor, session.jurisdiction, REVIEW_PERMISSION)
    if not proposers:
        raise ActionRefused(_("至少需要一位提出人（第一位为领衔人）。"))
    proposers = [
        p if isinstance(p, Proposer) else _proposer_named(*p, session.jurisdiction)
        for p in proposers
    ]
    ids = [p.pk for p in proposers]
    foreign = Proposer.objects.filter(pk__in=ids).exclude(jurisdiction=None)
    if foreign.exclude(jurisdiction=session.jurisdiction).exists():
        raise PermissionDenied(_("提出人属于其他地区，不能在本地区登记。"))
    if Proposal.objects.filter(session=session, number=number).exists():
        raise ActionRefused(
            _("%(session)s已有第%(number)s号，案号不能重复。")
            % {"session": session, "number": number}
        )
    proposal = Proposal.objects.create(
        session=session,
        number=number,
        title=title,
        kind=kind,
        body=body,
        **textsearch.item_fields(title, body),
        **fields,
    )
    textsearch.title_pieces([proposal])
    ProposalProposer.objects.bulk_create(
        ProposalProposer(proposal=proposal, proposer=p, position=i) for i, p in enumerate(proposers)
    )
    Proposer.objects.filter(pk__in=ids, jurisdiction=None).update(jurisdiction=session.jurisdiction)
    log(proposal, "receive", actor, "", proposal.state, at=fields.get("received_at"))
    return proposal


CORRECTABLE_FIELDS = ("title", "body", "topic", "is_key", "supervising_leader", "received_at")


@transaction.atomic
def correct_proposal(proposal, actor, **changes):
    """更正登记: the office corrects what was registered, until the item is assigned. The
    search pieces follow the new title and text; the log keeps what changed."""
    proposal = lock(Proposal, proposal.pk)
    require_office(actor, proposal.session.jurisdiction, REVIEW_PERMISSION)
    if proposal.state not in CORRECTABLE_STATES:
        raise ActionRefused(_("已交办的建议提案不能再更正登记内容。"))
    changed = {
        name: value
        for name, value in changes.items()
        if name in CORRECTABLE_FIELDS and getattr(proposal, name) != value
    }
    if not changed:
        return proposal
    before = {name: getattr(proposal, name) for name in changed}
    for name, value in changed.items():
        setattr(proposal, name, value)
    proposal.search_grams = textsearch.stored(proposal.title, proposal.body)
    proposal.save()
    if "title" in changed:
        TitlePieces.objects.filter(proposal=proposal).delete()
        textsearch.title_pieces([proposal])
    note = "；".join(
        f"{name}：{str(before[name])[:60]} → {str(v)[:60]}" for name, v in changed.items()
    )
    log(proposal, "correct", actor, proposal.state, proposal.state, note[:500])
    return proposal


def _proposer_named(name, kind, jurisdiction):
    """A namesake in another jurisdiction is another person, with contacts of their own."""
    return Proposer.objects.get_or_create(name=name, kind=kind, jurisdiction=jurisdiction)[0]


def _review(proposal, actor, name, comment="", check=None, **fields):
    """`check(proposal)` refuses by the item's own facts, asked only once the actor is known
    to be its office (an outsider learns nothing of it)."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_office(actor, proposal.session.jurisdiction, REVIEW_PERMISSION)
        if check is not None:
            check(proposal)
        for field, value in fields.items():
            setattr(proposal, field, value)
        fire(proposal, name, actor, comment=comment)
        return proposal


def start_review(proposal, actor):
    """审查: a CPPCC proposal goes to review (suggestions skip it)."""

    def check(proposal):
        if proposal.kind != Proposal.Kind.PROPOSAL:
            raise ActionRefused(_("代表建议不经审查，直接登记后交办。"))

    return _review(proposal, actor, "start_review", check=check)


def file_proposal(proposal, actor, comment=""):
    """立案 (for a suggestion: registered for handling)."""
    return _review(proposal, actor, "file", comment)


def reject_proposal(proposal, actor, reason):
    """不予立案: the reason is required and is told to the proposer."""
    if not reason.strip():
        raise ActionRefused(_("不予立案必须填写理由。"))
    return _review(proposal, actor, "reject", reason, review_reason=reason)


def merge_proposal(proposal, actor, into, comment=""):
    """并案: handled together with `into`; every proposer still gets a reply."""

    def check(proposal):
        if into.pk == proposal.pk or into.session_id != proposal.session_id:
            raise ActionRefused(_("只能并入同一届次会议的另一件提案。"))

    return _review(proposal, actor, "merge", comment, check=check, merged_into=into)


def return_proposal(proposal, actor, reason):
    """退回修改: back to the proposer; resubmission starts a new review."""
    if not reason.strip():
        raise ActionRefused(_("退回修改必须说明需要修改的内容。"))
    return _review(proposal, actor, "return_for_revision", reason, review_reason=reason)


def convert_proposal(proposal, actor, reason):
    """转意见建议 / 社情民意."""
    if not reason.strip():
        raise ActionRefused(_("转为意见建议必须说明理由。"))
    return _review(proposal, actor, "convert", reason, review_reason=reason)


# ---- 交办 -----------------------------------------------------------------------------------
def _new_assignment(proposal, unit, role, actor, at):
    if unit.jurisdiction_id != proposal.session.jurisdiction_id:
        raise ActionRefused(_("“%(unit)s”不属于本行政区，不能交办。") % {"unit": unit})
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    day = timezone.localdate(at)
    due = deadlines.due_for(role, "assigned", day, rules, deadlines.WorkingCalendar())
    assignment = Assignment.objects.create(
        proposal=proposal,
        unit=unit,
        role=role,
        assigned_at=at,
        assigned_by=actor,
        due_on=due,
        due_basis="assigned",
        due_from=day,
        round=proposal.round,
    )
    log(assignment, "assign", actor, "", assignment.state, _("期限 %(due)s") % {"due": due}, at=at)
    return assignment


@transaction.atomic
def assign_proposal(proposal, actor, *, lead=None, co=(), separate=(), at=None):
    """交办: a lead unit with co-handlers, or separate handlers that each reply.

    Also adds units to an item already in handling (e.g. a new lead after a transfer).
    """
    proposal = lock(Proposal, proposal.pk)
    require_office(actor, proposal.session.jurisdiction)
    at = at or timezone.now()
    co, separate = list(co), list(separate)
    units = ([lead] if lead else []) + co + separate
    if not units:
        raise ActionRefused(_("请至少选择一个承办单位。"))
    if len({u.pk for u in units}) != len(units):
        raise ActionRefused(_("同一单位不能重复交办。"))
    current = proposal.assignments.current()
    has_lead = lead is not None or current.filter(role=Assignment.Role.LEAD).exists()
    has_separate = bool(separate) or current.filter(role=Assignment.Role.SEPARATE).exists()
    if has_lead and has_separate:
        raise ActionRefused(_("主办/会办与分办不能同时使用：请选择主办单位，或只选分办单位。"))
    if co and not has_lead:
        raise ActionRefused(_("有会办单位时必须指定一个主办单位。"))
    if lead is not None and current.filter(role=Assignment.Role.LEAD).exists():
        raise ActionRefused(_("该件已有主办单位。"))
    if current.filter(unit__in=units).exists():
        raise ActionRefused(_("所选单位已在办理该件。"))
    if proposal.state == ProposalState.FILED:
        fire(proposal, "assign", actor, at=at)
    elif proposal.state not in (ProposalState.ASSIGNED, ProposalState.IN_HANDLING):
        raise ActionRefused(
            _("只有已立案（登记）的件可以交办，当前状态为“%(state)s”。")
            % {"state": proposal.get_state_display()}
        )
    roles = (
        [(lead, Assignment.Role.LEAD)] * bool(lead)
        + [(u, Assignment.Role.CO) for u in co]
        + [(u, Assignment.Role.SEPARATE) for u in separate]
    )
    return [_new_assignment(proposal, unit, role, actor, at) for unit, role in roles]


@transaction.atomic
def accept_assignment(assignment, actor, at=None):
    """签收: the unit acknowledges receipt; the objection window starts."""
    assignment = lock(Assignment, assignment.pk)
    require_may(assignment, "accept", actor)
    at = at or timezone.now()
    proposal = assignment.proposal
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    fire(
        assignment,
        "accept",
        actor,
        at,
        deadlines.transfer_until(timezone.localdate(at), rules, deadlines.WorkingCalendar()),
        refusal=_("该件已签收或已调整，无需再次签收。"),
        at=at,
    )
    _follow_assignments(proposal.pk, actor, at)
    return assignment


def _follow_assignments(proposal_id, actor, at=None):
    """The item is in handling once any unit has signed for it."""
    proposal = lock(Proposal, proposal_id)
    if (
        proposal.state == ProposalState.ASSIGNED
        and proposal.assignments.exclude(
            state__in=[AssignmentState.PENDING, AssignmentState.TRANSFERRED]
        ).exists()
    ):
        fire(proposal, "start_handling", actor, check_perm=False, at=at)


@transaction.atomic
def request_transfer(assignment, actor, reason, suggested_unit=None):
    """申请调整: the unit asks the office to re-route a misassigned item."""
    if not reason.strip():
        raise ActionRefused(_("申请调整必须说明理由。"))
    assignment = lock(Assignment, assignment.pk)
    require_may(assignment, "request_transfer", actor)
    fire(
        assignment,
        "request_transfer",
        actor,
        comment=reason,
        refusal=_("已超过签收后的调整申请期限（%(until)s），请按交办意见办理。")
        % {"until": assignment.transfer_until},
    )
    return TransferRequest.objects.create(
        assignment=assignment, reason=reason, requested_by=actor, suggested_unit=suggested_unit
    )


@transaction.atomic
def decide_transfer(transfer, actor, *, approve, comment="", new_unit=None, at=None):
    """The office approves (the assignment ends; optionally re-assigned to `new_unit` in the
    same role) or rejects (the unit must handle it) a transfer request."""
    transfer = lock(TransferRequest, transfer.pk)
    assignment = lock(Assignment, transfer.assignment_id)
    require_office(actor, assignment.proposal.session.jurisdiction)
    at = at or timezone.now()
    if approve:
        fire(transfer, "approve", actor, actor, at, comment, comment=comment)
        fire(assignment, "approve_transfer", actor, at, comment=comment)
        if new_unit is not None:
            role = assignment.role
            assign_proposal(
                assignment.proposal,
                actor,
                lead=new_unit if role == Assignment.Role.LEAD else None,
                co=[new_unit] if role == Assignment.Role.CO else [],
                separate=[new_unit] if role == Assignment.Role.SEPARATE else [],
                at=at,
            )
    else:
        if not comment.strip():
            raise ActionRefused(_("不同意调整时请说明理由，承办单位将据此办理。"))
        fire(transfer, "reject", actor, actor, at, comment, comment=comment)
        fire(assignment, "reject_transfer", actor, at, comment=comment)
        _follow_assignments(assignment.proposal_id, actor)
    return transfer


@transaction.atomic
def request_extension(assignment, actor, requested_due, reason):
    """申请延期: a later reply deadline, within the rule's ceiling."""
    assignment = lock(Assignment, assignment.pk)
    require_unit_member(actor, assignment.unit)
    if not reason.strip():
        raise ActionRefused(_("申请延期必须说明理由。"))
    if not assignment.replies_to_proposer or assignment.state not in (
        AssignmentState.ACCEPTED,
        AssignmentState.REOPENED,
    ):
        raise ActionRefused(_("只有办理中的主办或分办件可以申请延期。"))
    proposal = assignment.proposal
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    ceiling = deadlines.extension_ceiling(timezone.localdate(assignment.assigned_at), rules)
    if requested_due <= assignment.due_on:
        raise ActionRefused(_("延期后的期限须晚于现期限（%(due)s）。") % {"due": assignment.due_on})
    if requested_due > ceiling:
        raise ActionRefused(
            _("延期最长至交办后%(months)s个月，即%(ceiling)s。")
            % {"months": rules.extension_ceiling_months, "ceiling": ceiling}
        )
    if assignment.extensions.filter(state="pending").exists():
        raise ActionRefused(_("已有一份延期申请待审批。"))
    extension = Extension.objects.create(
        assignment=assignment,
        reason=reason,
        requested_by=actor,
        previous_due=assignment.due_on,
        requested_due=requested_due,
    )
    log(extension, "request", actor, "", extension.state, reason)
    return extension


@transaction.atomic
def decide_extension(extension, actor, *, approve, comment="", at=None):
    """The office approves (the deadline moves; the proposer is told) or rejects."""
    extension = lock(Extension, extension.pk)
    assignment = lock(Assignment, extension.assignment_id)
    require_office(actor, assignment.proposal.session.jurisdiction)
    at = at or timezone.now()
    fire(extension, "approve" if approve else "reject", actor, actor, at, comment, comment=comment)
    if approve:
        assignment.due_on, assignment.due_basis = extension.requested_due, "extension"
        assignment.due_from = timezone.localdate(at)
        assignment.due_version += 1
        assignment.save(update_fields=["due_on", "due_basis", "due_from", "due_version"])
        log(
            assignment,
            "extend",
            actor,
            assignment.state,
            assignment.state,
            _("期限由%(old)s延至%(new)s")
            % {"old": extension.previous_due, "new": assignment.due_on},
        )
        transaction.on_commit(lambda: notify_extension.delay(extension.pk), robust=True)
    return extension


@transaction.atomic
def record_contact(
    assignment, actor, *, contacted_on, method, summary, proposer=None, with_whom=""
):
    """沟通 / 办前面商: recorded before the reply is signed."""
    assignment = lock(Assignment, assignment.pk)
    require_unit_member(actor, assignment.unit)
    if not summary.strip():
        raise ActionRefused(_("请填写沟通情况。"))
    if contacted_on > timezone.localdate():
        raise ActionRefused(_("沟通日期不能晚于今天。"))
    if proposer is not None and not assignment.proposal.proposers.filter(pk=proposer.pk).exists():
        raise ActionRefused(_("沟通对象须是该件的提出人。"))
    contact = Contact.objects.create(
        assignment=assignment,
        proposer=proposer,
        contacted_on=contacted_on,
        method=method,
        with_whom=with_whom,
        summary=summary,
        recorded_by=actor,
    )
    log(contact, "contact", actor, "", "", summary[:500])
    return contact


@transaction.atomic
def urge(actor, unit, message, proposal=None):
    """催办: the unit's people are told at once; the item's timeline shows it."""
    require_office(actor, unit.jurisdiction)
    if proposal is not None:
        require_office(actor, proposal.session.jurisdiction)
    if not message.strip():
        raise ActionRefused(_("请填写催办内容。"))
    if proposal is not None and not proposal.assignments.current().filter(unit=unit).exists():
        raise ActionRefused(_("该单位未承办此件。"))
    record = Urge.objects.create(unit=unit, proposal=proposal, message=message, urged_by=actor)
    log(record, "urge", actor, "", "", message[:500])
    title = _("催办：%(what)s") % {"what": proposal.reference if proposal else unit.name}
    link = f"/items/{proposal.pk}/" if proposal else "/work/?due=overdue"
    Notification.objects.bulk_create(
        Notification(recipient_id=user_id, title=title, body=message, link=link)
        for user_id in unit.memberships.values_list("user_id", flat=True)
    )
    transaction.on_commit(lambda: notify_urge.delay(record.pk), robust=True)
    return record


def recompute_deadlines(actor=None, jurisdiction_id=None, reason="", chunk=2000):
    """A rule or the calendar changed: every open deadline is computed anew from its clock.
    Each changed deadline is logged and gets a new version (its reminders start over).
    Approved extensions are fixed dates and stay as they are."""
    cal, rules = deadlines.WorkingCalendar(), deadlines.RuleBook()
    rows = (
        Assignment.objects.open()
        .exclude(due_basis="extension")
        .select_related("proposal__session")
        .order_by("pk")
    )
    if jurisdiction_id is not None:
        rows = rows.filter(unit__jurisdiction_id=jurisdiction_id)
    changed, logs, total = [], [], 0
    content_type = ContentType.objects.get_for_model(Assignment)
    for a in rows.iterator(chunk_size=chunk):
        start = a.due_from or timezone.localdate(a.assigned_at)
        in_force = rules(a.proposal.session.jurisdiction_id, a.proposal.kind)
        new = deadlines.due_for(a.role, a.due_basis, start, in_force, cal)
        if new is None or new == a.due_on:
            continue
        comment = _("期限由%(old)s改为%(new)s") % {"old": a.due_on, "new": new}
        logs.append(
            entry(
                content_type,
                a.pk,
                a.proposal_id,
                actor,
                "recompute",
                a.state,
                a.state,
                f"{comment}（{reason}）" if reason else comment,
            )
        )
        a.due_on, a.due_version = new, a.due_version + 1
        changed.append(a)
        if len(changed) >= chunk:
            total += _save_recomputed(changed, logs)
            changed, logs = [], []
    return total + _save_recomputed(changed, logs)


def _save_recomputed(changed, logs):
    with transaction.atomic():
        # The rows first (their locks, as a verb takes them), then the chains' locks and heads.
        Assignment.objects.bulk_update(changed, ["due_on", "due_version"])
        log_many(logs)
    return len(changed)


# ---- who works where ------------------------------------------------------------------------
OFFICE_GROUP = "建议提案处"


# The office never grants offices (only the system administrator makes a staff account) and
# never edits the audit records by hand; nothing of Django's own apps (groups, permissions).
OFFICE_READ_ONLY = ["transitionlog", "heartbeat", "documentcounter", "officemembership"]


def office_permissions():
    """Banli's records but deleting, audit rows and office memberships; the admin narrows each
    of them to the office's own jurisdictions (workflow.admin_scope)."""
    return (
        Permission.objects.filter(
            content_type__app_label__in=["proposals", "workflow", "responses"]
        )
        .exclude(codename__startswith="delete_")
        .exclude(content_type__model__in=OFFICE_READ_ONLY, codename__regex=r"^(add|change)_")
    )


@transaction.atomic
def add_office_member(user, jurisdiction, actor=None):
    """Makes `user` a member of the jurisdiction's proposal office, with its permissions
    (set afresh each time: a group granted more by an earlier version loses it). `actor` is
    who granted it (the system administrator in the admin; None for the setup commands).
    Logged when the membership is new."""
    group = Group.objects.get_or_create(name=OFFICE_GROUP)[0]
    group.permissions.set(office_permissions())
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True  # the office also works in the admin
        user.save(update_fields=["is_staff"])
    membership, created = OfficeMembership.objects.get_or_create(
        user=user, jurisdiction=jurisdiction
    )
    if created:
        log(membership, "add_member", actor, "", "office", f"{user} · {jurisdiction}"[:500])
    return membership


@transaction.atomic
def add_unit_member(user, unit, role, actor=None):
    """Makes `user` a member of `unit` in `role` (or changes their role there); logged when
    the membership is new or its role changed."""
    before = UnitMembership.objects.filter(user=user, unit=unit).values_list("role", flat=True)
    before = before.first() or ""
    membership, _created = UnitMembership.objects.update_or_create(
        user=user, unit=unit, defaults={"role": role}
    )
    if before != role:
        log(membership, "add_member", actor, before, role, f"{user} · {unit}"[:500])
    return membership


# ---- Excel intake (批量登记交办) ------------------------------------------------------------
@transaction.atomic
def start_item_import(actor, jurisdiction, upload):
    """An uploaded workbook is kept and checked in the background (a dry run: nothing is
    saved until the office has seen every row's result and confirmed)."""
    require_office(actor, jurisdiction)
    if upload.size > item_import.MAX_BYTES:
        raise ActionRefused(_("文件超过10MB，请拆分后分批导入。"))
    record = ItemImport(jurisdiction=jurisdiction, name=upload.name[:200], created_by=actor)
    record.file.save(upload.name, upload, save=False)
    record.save()
    log(record, "upload", actor, "", record.state, upload.name[:200])
    transaction.on_commit(lambda: check_item_import_task.delay(record.pk), robust=True)
    return record


def check_item_import(record_id, chunk=500):
    """The dry run, in the worker: progress is written as it goes, the result in one step."""
    record = ItemImport.objects.filter(pk=record_id, state=ItemImportState.CHECKING).first()
    if record is None:
        return None  # already checked (a replayed task)
    try:
        with record.file.open("rb") as handle:
            rows = item_import.read_workbook(handle.read(item_import.MAX_BYTES + 1), record.name)
    except item_import.WorkbookRefused as exc:
        return _finish_check(record_id, refusal=str(exc))
    ItemImport.objects.filter(pk=record_id).update(total=len(rows))

    def progress(done):
        ItemImport.objects.filter(pk=record_id).update(progress=done)

    results = item_import.check(rows, record.jurisdiction, progress=progress, chunk=chunk)
    return _finish_check(record_id, results=results)


@transaction.atomic
def _finish_check(record_id, results=None, refusal=""):
    record = lock(ItemImport, record_id)
    if record.state != ItemImportState.CHECKING:
        return record
    if results is None:
        # `at` given to fire() is the log's; the record's own finish time goes positionally.
        fire(record, "refuse", None, refusal, None, None, timezone.now(), check_perm=False)
        return record
    counts, report = item_import.summary(results), item_import.as_report(results)
    if counts["error"]:
        message = _("共%(n)d处错误，请修改文件后重新上传。") % {
            "n": sum(len(r.errors) for r in results)
        }
        fire(record, "refuse", None, message, counts, report, timezone.now(), check_perm=False)
    else:
        message = "" if counts["new"] else _("文件中的件均已登记，无需再导入。")
        fire(record, "pass_check", None, counts, report, message, check_perm=False)
    return record


@transaction.atomic
def fail_item_import(record_id, reason):
    """The worker's reading or saving ended in an error or ran out of time: the import says
    why and ends (nothing of a failed save is kept: it runs in one transaction)."""
    record = lock(ItemImport, record_id)
    if record.is_running:
        fire(record, "fail", None, reason, timezone.now(), check_perm=False)
    return record


def end_item_import_if_stuck(record):
    """A record still checking or saving past every time limit lost its worker: it fails,
    saying so, instead of showing 检查中 forever."""
    if record.is_running and background.is_stuck(record.running_since):
        return fail_item_import(record.pk, background.timed_out())
    return record


@transaction.atomic
def confirm_item_import(record, actor):
    """确认导入: the office has read the dry run; the worker saves the new rows."""
    record = lock(ItemImport, record.pk)
    require_may(record, "confirm", actor)
    fire(
        record,
        "confirm",
        actor,
        refusal=_("该文件当前状态为“%(state)s”，不能导入（没有可新增的行，或仍有错误）。")
        % {"state": record.get_state_display()},
    )
    transaction.on_commit(lambda: save_item_import_task.delay(record.pk), robust=True)
    return record


def save_item_import(record_id):
    """In the worker: the confirmed rows become items and assignments in one transaction;
    if anything refuses, nothing of it is kept and the import says why."""
    record = ItemImport.objects.filter(pk=record_id, state=ItemImportState.SAVING).first()
    if record is None:
        return None
    items = [row["item"] for row in record.report if row["status"] == "new"]
    try:
        with transaction.atomic():
            created = import_items(record.created_by, record.jurisdiction, items, source=record)
            record = lock(ItemImport, record_id)
            fire(record, "finish", None, len(created), timezone.now(), check_perm=False)
    except (ActionRefused, PermissionDenied, IntegrityError) as exc:
        with transaction.atomic():
            record = lock(ItemImport, record_id)
            fire(record, "fail", None, str(exc), timezone.now(), check_perm=False)
    return record


@transaction.atomic
def import_items(actor, jurisdiction, items, source=None, at=None):
    """批量登记交办: checked rows become items (filed, or assigned when units are given) with
    their proposers, assignments, deadlines and log rows, in bulk. Idempotent by (session,
    number): a number already there is skipped, so a file imported twice adds nothing."""
    require_office(actor, jurisdiction, REVIEW_PERMISSION)
    require_office(actor, jurisdiction)
    at = at or timezone.now()
    sessions = {
        s.pk: s
        for s in Session.objects.filter(
            jurisdiction=jurisdiction, pk__in={i["session_id"] for i in items}
        )
    }
    items = [i for i in items if i["session_id"] in sessions]
    existing = item_import.existing_numbers({(i["session_id"], i["number"]) for i in items})
    items = [i for i in items if (i["session_id"], i["number"]) not in existing]
    if not items:
        return []
    people = _proposers_for(items, jurisdiction)
    units = set(
        Unit.objects.filter(jurisdiction=jurisdiction, is_active=True).values_list("pk", flat=True)
    )
    rules, cal = deadlines.RuleBook(), deadlines.WorkingCalendar()
    proposals, plans = [], []
    for item in items:
        roles = [(item["lead"], Assignment.Role.LEAD)] * bool(item["lead"])
        roles += [(u, Assignment.Role.CO) for u in item["co"]]
        roles += [(u, Assignment.Role.SEPARATE) for u in item["separate"]]
        if any(unit not in units for unit, _role in roles):
            raise ActionRefused(_("第%(n)s号的承办单位已停用或不属于本行政区。") % item)
        day = date.fromisoformat(item["assigned_on"]) if item["assigned_on"] else None
        when = timezone.make_aware(datetime.combine(day, time(9))) if day else at
        state = ProposalState.ASSIGNED if roles else ProposalState.FILED
        proposals.append(
            Proposal(
                session_id=item["session_id"],
                number=item["number"],
                kind=item["kind"],
                title=item["title"],
                body=item["body"],
                topic=item["topic"],
                is_key=item["is_key"],
                received_at=when,
                state=state,
                **textsearch.item_fields(item["title"], item["body"]),
            )
        )
        plans.append((item, roles, day, when))
    Proposal.objects.bulk_create(proposals, batch_size=500)
    textsearch.title_pieces(proposals)
    links, assignments = [], []
    for proposal, (item, roles, day, when) in zip(proposals, plans, strict=True):
        links += [
            ProposalProposer(
                proposal=proposal, proposer_id=people[(name, item["proposer_kind"])], position=i
            )
            for i, name in enumerate(item["proposers"])
        ]
        for unit_id, role in roles:
            due = deadlines.due_for(role, "assigned", day, rules(jurisdiction, item["kind"]), cal)
            assignments.append(
                Assignment(
                    proposal=proposal,
                    unit_id=unit_id,
                    role=role,
                    assigned_at=when,
                    assigned_by=actor,
                    due_on=due,
                    due_basis="assigned",
                    due_from=day,
                )
            )
    ProposalProposer.objects.bulk_create(links, batch_size=1000)
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    comment = _("Excel导入：%(name)s") % {"name": source.name} if source else _("Excel导入")
    item_type = ContentType.objects.get_for_model(Proposal)
    assignment_type = ContentType.objects.get_for_model(Assignment)
    logs = [
        entry(item_type, p.pk, p.pk, actor, "import", "", p.state, comment, at=p.received_at)
        for p in proposals
    ] + [
        entry(
            assignment_type,
            a.pk,
            a.proposal_id,
            actor,
            "assign",
            "",
            a.state,
            _("期限 %(due)s") % {"due": a.due_on},
            at=a.assigned_at,
        )
        for a in assignments
    ]
    # Every subject is new in this transaction: chained without a lookup.
    log_many(logs, new_subjects=True)
    return proposals


def _proposers_for(items, jurisdiction, chunk=500):
    """(name, kind) → proposer id: the jurisdiction's own already known (the oldest of
    namesakes), and the others created."""
    wanted = {(name, item["proposer_kind"]) for item in items for name in item["proposers"]}
    names = sorted({name for name, _kind in wanted})
    known = {}
    for start in range(0, len(names), chunk):
        rows = Proposer.objects.filter(
            jurisdiction=jurisdiction, name__in=names[start : start + chunk]
        ).order_by("pk")
        for pk, name, kind in rows.values_list("pk", "name", "kind"):
            known.setdefault((name, kind), pk)
    missing = [
        Proposer(name=n, kind=k, jurisdiction=jurisdiction)
        for n, k in sorted(wanted)
        if (n, k) not in known
    ]
    for person in Proposer.objects.bulk_create(missing, batch_size=1000):
        known[(person.name, person.kind)] = person.pk
    return known
