"""批量登记交办 from Excel, the worker's part: the dry run (`check_item_import`), the save
(`save_item_import`, through the verb `import_items`) and the failure of either. Below the
verbs and the tasks that run these steps (workflow/after_commit.py), so neither imports
the other back.
"""

from datetime import date, datetime, time

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import bigrams
from proposals.models import (
    REVIEW_PERMISSION,
    Channel,
    Proposal,
    ProposalProposer,
    ProposalState,
    Proposer,
    Session,
)

from . import background, deadlines, item_import
from .audit import ActionRefused, entry, fire, lock, log_many
from .models import (
    Assignment,
    ItemImport,
    ItemImportState,
    Unit,
)
from .permissions import require_office
from .proposer_contacts import CONTACT_FIELDS, fill_blanks


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
        fire(record, "refuse", by=None, message=refusal, at=timezone.now(), check_perm=False)
        return record
    counts, report = item_import.summary(results), item_import.as_report(results)
    if counts["error"]:
        message = _("共%(n)d处错误，请修改文件后重新上传。") % {
            "n": sum(len(r.errors) for r in results)
        }
        fire(
            record,
            "refuse",
            by=None,
            message=message,
            counts=counts,
            report=report,
            at=timezone.now(),
            check_perm=False,
        )
    else:
        message = "" if counts["new"] else _("文件中的件均已登记，无需再导入。")
        fire(
            record,
            "pass_check",
            by=None,
            counts=counts,
            report=report,
            message=message,
            check_perm=False,
        )
    return record


@transaction.atomic
def fail_item_import(record_id, reason):
    """The worker's reading or saving ended in an error or ran out of time: the import says
    why and ends (nothing of a failed save is kept: it runs in one transaction)."""
    record = lock(ItemImport, record_id)
    if record.is_running:
        fire(record, "fail", by=None, message=reason, at=timezone.now(), check_perm=False)
    return record


def end_item_import_if_stuck(record):
    """A record still checking or saving past every time limit lost its worker: it fails,
    saying so, instead of showing 检查中 forever."""
    if record.is_running and background.is_stuck(record.running_since):
        return fail_item_import(record.pk, background.timed_out())
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
            fire(record, "finish", by=None, saved=len(created), at=timezone.now(), check_perm=False)
    except (ActionRefused, PermissionDenied, IntegrityError) as exc:
        with transaction.atomic():
            record = lock(ItemImport, record_id)
            fire(record, "fail", by=None, message=str(exc), at=timezone.now(), check_perm=False)
    return record


@transaction.atomic
def import_items(actor, jurisdiction, items, source=None, at=None):
    """批量登记交办: checked rows become items (filed, or assigned when units are given) with
    their proposers, assignments, deadlines and log rows, in bulk. Idempotent by (session,
    number): a number already there is skipped, so a file imported twice adds nothing."""
    require_office(actor, jurisdiction, REVIEW_PERMISSION)
    require_office(actor, jurisdiction)
    at = at or timezone.now()
    items = _rows_not_yet_there(items, jurisdiction)
    if not items:
        return []
    people = _proposers_for(items, jurisdiction, actor)
    units = set(
        Unit.objects.filter(jurisdiction=jurisdiction, is_active=True).values_list("pk", flat=True)
    )
    proposals, plans = _planned_items(items, units, at)
    Proposal.objects.bulk_create(proposals, batch_size=500)
    bigrams.title_pieces(proposals)
    links, assignments = _links_and_assignments(proposals, plans, people, jurisdiction, actor)
    ProposalProposer.objects.bulk_create(links, batch_size=1000)
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    # Every subject is new in this transaction: chained without a lookup.
    log_many(_import_log_rows(proposals, assignments, actor, source), new_subjects=True)
    return proposals


def _rows_not_yet_there(items, jurisdiction):
    """The rows of the jurisdiction's sessions whose (session, number) is not registered."""
    sessions = {
        s.pk: s
        for s in Session.objects.filter(
            jurisdiction=jurisdiction, pk__in={i["session_id"] for i in items}
        )
    }
    items = [i for i in items if i["session_id"] in sessions]
    existing = item_import.existing_numbers({(i["session_id"], i["number"]) for i in items})
    return [i for i in items if (i["session_id"], i["number"]) not in existing]


def _roles_of(item):
    roles = [(item["lead"], Assignment.Role.LEAD)] * bool(item["lead"])
    roles += [(u, Assignment.Role.CO) for u in item["co"]]
    roles += [(u, Assignment.Role.SEPARATE) for u in item["separate"]]
    return roles


def _planned_items(items, units, at):
    """Unsaved items, and for each (row, roles, day assigned, time received); a row naming a
    unit that is inactive or of another jurisdiction refuses the whole import."""
    proposals, plans = [], []
    for item in items:
        roles = _roles_of(item)
        if any(unit not in units for unit, _role in roles):
            raise ActionRefused(_("第%(n)s号的承办单位已停用或不属于本行政区。") % item)
        day = date.fromisoformat(item["assigned_on"]) if item["assigned_on"] else None
        when = timezone.make_aware(datetime.combine(day, time(9))) if day else at
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
                state=ProposalState.ASSIGNED if roles else ProposalState.FILED,
                channel=Channel.IMPORT,
                **bigrams.item_fields(item["title"], item["body"]),
            )
        )
        plans.append((item, roles, day, when))
    return proposals, plans


def _links_and_assignments(proposals, plans, people, jurisdiction, actor):
    """Unsaved proposer links (in order) and assignments with their deadlines."""
    rules, cal = deadlines.RuleBook(), deadlines.WorkingCalendar()
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
    return links, assignments


def _import_log_rows(proposals, assignments, actor, source):
    """An "import" row per item and an "assign" row per assignment, at their own times."""
    comment = _("Excel导入：%(name)s") % {"name": source.name} if source else _("Excel导入")
    item_type = ContentType.objects.get_for_model(Proposal)
    assignment_type = ContentType.objects.get_for_model(Assignment)
    return [
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


def _contacts_typed(items):
    """(name, kind) → the contacts the sheet gives them (the first row that gives any)."""
    typed = {}
    for item in items:
        for name, contacts in zip(item["proposers"], item.get("contacts") or [], strict=False):
            if contacts:
                typed.setdefault((name, item["proposer_kind"]), contacts)
    return typed


def _proposers_for(items, jurisdiction, actor):
    """(name, kind) → proposer id: the jurisdiction's own already known (the one record the
    check showed the office; several namesakes refuse, as the check did), their empty
    contacts filled from the sheet (never over what is recorded, each fill audited by its
    fields), and the others created with the sheet's contacts."""
    wanted = {(name, item["proposer_kind"]) for item in items for name in item["proposers"]}
    typed = _contacts_typed(items)
    known, filled = {}, []
    for key, people in item_import.proposers_on_record(jurisdiction, wanted).items():
        if len(people) > 1:
            raise ActionRefused(
                _("“%(name)s”：同名提出人有多条记录，请在页面登记或先合并。") % {"name": key[0]}
            )
        person = people[0]
        known[key] = person.pk
        changed = fill_blanks(person, typed.get(key, {}))
        if changed:
            filled.append((person, changed))
    Proposer.objects.bulk_update([p for p, _f in filled], CONTACT_FIELDS, batch_size=1000)
    if filled:
        log_many(_contact_log_rows(filled, actor))
    missing = [
        Proposer(name=n, kind=k, jurisdiction=jurisdiction, **typed.get((n, k), {}))
        for n, k in sorted(wanted)
        if (n, k) not in known
    ]
    for person in Proposer.objects.bulk_create(missing, batch_size=1000):
        known[(person.name, person.kind)] = person.pk
    return known


def _contact_log_rows(filled, actor):
    """As `update_proposer_contacts` logs: the fields filled, never their values."""
    proposer_type = ContentType.objects.get_for_model(Proposer)
    rows = []
    for person, changed in filled:
        labels = "、".join(str(Proposer._meta.get_field(f).verbose_name) for f in changed)
        comment = _("Excel导入补填：%(fields)s") % {"fields": labels}
        rows.append(
            entry(proposer_type, person.pk, None, actor, "update_contacts", "", "", comment)
        )
    return rows
