"""The units' letters and the proposers' feedback: draft, submit, return, sign, send, publish,
rate. Each verb is one transaction; sending and rating also advance the assignment and the
item, whose states follow the letters (the lower apps never look up here).
"""

import hashlib
import io
import re
import uuid
import zipfile
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from rest_framework.authtoken.models import Token

from proposals import bigrams as textsearch
from proposals.classification import bucket_for
from proposals.models import Proposal, ProposalProposer, ProposalState
from proposals.untrusted import Budget, Refused, declared_members
from workflow import background, deadlines
from workflow.actions import require_office, require_unit_member
from workflow.audit import ActionRefused, fire, lock, log, require_may
from workflow.models import Assignment, AssignmentState, TransitionLog, Unit

from . import glyphs, importer, rendering, signing
from .models import (
    Attachment,
    Disclosure,
    DocumentCounter,
    Feedback,
    LetterFile,
    LetterImport,
    LetterImportState,
    LetterRevision,
    LetterState,
    LetterTemplate,
    Opinion,
    Reply,
    is_unit_leader,
)
from .tasks import deliver_letter, freeze_letter, read_letter_import_task

LETTER_FIELDS = {
    "signing_organ",
    "show_signer",
    "signer_name",
    "class_label",
    "title",
    "addressee",
    "body",
    "letter_date",
    "contact_person",
    "contact_phone",
    "contact_office",
    "contact_address",
    "contact_postcode",
    "disclosure",
    "withheld_reason",
    "summary",
    "cc",
    "issued_by",
    "issued_on",
}


def addressee_for(proposal):
    """章毅、张远波、朱军红等委员 / 文彬代表 / a group's name."""
    proposers = list(proposal.proposers.order_by("signatures__position"))
    if not proposers:
        return ""
    lead = proposers[0]
    if not lead.is_person:
        return lead.name
    names = "、".join(p.name for p in proposers[:3])
    return f"{names}{'等' if len(proposers) > 1 else ''}{lead.title}"


def _letter_defaults(assignment, actor):
    unit = assignment.unit
    return {
        "assignment": assignment,
        "round": assignment.round,
        "signing_organ": unit.name,
        "contact_address": unit.address,
        "contact_postcode": unit.postcode,
        "contact_person": str(actor),
        "contact_phone": actor.phone,
        "issued_by": unit.issuing_office,
        "drafted_by": actor,
    }


@transaction.atomic
def start_reply(assignment, actor, kind=Reply.Kind.REPLY, at=None):
    """拟稿: a lead or separate unit opens the reply of the current round, prefilled."""
    assignment = lock(Assignment, assignment.pk)
    require_unit_member(actor, assignment.unit)
    if not assignment.replies_to_proposer:
        raise ActionRefused(_("会办单位不直接答复提出人，请撰写会办意见。"))
    if assignment.state not in (AssignmentState.ACCEPTED, AssignmentState.REOPENED):
        raise ActionRefused(_("请先签收该件，再起草答复。"))
    existing = assignment.replies.filter(round=assignment.round, kind=kind).first()
    if existing is not None:
        return existing
    proposal = assignment.proposal
    jurisdiction = proposal.session.jurisdiction
    reply = Reply.objects.create(
        **_letter_defaults(assignment, actor),
        created_at=at or timezone.now(),
        kind=kind,
        title=_("对%(ref)s的答复") % {"ref": proposal.reference},
        addressee=addressee_for(proposal),
        body=_template_body(assignment.unit, "reply"),
        cc=(
            jurisdiction.cc_for_proposals
            if proposal.kind == Proposal.Kind.PROPOSAL
            else jurisdiction.cc_for_suggestions
        ),
    )
    _fill_placeholders(reply)
    log(reply, "draft", actor, "", reply.state, at=at)
    return reply


@transaction.atomic
def start_opinion(assignment, actor, at=None):
    """A co-handler opens its opinion letter to the lead unit."""
    assignment = lock(Assignment, assignment.pk)
    require_unit_member(actor, assignment.unit)
    if assignment.role != Assignment.Role.CO:
        raise ActionRefused(_("只有会办单位撰写会办意见。"))
    if assignment.state != AssignmentState.ACCEPTED:
        raise ActionRefused(_("请先签收该件，再起草会办意见。"))
    existing = assignment.opinions.filter(round=assignment.round).first()
    if existing is not None:
        return existing
    proposal = assignment.proposal
    lead = proposal.assignments.current().filter(role=Assignment.Role.LEAD).first()
    if lead is None:
        raise ActionRefused(_("该件暂无主办单位，请联系建议提案处。"))
    opinion = Opinion.objects.create(
        **_letter_defaults(assignment, actor),
        created_at=at or timezone.now(),
        lead_unit=lead.unit,
        title=_("关于%(ref)s会办意见的函") % {"ref": proposal.reference},
        addressee=lead.unit.short_name or lead.unit.name,
        body=_template_body(assignment.unit, "opinion"),
    )
    _fill_placeholders(opinion)
    log(opinion, "draft", actor, "", opinion.state, at=at)
    return opinion


def _template_body(unit, kind):
    """The unit's general template (no class) as the draft's starting text, unfilled: the
    placeholders are filled once the letter exists (see apply_template)."""
    template = LetterTemplate.objects.filter(unit=unit, kind=kind, class_label="").first()
    return template.body if template else ""


@transaction.atomic
def apply_template(letter, actor, template):
    """Replace the draft's body with a unit template, its placeholders filled in."""
    letter = _lock_letter(letter)
    require_unit_member(actor, letter.assignment.unit)
    if template.unit_id != letter.assignment.unit_id:
        raise PermissionDenied(_("只能使用本单位的模板。"))
    if not letter.is_editable:
        raise ActionRefused(_("该函已送审或发出，不能再套用模板。"))
    body = template.fill(letter)
    if body != letter.body:
        letter.body = body
        letter.save(update_fields=["body", "updated_at"])
        letter.record_author(actor)
        log(letter, "apply_template", actor, letter.state, letter.state, str(template)[:500])
    return letter


def start_letter(assignment, actor):
    """拟稿 from the item page: the reply for a lead or separate unit, the opinion for a
    co-handler."""
    if assignment.role == Assignment.Role.CO:
        return start_opinion(assignment, actor)
    return start_reply(assignment, actor)


def _fill_placeholders(letter):
    if "【" in letter.body:
        template = LetterTemplate(body=letter.body)
        letter.body = template.fill(letter)
        letter.save(update_fields=["body"])


def _lock_letter(letter):
    return lock(type(letter), letter.pk)


def _same(stored, sent):
    """A browser sends a textarea back with CRLF line ends: that alone is no change."""
    if isinstance(stored, str) and isinstance(sent, str):
        return stored.replace("\r\n", "\n") == sent.replace("\r\n", "\n")
    return stored == sent


@transaction.atomic
def save_letter(letter, actor, at=None, **fields):
    """Save the draft's elements; a letter under review or sent cannot change. `at` is when,
    for the demo's past letters (the edit's log row)."""
    letter = _lock_letter(letter)
    require_unit_member(actor, letter.assignment.unit)
    if not letter.is_editable:
        raise ActionRefused(
            _("该函当前状态为“%(state)s”，不能修改。") % {"state": letter.get_state_display()}
        )
    unknown = set(fields) - LETTER_FIELDS
    if unknown:
        raise ValueError(f"not letter fields: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if not _same(getattr(letter, name), value)]
    for name, value in fields.items():
        setattr(letter, name, value)
    if "class_label" in fields:
        scheme = letter.assignment.proposal.session.jurisdiction.scheme
        letter.result_bucket = bucket_for(scheme, letter.class_label) or ""
        if letter.class_label and not letter.result_bucket:
            raise ActionRefused(
                _("“%(label)s”不是本地的办理结果类别。") % {"label": letter.class_label}
            )
    letter.save()
    if changed:  # an autosave of what was already there writes nothing
        letter.record_author(actor)
        _log_edit(letter, actor, changed, at or timezone.now())
    return letter


EDIT_LOG_WINDOW = timedelta(minutes=10)


def _log_edit(letter, actor, changed, at):
    """One "edit" row per letter and editor per ten minutes: the autosave saves every few
    seconds, and a row for each would drown the letter's history. A row is written when the
    letter's last row is not this editor's edit of the last ten minutes (another person's
    edit, a transition, or an older edit of theirs in between starts a new row); it names the
    fields changed by the save that wrote it."""
    last = (
        TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(letter), object_id=letter.pk
        )
        .order_by("-seq")
        .values_list("transition", "actor_id", "at")
        .first()
    )
    if last and last[:2] == ("edit", actor.pk) and last[2] > at - EDIT_LOG_WINDOW:
        return
    names = "、".join(str(letter._meta.get_field(name).verbose_name) for name in changed)
    log(letter, "edit", actor, letter.state, letter.state, names[:500], at=at)


@transaction.atomic
def submit_letter(letter, actor, at=None):
    """送审: to the unit's leader. A lead waits for co-handlers' opinions until their
    deadline; replying after it passed without them is recorded."""
    letter = _lock_letter(letter)
    require_may(letter, "submit", actor)  # an outsider learns nothing of the letter
    blockers = letter.submit_blockers()
    if blockers:
        raise ActionRefused(" ".join(str(b) for b in blockers))
    comment = ""
    if isinstance(letter, Reply) and letter.assignment.role == Assignment.Role.LEAD:
        late = [str(a.unit) for a in letter.outstanding_opinions().select_related("unit")]
        if late:
            letter.proceeded_without_opinions = True
            comment = _("会办单位意见逾期未到，主办单位先行答复：%(units)s") % {
                "units": "、".join(late)
            }
    at = at or timezone.now()
    fire(letter, "submit", actor, at, comment=comment, at=at)
    letter.record_author(actor)  # who sends a text up for signature answers for it
    _snapshot(letter, actor)
    return letter


def _snapshot(letter, actor):
    """Keep what the leader is shown, to diff against the next submission."""
    owner = {"reply" if isinstance(letter, Reply) else "opinion": letter}
    revisions = LetterRevision.objects.filter(**owner)
    LetterRevision.objects.create(
        **owner,
        number=revisions.count() + 1,
        content={name: str(getattr(letter, name) or "") for name in sorted(LETTER_FIELDS)},
        submitted_by=actor,
    )


ATTACHMENT_LIMIT = 10 * 1024 * 1024
SIGNATURES = [
    (b"%PDF-", Attachment.Kind.PDF),
    (b"PK\x03\x04", Attachment.Kind.DOCX),
    (b"\x89PNG\r\n\x1a\n", Attachment.Kind.PNG),
    (b"\xff\xd8\xff", Attachment.Kind.JPEG),
]


MAX_DOCX_MEMBERS = 2000  # a Word document has a few dozen
MAX_IMAGE_PIXELS = 100_000_000


def sniff(head):
    """The kind a file claims to be by its first bytes (never by its name)."""
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), None)


def _is_word_document(content):
    """A zip whose central directory lists word/document.xml, read without decompressing
    anything and with the member count capped (the bytes "word/" anywhere are not enough)."""
    declared = declared_members(content)
    if declared is None or declared > MAX_DOCX_MEMBERS:
        return False  # said by the end record, before zipfile reads every entry
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return False
    return len(names) <= MAX_DOCX_MEMBERS and "word/document.xml" in names


def _is_image(content, kind):
    """Really a PNG or JPEG: its header parses as one and its structure checks out
    (Pillow's verify reads the chunks without decoding the pixels)."""
    try:
        with Image.open(io.BytesIO(content), formats=[kind.upper()]) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return False
            image.verify()
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        return False
    return True


def sniff_file(content):
    """The kind a whole uploaded file really is, or None."""
    kind = sniff(content[:16])
    if kind == Attachment.Kind.DOCX and not _is_word_document(content):
        return None  # a zip, but not a Word document
    if kind in (Attachment.Kind.PNG, Attachment.Kind.JPEG) and not _is_image(content, kind):
        return None
    return kind


@transaction.atomic
def attach_file(letter, actor, upload):
    """附件: PDF, DOCX or an image, at most 10 MB, while the letter is still a draft."""
    letter = _lock_letter(letter)
    require_unit_member(actor, letter.assignment.unit)
    if not letter.is_editable:
        raise ActionRefused(_("该函已送审或发出，不能再添加附件。"))
    if upload.size > ATTACHMENT_LIMIT:
        raise ActionRefused(_("附件不能超过10MB。"))
    content = upload.read(ATTACHMENT_LIMIT + 1)
    if len(content) > ATTACHMENT_LIMIT:
        raise ActionRefused(_("附件不能超过10MB。"))
    kind = sniff_file(content)
    if kind is None:
        raise ActionRefused(_("只能上传PDF、DOCX、PNG或JPEG文件。"))
    digest = hashlib.sha256(content).hexdigest()
    owner = {"reply" if isinstance(letter, Reply) else "opinion": letter}
    attachment = Attachment(
        **owner,
        # The uploader's name is only a label; its extension is the sniffed kind's, and the
        # file is served as that kind (see views.attachment).
        name=Attachment.label_for(upload.name or "", kind),
        kind=kind,
        size=len(content),
        sha256=digest,
        uploaded_by=actor,
    )
    attachment.file.save(digest, ContentFile(content), save=False)
    attachment.save()
    letter.record_author(actor)
    log(letter, "attach", actor, letter.state, letter.state, f"{attachment.name} ({digest[:16]})")
    return attachment


@transaction.atomic
def return_letter(letter, actor, comment, seen_revision=None):
    """退回修改 with the leader's comments, shown to the drafter."""
    if not comment.strip():
        raise ActionRefused(_("退回时请写明修改意见。"))
    letter = _lock_letter(letter)
    require_may(letter, "return_for_revision", actor)
    _require_seen(letter, seen_revision)
    fire(letter, "return_for_revision", actor, comment, comment=comment)
    return letter


def _require_seen(letter, seen_revision):
    """Optimistic check: the leader acts on the submission they were shown. If the letter was
    returned and submitted again meanwhile (another leader, the clerk), they must look again."""
    if seen_revision is None or letter.state != LetterState.SUBMITTED:
        return
    latest = letter.revisions.order_by("-number").values_list("number", flat=True).first()
    if latest is not None and latest != seen_revision:
        raise ActionRefused(
            _("该函已重新送审为第%(latest)s稿（您看到的是第%(seen)s稿），请刷新页面审阅新稿。")
            % {"latest": latest, "seen": seen_revision}
        )


@transaction.atomic
def sign_letter(letter, actor, at=None, seen_revision=None):
    """签发: by a leader of the unit who wrote none of it (four eyes: Letter.may_sign)."""
    letter = _lock_letter(letter)
    if not is_unit_leader(letter, actor):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    refusal = letter.four_eyes_refusal(actor)
    if refusal:
        raise ActionRefused(refusal)
    _require_seen(letter, seen_revision)
    blockers = letter.sign_blockers()
    if letter.state == LetterState.SUBMITTED and blockers:
        raise ActionRefused(" ".join(str(b) for b in blockers))
    at = at or timezone.now()
    fire(
        letter,
        "sign",
        actor,
        actor,
        at,
        at=at,
        refusal=_("该函已由他人处理（当前状态：%(state)s），请刷新页面。")
        % {"state": letter.get_state_display()},
    )
    if (
        letter.assignment.proposal.session.jurisdiction.number_at == "sign"
        and not letter.doc_number
    ):
        letter.doc_number = allocate_doc_number(
            letter.assignment.unit, _series(letter), timezone.localdate(at).year
        )
        letter.save(update_fields=["doc_number"])
    return letter


@transaction.atomic
def sign_and_send_letter(letter, actor, at=None, seen_revision=None):
    """签发并发出: the leader signs and sends in one step, as one transaction: a letter that
    cannot be sent (a glyph that cannot be printed, …) is not left signed either. Each part
    logs its own row; sending's side effects (freezing, delivery) run after the commit."""
    at = at or timezone.now()
    letter = sign_letter(letter, actor, at=at, seen_revision=seen_revision)
    return send_letter(letter, actor, at=at)


def _series(letter):
    unit = letter.assignment.unit
    if isinstance(letter, Opinion):
        return unit.series_opinion
    if letter.assignment.proposal.kind == Proposal.Kind.PROPOSAL:
        return unit.series_proposal_reply
    return unit.series_suggestion_reply


def allocate_doc_number(unit, series, year):
    """The next number of a unit's series in a year, under a row lock: never skipped or
    reused, whatever runs beside it. Must run inside the sending transaction."""
    DocumentCounter.objects.get_or_create(unit=unit, series=series, year=year)
    counter = DocumentCounter.objects.select_for_update().get(unit=unit, series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{unit.organ_code}{series}〔{year}〕{counter.last_number}号"


@transaction.atomic
def send_letter(letter, actor, at=None, doc_number=None):
    """发出: the number is allocated, the date fixed, the content frozen; the assignment
    and the item follow. `doc_number` is given only for letters issued before Banli (imports
    and the seed letters); it may be empty where the original had none."""
    letter = _lock_letter(letter)
    require_may(letter, "send", actor)
    at = at or timezone.now()
    if letter.state != LetterState.SIGNED:
        raise ActionRefused(_("只有已签发的函件可以发出。"))
    rendering.require_glyphs(letter)  # never send what cannot be printed with every glyph
    if doc_number is None and letter.doc_number:  # numbered at sign-off
        doc_number = letter.doc_number
    if doc_number is None:
        doc_number = allocate_doc_number(
            letter.assignment.unit, _series(letter), timezone.localdate(at).year
        )
    fire(letter, "send", actor, doc_number, at, at=at)
    assignment = lock(Assignment, letter.assignment_id)
    if isinstance(letter, Opinion):
        fire(assignment, "mark_opinion_sent", actor, at, check_perm=False, at=at)
    elif assignment.state in (AssignmentState.ACCEPTED, AssignmentState.REOPENED):
        proposal = assignment.proposal
        rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
        window = deadlines.feedback_until(
            timezone.localdate(at), rules, deadlines.WorkingCalendar()
        )
        fire(assignment, "mark_replied", actor, at, window, check_perm=False, at=at)
        if assignment.role == Assignment.Role.LEAD:
            for late in letter.outstanding_opinions().select_for_update():
                fire(late, "lapse", actor, at, check_perm=False, comment=_("主办单位已答复"), at=at)
        _follow_replies(assignment.proposal_id, actor, at)
    if not letter.discloses():
        fire(
            letter,
            "withhold",
            actor,
            check_perm=False,
            comment=letter.get_disclosure_display(),
            at=at,
        )
    label = letter._meta.label_lower
    if settings.FREEZE_LETTERS_AT_SENDING:
        transaction.on_commit(lambda: freeze_letter.delay(label, letter.pk), robust=True)
    transaction.on_commit(lambda: deliver_letter.delay(label, letter.pk), robust=True)
    return letter


def _follow_replies(proposal_id, actor, at=None):
    """The item is replied once every lead and separate unit of this round has replied."""
    proposal = lock(Proposal, proposal_id)
    waiting = proposal.assignments.filter(
        role__in=[Assignment.Role.LEAD, Assignment.Role.SEPARATE],
        state__in=[
            AssignmentState.PENDING,
            AssignmentState.ACCEPTED,
            AssignmentState.TRANSFER_REQUESTED,
            AssignmentState.REOPENED,
        ],
    )
    if not waiting.exists():
        fire(proposal, "mark_replied", actor, check_perm=False, at=at)


@transaction.atomic
def publish_letter(letter, actor, at=None, system=False):
    """公开 on the public site, as the disclosure decision says (全文 or 摘要). `system` is the
    publication window closing (publish_due), with no person acting."""
    letter = _lock_letter(letter)
    if not system:
        require_may(letter, "publish", actor)
    at = at or timezone.now()
    if isinstance(letter, Reply):
        letter.search_grams = public_grams(letter)
        letter.title_grams = textsearch.stored(letter.title, letter.assignment.proposal.title)
    fire(
        letter,
        "publish",
        actor,
        at,
        at=at,
        check_perm=not system,
        comment=_("公开期限届满，自动公开") if system else "",
        refusal=_("只有已发出且公开属性为主动公开的函件可以公开。"),
    )
    return letter


def public_grams(reply):
    """Search pieces of what the public will read: the titles and the text or its summary."""
    text = reply.summary if reply.disclosure == Disclosure.SUMMARY else reply.body
    return textsearch.stored(reply.title, reply.assignment.proposal.title, text)


@transaction.atomic
def withdraw_publication(letter, actor, reason):
    """撤回公开: the office takes a published letter off the public site."""
    if not reason.strip():
        raise ActionRefused(_("撤回公开必须说明理由。"))
    letter = _lock_letter(letter)
    require_may(letter, "withdraw", actor)
    fire(letter, "withdraw", actor, comment=reason)
    return letter


@transaction.atomic
def record_feedback(
    reply, proposer, *, handling, result, comment="", actor=None, channel=Feedback.Channel.LINK
):
    """征询意见表: a proposer's two-axis rating. 不满意 opens a new round for the unit;
    once every proposer is satisfied with every reply of the round, the item closes.

    `actor` is the office member entering a paper form; None when the proposer used their
    signed link (the view has verified it)."""
    reply = lock(Reply, reply.pk)
    proposal = lock(Proposal, reply.assignment.proposal_id)
    if actor is not None:
        require_office(actor, proposal.session.jurisdiction)
    elif channel != Feedback.Channel.LINK:
        raise PermissionDenied(_("纸质征询意见表须由建议提案处录入。"))
    if not proposal.proposers.filter(pk=proposer.pk).exists():
        raise PermissionDenied(_("只有该件的提出人可以反馈。"))
    if not reply.is_sent:
        raise ActionRefused(_("答复尚未发出，暂不能反馈。"))
    if reply.round != proposal.round:
        raise ActionRefused(_("该答复属于已结束的办理轮次，请对最新答复进行反馈。"))
    if Feedback.objects.filter(reply=reply, proposer=proposer).exists():
        raise ActionRefused(_("您已对本次答复提交过意见，感谢您的反馈。"))
    feedback = Feedback.objects.create(
        reply=reply,
        proposer=proposer,
        handling_rating=handling,
        result_rating=result,
        comment=comment,
        channel=channel,
        entered_by=actor,
    )
    log(feedback, "feedback", actor, "", feedback.result_rating, str(feedback)[:500])
    if feedback.is_unsatisfied:
        _reopen(reply, proposal, actor, comment or _("提出人不满意"))
    else:
        _close_if_everyone_answered(proposal, actor)
    return feedback


def _reopen(reply, proposal, actor, comment):
    """重新办理: the unit that replied gets a new round with the re-handling deadline."""
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    assignment = lock(Assignment, reply.assignment_id)
    today = timezone.localdate()
    due = deadlines.rehandling_due(today, rules, deadlines.WorkingCalendar())
    fire(assignment, "reopen", actor, due, today, check_perm=False, comment=comment)
    fire(proposal, "reopen", actor, check_perm=False, comment=comment)


def _close_if_everyone_answered(proposal, actor):
    replies = Reply.objects.filter(
        assignment__proposal=proposal, round=proposal.round, kind=Reply.Kind.REPLY
    ).exclude(assignment__state=AssignmentState.TRANSFERRED)
    proposers = proposal.proposers.count()
    answered = Feedback.objects.filter(reply__in=replies).count()
    if proposal.state == ProposalState.REPLIED and answered >= proposers * replies.count():
        _close(proposal, actor, _("提出人均已反馈"))


def _close(proposal, actor, comment):
    for assignment in proposal.assignments.filter(
        state__in=[AssignmentState.REPLIED, AssignmentState.OPINION_SENT]
    ).select_for_update():
        fire(assignment, "complete", actor, check_perm=False)
    fire(proposal, "close", actor, check_perm=False, comment=comment)


@transaction.atomic
def close_without_feedback(proposal, actor=None):
    """未反馈: the feedback window passed; the item closes with no rating assumed."""
    proposal = lock(Proposal, proposal.pk)
    if proposal.state != ProposalState.REPLIED:
        return proposal
    _close(proposal, actor, _("反馈期限届满，未反馈"))
    return proposal


def signed_pdf(letter):
    """The letter's PDF, checked unsigned (rendering.pdf), then signed by its issuing unit
    (PAdES, the seal over the 落款): the file that is frozen and whose SHA-256 is kept."""
    return rendering.pdf(letter, seal=signing.sealer(letter))


def freeze(letter):
    """Render a sent letter's PDF and DOCX once; later calls return what was frozen. A PDF
    that fails its checks (rendering.pdf) raises rendering.BrokenLetter and nothing is kept;
    the stored PDF is signed by the issuing unit (signing.py), the DOCX is not."""
    owner = {"reply" if isinstance(letter, Reply) else "opinion": letter}
    if not letter.is_sent:
        raise ActionRefused(_("只有已发出的函件才有定稿文件。"))
    existing = {f.format: f for f in LetterFile.objects.filter(**owner)}
    for fmt, render in (
        (LetterFile.Format.PDF, signed_pdf),
        (LetterFile.Format.DOCX, rendering.docx),  # the DOCX is a working copy: not signed
    ):
        if fmt not in existing:
            content = render(letter)
            made, _created = LetterFile.objects.get_or_create(
                **owner,
                format=fmt,
                defaults={"content": content, "sha256": rendering.digest(content)},
            )
            existing[fmt] = made
    return existing


@transaction.atomic
def refreeze_pdf(letter_file):
    """Repair: a sent letter's PDF frozen without its glyphs (set in a system font that lacked
    the Chinese characters, before Banli carried its fonts) is rendered once more. The letter
    is unchanged; its audit trail keeps the original file's SHA-256 beside the new one.
    Returns (old hash, new hash), or None when the stored PDF is already set in Banli's fonts."""
    letter_file = lock(LetterFile, letter_file.pk)
    letter = letter_file.letter
    stored = bytes(letter_file.content)
    foreign = glyphs.foreign_fonts(stored)
    # Only a PDF set in fonts Banli does not carry lacks glyphs: one set in Banli's was
    # checked glyph by glyph when frozen. Its text is not compared with today's layout, which
    # has changed since (title breaks, 附注): a sent letter's record is not re-rendered for that.
    if not foreign:
        return None
    content = signed_pdf(letter)  # checked: raises BrokenLetter rather than store a bad one
    old, new = letter_file.sha256, rendering.digest(content)
    letter_file.content, letter_file.sha256 = content, new
    letter_file.rendered_at = timezone.now()
    letter_file.save(update_fields=["content", "sha256", "rendered_at"])
    log(
        letter,
        "refreeze",
        None,
        letter.state,
        letter.state,
        comment=_(
            "定稿PDF缺字，重新生成（字体：%(fonts)s）。原SHA-256：%(old)s；新SHA-256：%(new)s"
        )
        % {"fonts": "、".join(sorted(foreign)) or "—", "old": old, "new": new},
    )
    return old, new


# ---- past letters: the upload is read in the worker -------------------------------------------
IMPORT_LIMIT = 20 * 1024 * 1024  # all the files of one upload, as uploaded
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


def read_letter_import(record_id):
    """In the worker: every file read within bounds and every letter in it recognised; a file
    that cannot be read is a refusal saying why, in the preview beside the others."""
    with transaction.atomic():
        record = lock(LetterImport, record_id)
        if record.state != LetterImportState.QUEUED:
            return record  # a replayed task
        fire(record, "start", None, timezone.now(), check_perm=False)
    uploads = []
    for name, path in zip(record.names, record.stored, strict=True):
        with default_storage.open(path, "rb") as handle:
            uploads.append((name, handle.read(IMPORT_LIMIT + 1)))
    budget = Budget(importer.LETTERS.total, background.READ_SECONDS, "")
    try:
        previews = importer.previews_of(uploads, budget)
    except Refused as exc:  # out of time: the upload as a whole
        return fail_letter_import(record_id, str(exc))
    if not any(not preview.get("error") for preview in previews):
        # Nothing could be read: there is nothing to confirm, so the import fails, saying why.
        reasons = "\n".join(importer.refusals(previews))
        return fail_letter_import(record_id, _("上传的文件中没有可以读取的函件。") + "\n" + reasons)
    with transaction.atomic():
        record = lock(LetterImport, record_id)
        if record.state != LetterImportState.READING:
            return record
        stored = record.stored
        fire(record, "finish", None, previews, timezone.now(), check_perm=False)
    _delete_stored(stored)
    return record


def fail_letter_import(record_id, reason):
    """The reading failed or ran out of time: the import ends, saying why."""
    with transaction.atomic():
        record = lock(LetterImport, record_id)
        if not record.is_running:
            return record
        stored = record.stored
        fire(record, "fail", None, reason, timezone.now(), check_perm=False)
    _delete_stored(stored)
    return record


def end_letter_import_if_stuck(record):
    """Still queued or reading past every time limit: its worker is gone; it fails, saying
    so, instead of showing 识别中 forever."""
    if record.is_running and background.is_stuck(record.running_since):
        return fail_letter_import(record.pk, background.timed_out())
    return record


def _delete_stored(paths):
    for path in paths:
        default_storage.delete(path)


@transaction.atomic
def import_letter(actor, parsed, jurisdiction):
    """A letter sent before Banli, entered as it was: its item, its unit's assignment and the
    letter itself in their final states, each with an "import" log row. The unit's number
    series moves past the imported number so Banli never issues it again."""
    from proposals.models import Proposer, Session

    require_office(actor, jurisdiction)
    fields = dict(parsed.fields)
    organ = fields.get("signing_organ", "")
    unit = (
        Unit.objects.filter(jurisdiction=jurisdiction)
        .filter(Q(name=organ) | Q(short_name=organ))
        .first()
    )
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
    kind = Proposal.Kind.PROPOSAL if parsed.kind == "提案" else Proposal.Kind.SUGGESTION
    proposal = Proposal.objects.filter(session=session, number=parsed.number).first()
    if proposal is None:
        title = fields["title"]
        proposal = Proposal.objects.create(
            session=session,
            number=parsed.number,
            kind=kind,
            received_at=at,
            title=title,
            state=ProposalState.IN_HANDLING if parsed.is_opinion else ProposalState.REPLIED,
            **textsearch.item_fields(title),
        )
        textsearch.title_pieces([proposal])
        for position, (name, person_kind) in enumerate(parsed.proposers):
            person = Proposer.objects.get_or_create(
                name=name, kind=person_kind, jurisdiction=session.jurisdiction
            )[0]
            ProposalProposer.objects.create(proposal=proposal, proposer=person, position=position)
        log(proposal, "import", actor, "", proposal.state, at=at)
    role = Assignment.Role.CO if parsed.is_opinion else Assignment.Role.LEAD
    assignment = Assignment.objects.create(
        proposal=proposal,
        unit=unit,
        role=role,
        assigned_at=at,
        assigned_by=actor,
        due_on=day,
        state=AssignmentState.OPINION_SENT if parsed.is_opinion else AssignmentState.REPLIED,
        finished_at=at,
    )
    log(assignment, "import", actor, "", assignment.state, at=at)
    extra = {}
    if parsed.is_opinion:
        lead = (
            Unit.objects.filter(jurisdiction=jurisdiction)
            .filter(Q(name=fields.get("addressee")) | Q(short_name=fields.get("addressee")))
            .first()
        )
        if lead is None:
            raise ActionRefused(
                _("主送单位“%(u)s”不是本行政区的承办单位。") % {"u": fields.get("addressee")}
            )
        extra["lead_unit"] = lead
    scheme = jurisdiction.scheme
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
    found = re.match(r"^(.+?)〔(\d{4})〕(\d+)号$", number)
    if found and found[1].startswith(unit.organ_code):
        series = found[1][len(unit.organ_code) :]
        counter, _made = DocumentCounter.objects.select_for_update().get_or_create(
            unit=unit, series=series, year=int(found[2])
        )
        if counter.last_number < int(found[3]):
            counter.last_number = int(found[3])
            counter.save(update_fields=["last_number"])
    return letter


@transaction.atomic
def rotate_api_token(user):
    """A new API token for the user; the old one, if any, stops working."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    log(user, "rotate_api_token", user, "", "", comment=_("更换API令牌"))
    return token
