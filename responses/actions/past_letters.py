"""Letters sent before Banli: the files are uploaded and read in the worker
(responses/letter_import_worker.py); each confirmed letter is entered as it was, with its
item and assignment.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import bigrams
from proposals.classification import bucket_for
from proposals.models import Channel, Proposal, ProposalProposer, ProposalState, Proposer, Session
from workflow.audit import ActionRefused, log
from workflow.models import Assignment, AssignmentState, Unit
from workflow.permissions import require_office

from .. import importer
from ..after_commit import read_letter_import_task
from ..letter_import_worker import IMPORT_LIMIT
from ..models import (
    DocumentCounter,
    LetterImport,
    LetterImportState,
    LetterState,
    Opinion,
    Reply,
)
from .drafting import LETTER_FIELDS

IMPORT_FILES = 50


@transaction.atomic
def start_letter_import(actor, jurisdiction, uploads):
    """The uploaded files are kept and read in the worker, never in the request: the office
    is sent to the import's page, which shows its progress and then what was recognised."""
    require_office(actor, jurisdiction)
    if not uploads:
        raise ActionRefused(_("请选择要导入的文件。"))
    if len(uploads) > IMPORT_FILES:
        raise ActionRefused(_("一次最多导入%(n)d个文件，请打包为 .zip。") % {"n": IMPORT_FILES})
    size = sum(upload.size for upload in uploads)
    if size > IMPORT_LIMIT:
        raise ActionRefused(_("文件合计超过20MB，请分批导入。"))
    record = LetterImport(
        jurisdiction=jurisdiction,
        created_by=actor,
        names=[upload.name[:200] for upload in uploads],
        size=size,
    )
    folder = f"letter-imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    # Never the uploader's file name on disk: it is kept in `names` for the pages.
    record.stored = [
        default_storage.save(f"{folder}/{index}", upload) for index, upload in enumerate(uploads)
    ]
    record.save()
    log(record, "upload", actor, "", record.state, "、".join(record.names)[:500])
    transaction.on_commit(lambda: read_letter_import_task.delay(record.pk), robust=True)
    return record


@dataclass
class PastLetter:
    """One letter sent before Banli, as it will be entered: the item it answers (its session,
    number, kind, title and proposers), the unit that wrote it, and for a 会办意见 the lead
    unit it went to. `fields` are the letter's own (LETTER_FIELDS and doc_number)."""

    session: Session
    number: str
    item_kind: str  # Proposal.Kind
    unit: Unit
    fields: dict
    proposers: list = field(default_factory=list)  # [(name, Proposer.Kind)]
    lead_unit: Unit | None = None

    @property
    def is_opinion(self):
        return self.lead_unit is not None


@transaction.atomic
def import_letter(actor, parsed, jurisdiction):
    """A letter sent before Banli, as the importer read it: its unit and session found by
    name, then entered as `enter_past_letter` does."""
    require_office(actor, jurisdiction)
    fields = dict(parsed.fields)
    organ = fields.get("signing_organ", "")
    unit = _unit_named(jurisdiction, organ)
    if unit is None:
        raise ActionRefused(_("发文机关“%(o)s”不是本行政区的承办单位。") % {"o": organ})
    session = Session.objects.filter(jurisdiction=jurisdiction, name=parsed.session_name).first()
    if session is None:
        raise ActionRefused(
            _("未找到届次会议“%(s)s”，请先在管理后台添加。") % {"s": parsed.session_name}
        )
    number = fields.get("doc_number", "")
    if number and number_used(unit, number):
        raise ActionRefused(_("%(n)s 已导入过。") % {"n": number})
    lead_unit = None
    if parsed.is_opinion:
        lead_unit = _unit_named(jurisdiction, fields.get("addressee"))
        if lead_unit is None:
            raise ActionRefused(
                _("主送单位“%(u)s”不是本行政区的承办单位。") % {"u": fields.get("addressee")}
            )
    letter = PastLetter(
        session=session,
        number=parsed.number,
        item_kind=Proposal.Kind.PROPOSAL if parsed.kind == "提案" else Proposal.Kind.SUGGESTION,
        unit=unit,
        fields=fields,
        proposers=parsed.proposers,
        lead_unit=lead_unit,
    )
    return enter_past_letter(actor, letter)


def enter_past_letter(actor, past):
    """A letter sent before Banli, entered as it was: its item, its unit's assignment and the
    letter itself in their final states, each with an "import" log row. The unit's number
    series moves past the imported number so Banli never issues it again. The callers have
    checked the office and the number."""
    fields = past.fields
    day = fields.get("letter_date") or fields.get("issued_on")
    at = timezone.make_aware(datetime.combine(day, time(12)))
    proposal = _past_item(actor, past, at)
    assignment = _past_assignment(actor, past, proposal, day, at)
    scheme = past.unit.jurisdiction.scheme
    model = Opinion if past.is_opinion else Reply
    extra = {"lead_unit": past.lead_unit} if past.is_opinion else {}
    letter = model.objects.create(
        **{k: v for k, v in fields.items() if k in LETTER_FIELDS or k == "doc_number"},
        **extra,
        assignment=assignment,
        round=1,
        state=LetterState.SENT,
        drafted_by=actor,
        result_bucket=bucket_for(scheme, fields.get("class_label", "")) or "",
        created_at=at,
        submitted_at=at,
        signed_at=at,
        sent_at=at,
        delivered_at=at,
    )
    log(letter, "import", actor, "", letter.state, at=at)
    _move_series_past(past.unit, fields.get("doc_number", ""))
    return letter


def number_used(unit, number):
    """Whether a letter of the unit (a reply or an opinion, issued in Banli or imported)
    already bears this document number. Banli's own numbers are always on their letters, so
    this is every number the unit has used; a number below the series' counter that no letter
    bears is one issued before Banli, whose letter may be imported in any order."""
    return any(
        model.objects.filter(assignment__unit=unit, doc_number=number).exists()
        for model in (Reply, Opinion)
    )


def _unit_named(jurisdiction, name):
    """The jurisdiction's unit a letter names, by its full or its short name."""
    units = Unit.objects.filter(jurisdiction=jurisdiction)
    return units.filter(Q(name=name) | Q(short_name=name)).first()


def _past_item(actor, past, at):
    """The letter's item: already in Banli, or entered with its proposers in their order."""
    session, title = past.session, past.fields["title"]
    proposal = Proposal.objects.filter(session=session, number=past.number).first()
    if proposal is not None:
        return proposal
    proposal = Proposal.objects.create(
        session=session,
        number=past.number,
        kind=past.item_kind,
        received_at=at,
        title=title,
        state=ProposalState.IN_HANDLING if past.is_opinion else ProposalState.REPLIED,
        channel=Channel.IMPORT,
        **bigrams.item_fields(title),
    )
    bigrams.title_pieces([proposal])
    for position, (name, person_kind) in enumerate(past.proposers):
        person = Proposer.objects.get_or_create(
            name=name, kind=person_kind, jurisdiction=session.jurisdiction
        )[0]
        ProposalProposer.objects.create(proposal=proposal, proposer=person, position=position)
    log(proposal, "import", actor, "", proposal.state, at=at)
    return proposal


def _past_assignment(actor, past, proposal, day, at):
    """The writing unit's assignment, finished: an opinion sent, or a reply replied."""
    assignment = Assignment.objects.create(
        proposal=proposal,
        unit=past.unit,
        role=Assignment.Role.CO if past.is_opinion else Assignment.Role.LEAD,
        assigned_at=at,
        assigned_by=actor,
        due_on=day,
        state=AssignmentState.OPINION_SENT if past.is_opinion else AssignmentState.REPLIED,
        finished_at=at,
    )
    log(assignment, "import", actor, "", assignment.state, at=at)
    return assignment


def _move_series_past(unit, number):
    """A number of the unit's own series (沪科提复〔2024〕25号): its counter for that year
    moves up to it, so Banli never issues it again."""
    found = re.match(r"^(.+?)〔(\d{4})〕(\d{1,6})号$", number)
    if found and found[1].startswith(unit.organ_code):
        series = found[1][len(unit.organ_code) :]
        counter, _made = DocumentCounter.objects.select_for_update().get_or_create(
            unit=unit, series=series, year=int(found[2])
        )
        if counter.last_number < int(found[3]):
            counter.last_number = int(found[3])
            counter.save(update_fields=["last_number"])


class LettersRefused(ActionRefused):
    """Confirmed letters that cannot be saved, each with its reasons by field:
    {index of the letter in the import: {field: [message]}} ("__all__" for the letter as a
    whole). Nothing of the save was written."""

    def __init__(self, problems):
        super().__init__(_("有%(n)d份确认的函件不能保存，未保存任何函件。") % {"n": len(problems)})
        self.problems = problems


# What the office confirms of each letter (the import page's form), besides the letter's
# own fields: the item it answers and who wrote it.
CONFIRMED_LETTER_FIELDS = (
    "title",
    "addressee",
    "doc_number",
    "class_label",
    "letter_date",
    "signer_name",
    "contact_person",
    "contact_phone",
)
PROPOSER_KINDS = {
    Proposal.Kind.PROPOSAL: Proposer.Kind.MEMBER,
    Proposal.Kind.SUGGESTION: Proposer.Kind.DEPUTY,
}


@transaction.atomic
def save_letter_import(actor, record, corrections):
    """保存: the letters of an import the office confirmed, each entered with the values the
    office checked or corrected (`corrections`: {index of the letter in `record.previews`:
    {"letter_kind": "reply" | "opinion", "item_kind", "session", "number", "unit",
    "lead_unit", "proposers": [name], and CONFIRMED_LETTER_FIELDS}}), all of them or none.
    Each saved letter is marked in the import ("saved": its id), so it is never saved twice;
    a letter not confirmed stays in the import for later. Returns the letters saved."""
    require_office(actor, record.jurisdiction)
    record = LetterImport.objects.select_for_update().get(pk=record.pk)
    if record.state != LetterImportState.READY:
        raise ActionRefused(_("没有可保存的函件。"))
    if not corrections:
        raise ActionRefused(_("请勾选要保存的函件（“确认保存此件”）。"))
    wanted = {
        index: values
        for index, values in corrections.items()
        if 0 <= index < len(record.previews) and not record.previews[index].get("saved")
    }
    problems = _problems_of(record, wanted)
    if problems:
        raise LettersRefused(problems)
    saved = []
    for index, values in sorted(wanted.items()):
        preview = record.previews[index]
        if preview.get("error") or "text" not in preview:
            continue
        letter = enter_past_letter(actor, _past_letter(importer.parse(preview["text"]), values))
        preview["saved"] = letter.pk
        saved.append(letter)
    if saved:
        record.save(update_fields=["previews"])
        names = "、".join(record.previews[index]["name"] for index in sorted(wanted))
        log(record, "save", actor, record.state, record.state, names[:500])
    return saved


def _past_letter(parsed, values):
    """The letter as the office confirmed it: the confirmed values over what the importer
    read (the body, disclosure, 抄送, 印发 and the rest the page does not ask about)."""
    fields = {k: v for k, v in parsed.fields.items() if k in LETTER_FIELDS or k == "doc_number"}
    fields |= {key: values.get(key) or "" for key in CONFIRMED_LETTER_FIELDS}
    fields["letter_date"] = values["letter_date"]
    fields["doc_number"] = standard_number(fields["doc_number"])
    fields["show_signer"] = bool(fields["signer_name"])
    is_opinion = values["letter_kind"] == "opinion"
    person_kind = PROPOSER_KINDS[values["item_kind"]]
    return PastLetter(
        session=values["session"],
        number=values["number"],
        item_kind=values["item_kind"],
        unit=values["unit"],
        fields=fields,
        proposers=[(name, person_kind) for name in values.get("proposers") or []],
        lead_unit=values.get("lead_unit") if is_opinion else None,
    )


# A letter of the People's Republic; a serial of more than six digits is a typo, and it would
# carry the unit's number counter (DocumentCounter) past anything it can issue.
EARLIEST_LETTER_DATE = date(1949, 10, 1)
SERIAL_TOO_LONG = re.compile(r"〕\d{7,}号$")

YEAR_BRACKETS = re.compile(r"[\[［【(（](\d{4})[\]］】)）]")


def standard_number(number):
    """沪科提复[2024]25号 → 沪科提复〔2024〕25号: the year in the brackets GB/T 9704 prints,
    so the same number typed two ways is recognised as one."""
    return YEAR_BRACKETS.sub(r"〔\1〕", number.strip(), count=1)


def _problems_of(record, wanted):
    """Why confirmed letters cannot be saved, by letter and field: a unit, session or lead
    unit outside the import's jurisdiction, a document number already used (by a letter in
    Banli, or by another letter of this save), an item the unit has already handled."""
    problems = {}

    def refuse(index, key, message):
        problems.setdefault(index, {}).setdefault(key, []).append(message)

    numbers, units_on, leads_on = {}, set(), set()
    for index, values in sorted(wanted.items()):
        preview = record.previews[index]
        if preview.get("error") or "text" not in preview:
            refuse(index, "__all__", _("此文件未能读取，不能保存。"))
            continue
        for key in ("session", "unit", "lead_unit"):
            chosen = values.get(key)
            if chosen is not None and chosen.jurisdiction_id != record.jurisdiction_id:
                refuse(index, key, _("不属于本行政区。"))
        unit, opinion = values["unit"], values["letter_kind"] == "opinion"
        if opinion and values.get("lead_unit") in (None, unit):
            refuse(index, "lead_unit", _("会办意见须选择另一个主办单位。"))
        for key, message in _implausible(values):
            refuse(index, key, message)
        number = standard_number(values.get("doc_number") or "")
        if number and number_used(unit, number):
            refuse(
                index,
                "doc_number",
                _("发文字号“%(n)s”已被%(u)s的函件使用，文号不能重复。")
                % {"n": number, "u": unit.name},
            )
        if number and number in numbers:
            refuse(
                index,
                "doc_number",
                _("与“%(f)s”的发文字号相同，文号不能重复。")
                % {"f": record.previews[numbers[number]]["name"]},
            )
        numbers.setdefault(number, index)
        item = (values["session"].pk, values["number"])
        if (item, unit.pk) in units_on or (not opinion and item in leads_on):
            refuse(index, "number", _("本次保存中已有此件的另一份函：同一单位，或另一份答复函。"))
        units_on.add((item, unit.pk))
        if not opinion:
            leads_on.add(item)
        for message in _handled_already(values["session"], values["number"], unit, opinion):
            refuse(index, "number", message)
    return problems


def _implausible(values):
    """A date or 文号 no letter of this import can have: a typo, never saved."""
    if values["letter_date"] > timezone.localdate():
        yield "letter_date", _("成文日期不能晚于今天。")
    if values["letter_date"] < EARLIEST_LETTER_DATE:
        yield "letter_date", _("成文日期早于1949年10月1日，请核对。")
    if SERIAL_TOO_LONG.search(standard_number(values.get("doc_number") or "")):
        yield "doc_number", _("文号中的序号超过六位，请核对。")


def _handled_already(session, number, unit, opinion):
    """An item already in Banli that this unit already handles, or that already has its lead
    unit when the letter is a reply: entering the letter would give it a second one."""
    assignments = Assignment.objects.filter(
        proposal__session=session, proposal__number=number
    ).current()
    if assignments.filter(unit=unit).exists():
        yield _("该单位已在办理此件，不能再导入它的函。")
    elif not opinion and assignments.filter(role=Assignment.Role.LEAD).exists():
        yield _("此件已有主办单位，答复函只能由主办单位导入。")
