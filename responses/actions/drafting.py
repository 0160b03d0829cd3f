"""拟稿 to 送审: a unit opens its letter (a reply, or a co-handler's opinion), fills it in (by
hand or from a template), and submits it to its leader.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.classification import bucket_for
from proposals.models import Proposal
from workflow import notices
from workflow.audit import ActionRefused, fire, lock, log, require_may
from workflow.models import Assignment, TransitionLog
from workflow.permissions import require_unit_member

from ..letter_text import addressee_for, fill
from ..models import (
    RESULT_AND_DISCLOSURE_FIELDS,
    LetterRevision,
    LetterTemplate,
    Opinion,
    Reply,
)

# The elements of a letter its unit writes, in the order the editor shows them: what
# `save_letter` accepts, what a submission's revision keeps, and the editor's form fields.
LETTER_FIELDS = (
    "title",
    "addressee",
    "body",
    "class_label",
    "disclosure",
    "withheld_reason",
    "summary",
    "signing_organ",
    "show_signer",
    "signer_name",
    "letter_date",
    "contact_person",
    "contact_phone",
    "contact_office",
    "contact_address",
    "contact_postcode",
    "cc",
    "issued_by",
    "issued_on",
)


def fields_of(letter):
    """The elements this letter has, of LETTER_FIELDS: an opinion lacks the result class and
    the disclosure where they head only a reply (Letter.carries_result_and_disclosure)."""
    if letter.carries_result_and_disclosure():
        return LETTER_FIELDS
    return tuple(name for name in LETTER_FIELDS if name not in RESULT_AND_DISCLOSURE_FIELDS)


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
    if not assignment.takes_reply:
        raise ActionRefused(_("请先签收该件，再起草答复。"))
    existing = assignment.replies.filter(round=assignment.round, kind=kind).first()
    if existing is not None:
        return _still_editable(existing)
    previous = (
        assignment.replies.filter(round__lt=assignment.round, kind=kind).order_by("-round").first()
    )
    reply = Reply.objects.create(
        **_letter_defaults(assignment, actor)
        | (carried_over(previous) if previous else _fresh_reply(assignment)),
        created_at=at or timezone.now(),
        kind=kind,
    )
    _fill_placeholders(reply)
    comment = _("以第%(n)d轮答复为底稿") % {"n": previous.round} if previous else ""
    log(reply, "draft", actor, "", reply.state, comment, at=at)
    return reply


def _fresh_reply(assignment):
    proposal = assignment.proposal
    jurisdiction = proposal.session.jurisdiction
    return {
        "title": notices.in_site_language(
            lambda: _("对%(ref)s的答复") % {"ref": proposal.reference}
        ),
        "addressee": addressee_for(proposal),
        "body": _template_body(assignment, LetterTemplate.Role.REPLY),
        "cc": (
            jurisdiction.cc_for_proposals
            if proposal.kind == Proposal.Kind.PROPOSAL
            else jurisdiction.cc_for_suggestions
        ),
    }


# What a new round's reply takes from the last round's: its text and elements, not what
# belonged to that sending (number, signer, dates).
NOT_CARRIED_OVER = frozenset({"signer_name", "letter_date", "issued_on"})


def carried_over(previous):
    """重新办理: the new round's draft starts from the previous reply."""
    fields = {name: getattr(previous, name) for name in LETTER_FIELDS}
    fields["result_bucket"] = previous.result_bucket
    for name in NOT_CARRIED_OVER:
        fields.pop(name)
    return fields


@transaction.atomic
def start_opinion(assignment, actor, at=None):
    """A co-handler opens its opinion letter to the lead unit."""
    assignment = lock(Assignment, assignment.pk)
    require_unit_member(actor, assignment.unit)
    if assignment.role != Assignment.Role.CO:
        raise ActionRefused(_("只有会办单位撰写会办意见。"))
    if not assignment.takes_opinion:
        raise ActionRefused(_("请先签收该件，再起草会办意见。"))
    existing = assignment.opinions.filter(round=assignment.round).first()
    if existing is not None:
        return _still_editable(existing)
    proposal = assignment.proposal
    lead = proposal.assignments.current().filter(role=Assignment.Role.LEAD).first()
    if lead is None:
        raise ActionRefused(_("该件暂无主办单位，请联系建议提案处。"))
    opinion = Opinion.objects.create(
        **_letter_defaults(assignment, actor),
        created_at=at or timezone.now(),
        lead_unit=lead.unit,
        title=notices.in_site_language(
            lambda: _("关于%(ref)s会办意见的函") % {"ref": proposal.reference}
        ),
        addressee=lead.unit.short_name or lead.unit.name,
        body=_template_body(assignment, LetterTemplate.Role.OPINION),
    )
    _fill_placeholders(opinion)
    log(opinion, "draft", actor, "", opinion.state, at=at)
    return opinion


def _still_editable(letter):
    """继续编辑 the round's letter: only while save_letter accepts it. One with the leader
    waits until it is returned; the item page links to it instead."""
    if not letter.is_editable:
        raise ActionRefused(
            _("该函当前状态为“%(state)s”，领导退回修改前不能编辑。")
            % {"state": letter.status_label}
        )
    return letter


def _template_body(assignment, role):
    """The unit's general template (no class) for this role and the item's kind as the
    draft's starting text, unfilled: the placeholders are filled once the letter exists (see
    apply_template). One written for the item's kind comes before one for both."""
    template = (
        LetterTemplate.objects.matching(assignment.unit_id, role, assignment.proposal.kind)
        .filter(class_label="")
        .order_by("-kind", "name")
        .first()
    )
    return template.body if template else ""


@transaction.atomic
def apply_template(letter, actor, template):
    """Replace the draft's body with a unit template, its placeholders filled in."""
    letter = lock(type(letter), letter.pk)
    require_unit_member(actor, letter.assignment.unit)
    if template.unit_id != letter.assignment.unit_id:
        raise PermissionDenied(_("只能使用本单位的模板。"))
    if not letter.is_editable:
        raise ActionRefused(_("该函已送审或发出，不能再套用模板。"))
    if not LetterTemplate.objects.for_letter(letter).filter(pk=template.pk).exists():
        raise ActionRefused(
            _("模板“%(name)s”适用于%(kind)s的%(role)s，不能用于本函。")
            % {
                "name": template.name,
                "kind": template.get_kind_display(),
                "role": template.get_role_display(),
            }
        )
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
        letter.body = fill(letter.body, letter)
        letter.save(update_fields=["body"])


def _same(stored, sent):
    """A browser sends a textarea back with CRLF line ends: that alone is no change."""
    if isinstance(stored, str) and isinstance(sent, str):
        return stored.replace("\r\n", "\n") == sent.replace("\r\n", "\n")
    return stored == sent


@transaction.atomic
def save_letter(letter, actor, at=None, **fields):
    """Save the draft's elements; a letter under review or sent cannot change. `at` is when,
    for the demo's past letters (the edit's log row)."""
    letter = lock(type(letter), letter.pk)
    require_unit_member(actor, letter.assignment.unit)
    if not letter.is_editable:
        raise ActionRefused(
            _("该函当前状态为“%(state)s”，不能修改。") % {"state": letter.get_state_display()}
        )
    unknown = set(fields).difference(LETTER_FIELDS)
    if unknown:
        raise ValueError(f"not letter fields: {sorted(unknown)}")
    # Sending a field it lacks unchanged (an empty class, say) is harmless; setting one is not.
    lacking = set(fields).difference(fields_of(letter))
    if any(not _same(getattr(letter, name), fields[name]) for name in lacking):
        raise ActionRefused(_("会办意见没有办理结果类别和公开属性，请勿填写。"))
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
    letter = lock(type(letter), letter.pk)
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
    fire(letter, "submit", by=actor, at=at, log_comment=comment, logged_at=at)
    letter.record_author(actor)  # who sends a text up for signature answers for it
    revision = _snapshot(letter, actor)
    _announce_submitted(letter, actor, revision)
    return letter


def _announce_submitted(letter, actor, revision):
    """送审 reaches the unit's leaders; each submission (revision) is a notice of its own."""
    proposal = letter.assignment.proposal
    kind = letter._meta.model_name

    def body():
        if revision.number > 1:
            text = _("%(who)s修改后重新送审第%(n)d稿，请审核签发。")
        else:
            text = _("%(who)s送审第%(n)d稿，请审核签发。")
        return text % {"who": actor, "n": revision.number}

    notices.announce(
        notices.Event.SUBMITTED,
        subject=f"{kind}:{letter.pk}:{revision.number}",
        title=lambda: (
            _("待签发：%(ref)s %(title)s") % {"ref": proposal.reference, "title": letter.title}
        ),
        body=body,
        link=reverse("letter", args=[kind, letter.pk]),
        unit=letter.assignment.unit,
    )


def _snapshot(letter, actor):
    """Keep what the leader is shown, to diff against the next submission."""
    owner = {"reply" if isinstance(letter, Reply) else "opinion": letter}
    revisions = LetterRevision.objects.filter(**owner)
    return LetterRevision.objects.create(
        **owner,
        number=revisions.count() + 1,
        content={name: str(getattr(letter, name) or "") for name in sorted(LETTER_FIELDS)},
        submitted_by=actor,
    )
