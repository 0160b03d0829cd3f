"""网上提交: a proposer files an item online (issue 22). The lead proposer drafts it in a
session open for filing (Session.accepts_filing), asks co-signers (联名/附议), who confirm or
decline by a deadline, and submits it: the item enters the office's intake as received,
channel 线上提交, with the lead and the confirmed co-signers in order (`register`, the same
rules as the office's intake). The office may return it for revision (`return_proposal`,
which calls `draft_follows_return` here); the lead revises the draft and resubmits, and the
same item is received again: one number and one log for its whole course.

Who acts is the proposer's own account (Proposer.user): only the lead writes and files the
draft, only an invited co-signer answers their invitation, only the office returns."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from proposals import bigrams
from proposals.models import Channel, Proposal, Session, TitlePieces, kind_refusal

from .. import deadlines
from ..audit import ActionRefused, fire, lock, log
from ..models import (
    CoSignature,
    CoSignatureState,
    DraftAttachment,
    FilingDraft,
    FilingDraftState,
    Unit,
)
from ..models.filing import by_its_lead, by_the_invited
from ..notices import Event, announce
from ..proposer_contacts import MAX_PROPOSERS, too_many_proposers
from ..proposer_notices import ProposerEvent, tell_proposer
from ..uploads import checked_upload, label_for
from .registration import register, require_one_line

# Days a co-signer has to answer, unless the lead gives another time.
COSIGN_DAYS = 3
COSIGN_DAYS_AT_MOST = 30


def require_lead(draft, actor):
    """Only the lead proposer's own account writes the draft (who acts, asked first)."""
    if not by_its_lead(draft, actor):
        raise PermissionDenied(_("只有领衔人本人可以修改或提交该稿。"))


def require_open(session, on=None):
    if not session.accepts_filing(on or timezone.localdate()):
        raise ActionRefused(_("%(s)s当前未开放网上提交。") % {"s": session})


def _require_text(title):
    if not title.strip():
        raise ActionRefused(_("请填写案由。"))
    require_one_line(title)


def _units_of(session, units):
    """The suggested handling units: active units of the session's jurisdiction."""
    units = list(units)
    ids = {u.pk for u in units}
    valid = Unit.objects.filter(pk__in=ids, jurisdiction=session.jurisdiction_id, is_active=True)
    if valid.count() != len(ids):
        raise ActionRefused(_("建议承办单位须为本地区在用的单位。"))
    return units


def _require_member_of(session, person):
    """A proposer of the session's jurisdiction, of a kind its body takes."""
    if person.jurisdiction_id != session.jurisdiction_id:
        raise ActionRefused(_("%(name)s不属于本地区，不能在本届次会议提出。") % {"name": person})
    if refusal := kind_refusal(session.item_kind, session, person.kind):
        raise ActionRefused(refusal)


@transaction.atomic
def start_draft(actor, *, session, lead, title, body="", units=()):
    """起草: the lead proposer starts a draft in a session open for filing."""
    if not lead.is_acted_for_by(actor):
        raise PermissionDenied(_("只能以本人名义起草。"))
    require_open(session)
    _require_member_of(session, lead)
    _require_text(title)
    units = _units_of(session, units)
    draft = FilingDraft.objects.create(session=session, lead=lead, title=title, body=body)
    draft.suggested_units.set(units)
    log(draft, "start", actor, "", draft.state)
    return draft


@transaction.atomic
def edit_draft(draft, actor, *, title, body="", units=()):
    """修改: the lead edits the text and suggested units while drafting or returned."""
    draft = lock(FilingDraft, draft.pk)
    require_lead(draft, actor)
    if not draft.is_editable:
        raise ActionRefused(_("该稿已请联名人确认或已提交，不能再修改。"))
    _require_text(title)
    units = _units_of(draft.session, units)
    typed = {"title": title, "body": body}
    changed = [name for name, value in typed.items() if getattr(draft, name) != value]
    draft.title, draft.body = title, body
    draft.save(update_fields=["title", "body"])
    draft.suggested_units.set(units)
    log(draft, "edit", actor, draft.state, draft.state, "、".join(changed))
    return draft


@transaction.atomic
def attach_to_draft(draft, actor, upload):
    """附件: PDF, DOCX or an image of at most 10 MB, checked as letters' attachments are."""
    draft = lock(FilingDraft, draft.pk)
    require_lead(draft, actor)
    if not draft.is_editable:
        raise ActionRefused(_("该稿已请联名人确认或已提交，不能再添加附件。"))
    content, kind, digest = checked_upload(upload)
    attachment = DraftAttachment(
        draft=draft,
        name=label_for(upload.name or "", kind),
        kind=kind,
        size=len(content),
        sha256=digest,
        uploaded_by=actor,
    )
    attachment.file.save(digest, ContentFile(content), save=False)
    attachment.save()
    log(draft, "attach", actor, draft.state, draft.state, f"{attachment.name} ({digest[:16]})")
    return attachment


@transaction.atomic
def ask_cosigners(draft, actor, cosigners, days=COSIGN_DAYS):
    """联名: the lead asks these proposers, in this order, to confirm the draft within
    `days`; the text is fixed from now on. Each is told, account or not (_tell_invited)."""
    draft = lock(FilingDraft, draft.pk)
    require_lead(draft, actor)
    cosigners = list(cosigners)
    if not cosigners:
        raise ActionRefused(_("请至少选择一位联名人。"))
    if len(cosigners) + 1 > MAX_PROPOSERS:
        raise ActionRefused(too_many_proposers())
    if len({p.pk for p in cosigners} | {draft.lead_id}) != len(cosigners) + 1:
        raise ActionRefused(_("同一提出人不能在一件中出现两次。"))
    if not 1 <= days <= COSIGN_DAYS_AT_MOST:
        raise ActionRefused(_("确认期限应为1至%(n)d天。") % {"n": COSIGN_DAYS_AT_MOST})
    require_open(draft.session)
    for person in cosigners:
        _require_member_of(draft.session, person)
    fire(draft, "ask_cosigners", by=actor)
    answer_by = deadlines.cosign_answer_by(timezone.now(), days)
    rows = CoSignature.objects.bulk_create(
        CoSignature(draft=draft, proposer=p, position=i, answer_by=answer_by)
        for i, p in enumerate(cosigners, start=1)
    )
    for row in rows:
        log(row, "invite", actor, "", row.state)
        _tell_invited(row, draft)
    return draft


def _tell_invited(row, draft):
    """The invited co-signer is told in the notification centre when they have an account,
    and by text or mail either way: one who has never signed in has no account yet and would
    otherwise never hear of it (the message says where to sign in)."""
    lead, title = draft.lead.name, draft.title
    until = f"{timezone.localtime(row.answer_by):%Y-%m-%d %H:%M}"
    link = reverse("portal-draft", args=[draft.pk])  # the proposer's own page of it
    words = {
        "title": lambda: _("%(lead)s邀请您联名：%(title)s") % {"lead": lead, "title": title},
        "body": lambda: _("请在%(until)s前确认或谢绝，逾期视为谢绝。") % {"until": until},
    }
    announce(
        Event.COSIGN_INVITED,
        subject=f"cosign:{row.pk}",
        link=link,
        person=row.proposer.user,
        **words,
    )
    page = settings.SITE_URL.rstrip("/") + reverse("portal-signin")
    tell_proposer(
        ProposerEvent.COSIGN_INVITED,
        row.proposer,
        subject=f"cosign:{row.pk}",
        # a text is one long SMS at most: a long title is shortened so the link fits
        title=lambda: (
            _("%(lead)s邀请您联名：%(title)s") % {"lead": lead, "title": Truncator(title).chars(40)}
        ),
        body=lambda: (
            _("请在%(until)s前登录 %(page)s 确认或谢绝，逾期视为谢绝。")
            % {"until": until, "page": page}
        ),
    )


@transaction.atomic
def answer_cosignature(cosignature, actor, *, confirm):
    """附议: the invited co-signer confirms (or declines) the draft, before its deadline.
    When no one is left to answer, the lead is told."""
    draft = lock(FilingDraft, cosignature.draft_id)
    cosignature = lock(CoSignature, cosignature.pk)
    name = "confirm" if confirm else "decline"
    if not by_the_invited(cosignature, actor):
        raise PermissionDenied(_("只有受邀的联名人本人可以答复。"))
    if draft.state != FilingDraftState.AWAITING_COSIGNERS:
        raise ActionRefused(_("该稿已提交或已撤回，不再需要答复。"))
    if cosignature.is_expired():
        raise ActionRefused(_("已过确认截止时间，视为谢绝。"))
    fire(cosignature, name, by=actor, at=timezone.now())
    if not any(row.is_open() for row in draft.cosignatures.all()):
        _tell_lead_all_answered(draft)
    return cosignature


def _tell_lead_all_answered(draft):
    rows = list(draft.cosignatures.all())
    confirmed = sum(row.state == CoSignatureState.CONFIRMED for row in rows)
    title = draft.title
    announce(
        Event.COSIGNS_ANSWERED,
        subject=f"draft:{draft.pk}",
        title=lambda: _("联名人均已答复：%(title)s") % {"title": title},
        body=lambda: (
            _("%(n)d位确认联名，%(m)d位谢绝。现在可以提交。")
            % {"n": confirmed, "m": len(rows) - confirmed}
        ),
        link=reverse("portal-draft", args=[draft.pk]),
        person=draft.lead.user,
    )


def close_expired_invitations(now=None):
    """Beat's sweep: invitations past their time unanswered are closed as not confirmed
    (expired = declined), each draft in its own transaction; a lead whose co-signers have
    now all answered or lapsed is told, as when the last one answers. Returns how many."""
    now = now or timezone.now()
    expired = CoSignature.objects.filter(
        state=CoSignatureState.INVITED,
        answer_by__lt=now,
        draft__state=FilingDraftState.AWAITING_COSIGNERS,
    )
    closed = 0
    for draft_id in set(expired.values_list("draft_id", flat=True)):
        with transaction.atomic():
            draft = lock(FilingDraft, draft_id)
            rows = draft.cosignatures.select_for_update().filter(pk__in=expired.values("pk"))
            for row in rows:
                fire(row, "lapse", by=None, check_perm=False, log_comment=_("逾期未确认"))
                closed += 1
            if draft.state == FilingDraftState.AWAITING_COSIGNERS and not any(
                row.is_open(now) for row in draft.cosignatures.all()
            ):
                _tell_lead_all_answered(draft)
    return closed


def _lapse_open_invitations(draft, actor):
    """Invitations unanswered when the draft is submitted or withdrawn: closed as not
    confirmed (an expired one counts as declined), each with its log row."""
    for row in draft.cosignatures.select_for_update().filter(state=CoSignatureState.INVITED):
        fire(row, "lapse", by=actor, check_perm=False)


def confirmed_signers(draft):
    """The item's proposers: the lead, then the co-signers who confirmed, in the lead's order."""
    confirmed = draft.cosignatures.filter(state=CoSignatureState.CONFIRMED).order_by("position")
    return [draft.lead, *(row.proposer for row in confirmed.select_related("proposer"))]


def next_online_number(session):
    """The number an item filed online gets: after the session's highest number made of
    digits, as wide as it (0345 → 0346), or 1. The caller holds the session's row locked."""
    numbered = Proposal.objects.filter(session=session, number__regex=r"^[0-9]{1,9}$")
    top = numbered.annotate(n=Cast("number", IntegerField())).aggregate(top=Max("n"))["top"]
    if top is None:
        return "1"
    widest = numbered.annotate(n=Cast("number", IntegerField())).filter(n=top)
    width = max(len(number) for number in widest.values_list("number", flat=True))
    return str(top + 1).zfill(width)


@transaction.atomic
def submit_draft(draft, actor):
    """提交: the item enters the office's intake as received (线上提交), with the lead and the
    confirmed co-signers in order; invitations still open lapse. The office is told."""
    draft = lock(FilingDraft, draft.pk)
    require_lead(draft, actor)
    session = lock(Session, draft.session_id)  # one number at a time per session
    require_open(session)
    _require_text(draft.title)
    _lapse_open_invitations(draft, actor)
    signers = confirmed_signers(draft)
    now = timezone.now()
    proposal = register(
        actor,
        session,
        next_online_number(session),
        draft.title,
        session.item_kind,
        signers,
        draft.body,
        channel=Channel.ONLINE,
        received_at=now,
    )
    fire(draft, "submit", by=actor, proposal=proposal, at=now)
    _tell_office(proposal, f"{proposal.pk}")
    return draft


def _tell_office(proposal, subject):
    reference = proposal.reference
    announce(
        Event.FILED_ONLINE,
        subject=subject,
        title=lambda: _("收到网上提交：%(ref)s") % {"ref": reference},
        link=reverse("item", args=[proposal.pk]),
        jurisdiction=proposal.session.jurisdiction,
    )


@transaction.atomic
def resubmit_draft(draft, actor):
    """重新提交: the lead files the revised draft; the same item is received again with the
    revised title and text (its number, proposers and log kept)."""
    draft = lock(FilingDraft, draft.pk)
    require_lead(draft, actor)
    if draft.state != FilingDraftState.RETURNED:
        raise ActionRefused(_("只有被退回修改的稿件可以重新提交。"))
    _require_text(draft.title)
    proposal = lock(Proposal, draft.proposal_id)
    _store_text(proposal, draft.title, draft.body)
    fire(proposal, "resubmit", by=actor, check_perm=False, log_comment=_("提出人修改后重新提交"))
    now = timezone.now()
    fire(draft, "resubmit", by=actor, at=now)
    _tell_office(proposal, f"{proposal.pk}:{now.timestamp():.0f}")
    return draft


def _store_text(proposal, title, body):
    """The revised title and text on the item, with its search pieces (saved by `fire`)."""
    proposal.title, proposal.body = title, body
    proposal.search_grams = bigrams.stored(title, body)
    TitlePieces.objects.filter(proposal=proposal).delete()
    bigrams.title_pieces([proposal])


@transaction.atomic
def withdraw_draft(draft, actor):
    """撤回: the lead gives up a draft not yet submitted; open invitations lapse."""
    draft = lock(FilingDraft, draft.pk)
    require_lead(draft, actor)
    _lapse_open_invitations(draft, actor)
    fire(draft, "withdraw", by=actor)
    return draft


def draft_follows_return(proposal, actor, reason):
    """The office returned an item filed online (return_proposal, which checked who acts):
    its draft goes back to the lead, with the office's comments, and the lead is told.
    Inside the caller's transaction; nothing for an item that came another way."""
    draft = FilingDraft.objects.select_for_update().filter(proposal=proposal).first()
    if draft is None:
        return None
    fire(
        draft, "return_for_revision", by=actor, check_perm=False, comment=reason, log_comment=reason
    )
    title = draft.title
    announce(
        Event.FILING_RETURNED,
        subject=f"draft:{draft.pk}:{timezone.now().timestamp():.0f}",
        title=lambda: _("您提交的“%(title)s”被退回修改") % {"title": title},
        body=lambda: _("退回意见：%(reason)s") % {"reason": reason},
        link=reverse("portal-draft", args=[draft.pk]),
        person=draft.lead.user,
    )
    return draft
