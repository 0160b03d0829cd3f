"""Letters sent before Banli: the files are uploaded and read in the worker
(responses/letter_import_worker.py); each confirmed letter is entered as it was, with its
item and assignment.
"""

import re
import uuid
from datetime import datetime, time

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import bigrams
from proposals.classification import bucket_for
from proposals.models import Proposal, ProposalProposer, ProposalState, Proposer, Session
from workflow.audit import ActionRefused, log
from workflow.models import Assignment, AssignmentState, Unit
from workflow.permissions import require_office

from .. import importer
from ..after_commit import read_letter_import_task
from ..letter_import_worker import IMPORT_LIMIT
from ..models import (
    DocumentCounter,
    LetterImport,
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


@transaction.atomic
def import_letter(actor, parsed, jurisdiction):
    """A letter sent before Banli, entered as it was: its item, its unit's assignment and the
    letter itself in their final states, each with an "import" log row. The unit's number
    series moves past the imported number so Banli never issues it again."""
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
    model = Opinion if parsed.is_opinion else Reply
    if number and model.objects.filter(assignment__unit=unit, doc_number=number).exists():
        raise ActionRefused(_("%(n)s 已导入过。") % {"n": number})
    day = fields.get("letter_date") or fields.get("issued_on")
    at = timezone.make_aware(datetime.combine(day, time(12)))
    proposal = _past_item(actor, parsed, session, fields["title"], at)
    assignment = _past_assignment(actor, parsed, proposal, unit, day, at)
    extra = {}
    if parsed.is_opinion:
        extra["lead_unit"] = _unit_named(jurisdiction, fields.get("addressee"))
        if extra["lead_unit"] is None:
            raise ActionRefused(
                _("主送单位“%(u)s”不是本行政区的承办单位。") % {"u": fields.get("addressee")}
            )
    letter = model.objects.create(
        **{k: v for k, v in fields.items() if k in LETTER_FIELDS or k == "doc_number"},
        **extra,
        assignment=assignment,
        round=1,
        state=LetterState.SENT,
        drafted_by=actor,
        result_bucket=bucket_for(jurisdiction.scheme, fields.get("class_label", "")) or "",
        created_at=at,
        submitted_at=at,
        signed_at=at,
        sent_at=at,
        delivered_at=at,
    )
    log(letter, "import", actor, "", letter.state, at=at)
    _move_series_past(unit, number)
    return letter


def _unit_named(jurisdiction, name):
    """The jurisdiction's unit a letter names, by its full or its short name."""
    units = Unit.objects.filter(jurisdiction=jurisdiction)
    return units.filter(Q(name=name) | Q(short_name=name)).first()


def _past_item(actor, parsed, session, title, at):
    """The letter's item: already in Banli, or entered with its proposers in their order."""
    proposal = Proposal.objects.filter(session=session, number=parsed.number).first()
    if proposal is not None:
        return proposal
    proposal = Proposal.objects.create(
        session=session,
        number=parsed.number,
        kind=Proposal.Kind.PROPOSAL if parsed.kind == "提案" else Proposal.Kind.SUGGESTION,
        received_at=at,
        title=title,
        state=ProposalState.IN_HANDLING if parsed.is_opinion else ProposalState.REPLIED,
        **bigrams.item_fields(title),
    )
    bigrams.title_pieces([proposal])
    for position, (name, person_kind) in enumerate(parsed.proposers):
        person = Proposer.objects.get_or_create(
            name=name, kind=person_kind, jurisdiction=session.jurisdiction
        )[0]
        ProposalProposer.objects.create(proposal=proposal, proposer=person, position=position)
    log(proposal, "import", actor, "", proposal.state, at=at)
    return proposal


def _past_assignment(actor, parsed, proposal, unit, day, at):
    """The writing unit's assignment, finished: an opinion sent, or a reply replied."""
    assignment = Assignment.objects.create(
        proposal=proposal,
        unit=unit,
        role=Assignment.Role.CO if parsed.is_opinion else Assignment.Role.LEAD,
        assigned_at=at,
        assigned_by=actor,
        due_on=day,
        state=AssignmentState.OPINION_SENT if parsed.is_opinion else AssignmentState.REPLIED,
        finished_at=at,
    )
    log(assignment, "import", actor, "", assignment.state, at=at)
    return assignment


def _move_series_past(unit, number):
    """A number of the unit's own series (沪科提复〔2024〕25号): its counter for that year
    moves up to it, so Banli never issues it again."""
    found = re.match(r"^(.+?)〔(\d{4})〕(\d+)号$", number)
    if found and found[1].startswith(unit.organ_code):
        series = found[1][len(unit.organ_code) :]
        counter, _made = DocumentCounter.objects.select_for_update().get_or_create(
            unit=unit, series=series, year=int(found[2])
        )
        if counter.last_number < int(found[3]):
            counter.last_number = int(found[3])
            counter.save(update_fields=["last_number"])


@transaction.atomic
def save_letter_import(actor, record, accept_gaps):
    """保存全部: every letter the import read, or none (one transaction). A letter that lacks
    what no "接受缺项" can accept refuses the whole save; so does a gap not accepted."""
    texts = [preview["text"] for preview in record.letters]
    for number, text in enumerate(texts, 1):
        parsed = importer.parse(text)
        what = parsed.fields.get("title", f"#{number}")
        if parsed.blocking:
            raise ActionRefused(
                _("%(t)s 缺少%(m)s，无法保存。请补全原件后重新上传。")
                % {"t": what, "m": importer.labels(parsed.blocking)}
            )
        if not parsed.complete and not accept_gaps:
            raise ActionRefused(
                _("%(t)s 缺少：%(m)s。补全原件，或勾选“接受缺项”后保存。")
                % {"t": what, "m": importer.labels(parsed.missing)}
            )
        import_letter(actor, parsed, record.jurisdiction)
    return len(texts)
