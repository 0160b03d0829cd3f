"""What a proposer's account may see, defined once: whom the account acts for, which items
are theirs (filed or co-signed), and of each item's handling only what was sent to them."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import (
    BODY_OF_PROPOSER,
    MOBILE,
    Proposal,
    ProposalProposer,
    ProposalState,
    Proposer,
    Session,
)
from responses.models import Feedback, Reply
from responses.textsearch import similar_for_title
from workflow import selectors as workflow_selectors
from workflow.models import (
    Assignment,
    Contact,
    CoSignature,
    CoSignatureState,
    Decision,
    Extension,
    FilingDraft,
    FilingDraftState,
)

from .models import ContactPerson


def clean_mobile(text):
    """The eleven digits of a mainland mobile typed any way (spaces, +86), or ""."""
    digits = "".join(ch for ch in str(text) if "0" <= ch <= "9")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE.fullmatch(digits) else ""


@dataclass
class Signer:
    """Who a mobile belongs to: a proposer (at the mobile registered with it), or a group's
    named contact (at their own)."""

    proposer: Proposer
    contact: ContactPerson | None = None

    @property
    def user(self):
        return self.contact.user if self.contact else self.proposer.user

    @property
    def name(self):
        return self.contact.name if self.contact else self.proposer.name


def signer_for_mobile(mobile):
    """The one proposer (or group contact) the office registered this mobile for; None when
    there is none, or more than one (the office must tell them apart first). A group's own
    registered mobile signs in as the group, as its named contacts' do."""
    if not mobile:
        return None
    contacts = list(ContactPerson.objects.filter(mobile=mobile).select_related("proposer", "user"))
    people = [
        p
        for p in Proposer.objects.filter(phone__contains=mobile[-4:]).select_related("user")
        if p.mobile == mobile
    ]
    found = [Signer(c.proposer, c) for c in contacts] + [Signer(p) for p in people]
    return found[0] if len(found) == 1 else None


def is_staff_account(user):
    """An account that works in Banli (the admin, an office, a unit): it never acts for a
    proposer, whatever a record links it to."""
    return (
        user.is_staff
        or user.is_superuser
        or user.unit_memberships.exists()
        or user.office_memberships.exists()
    )


def proposer_of(user):
    """The proposer this account acts for (its own, or the group it is a contact of), or
    None for any other account. Staff accounts never act for a proposer."""
    if not user.is_authenticated or is_staff_account(user):
        return None
    return Proposer.objects.acted_for_by(user).first()


def is_proposer_account(user):
    return not is_staff_account(user) and Proposer.objects.acted_for_by(user).exists()


# Where an item stands, as a deputy would say it (the office's words are the states').
STANDS = {
    ProposalState.RECEIVED: _("已收到，等待审查或交办"),
    ProposalState.IN_REVIEW: _("正在审查是否立案"),
    ProposalState.FILED: _("已立案，等待交办"),
    ProposalState.NOT_FILED: _("不予立案"),
    ProposalState.MERGED: _("已与其他提案并案办理"),
    ProposalState.RETURNED: _("已退回修改"),
    ProposalState.CONVERTED: _("已转为意见建议"),
    ProposalState.ASSIGNED: _("已交办承办单位"),
    ProposalState.IN_HANDLING: _("承办单位正在办理"),
    ProposalState.REPLIED: _("已答复，请提出您的意见"),
    ProposalState.CLOSED: _("已办结"),
    ProposalState.REOPENED: _("因不满意正在重新办理"),
}


def stands(proposal):
    return STANDS.get(proposal.state, proposal.get_state_display())


# ---- the visibility rule ------------------------------------------------------------------
def items_of(proposer):
    """THE rule: the items this proposer filed or co-signed, and nothing else."""
    return Proposal.objects.filter(signatories__proposer=proposer)


def my_items(proposer):
    """我的提案/建议: newest first, with the units and the proposers' names (no contacts)."""
    items = list(
        items_of(proposer)
        .select_related("session", "merged_into__session")
        .prefetch_related(
            Prefetch(
                "signatories",
                queryset=ProposalProposer.objects.select_related("proposer").only(
                    "proposal_id", "position", "proposer__name", "proposer__kind"
                ),
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.current().select_related("unit").order_by("role"),
            ),
        )
        .order_by("-received_at", "-pk")
    )
    for proposal in items:
        proposal.stands = stands(proposal)
    return items


def sent_replies(proposal):
    """The replies and follow-up replies that left their units: never a draft, and never a
    co-handler's opinion (an Opinion goes to the lead unit, not to the proposer)."""
    return (
        Reply.objects.sent()
        .filter(assignment__proposal=proposal)
        .select_related("assignment__unit")
        .order_by("sent_at", "pk")
    )


def course(proposal, proposer):
    """Where the item stands, in what was sent to this proposer: the units and their
    deadlines, the contacts the units recorded with *them*, the extensions granted and why,
    each reply as sent, and this proposer's own feedback on each."""
    replies = list(sent_replies(proposal))
    rated = {
        f.reply_id: f
        for f in Feedback.objects.filter(reply__in=[r.pk for r in replies], proposer=proposer)
    }
    for reply in replies:
        reply.my_feedback = rated.get(reply.pk)
        reply.rateable = (
            reply.my_feedback is None
            and reply.kind == Reply.Kind.REPLY
            and reply.round == proposal.round
        )
    not_filed = proposal.state == ProposalState.NOT_FILED
    return {
        "stands": stands(proposal),
        "not_filed_reason": proposal.review_reason if not_filed else "",
        "assignments": list(
            Assignment.objects.current()
            .filter(proposal=proposal)
            .select_related("unit")
            .order_by("role", "pk")
        ),
        "contacts": list(
            Contact.objects.filter(assignment__proposal=proposal, proposer=proposer)
            .select_related("assignment__unit")
            .order_by("contacted_on", "pk")
        ),
        "extensions": list(
            Extension.objects.filter(assignment__proposal=proposal, state=Decision.APPROVED)
            .select_related("assignment__unit")
            .order_by("decided_at")
        ),
        "replies": replies,
        "names": [s.proposer.name for s in proposal.signatories.select_related("proposer")],
    }


def reply_for(proposer, pk):
    """A sent reply (or follow-up reply) of one of this proposer's items, or None: a draft
    and another proposer's item look alike, not there. Opinions are another model."""
    return (
        Reply.objects.sent()
        .filter(assignment__proposal__in=items_of(proposer))
        .select_related("assignment__proposal__session__jurisdiction", "assignment__unit")
        .filter(pk=pk)
        .first()
    )


def reply_state(reply, proposer):
    """This proposer's own rating of the reply, and whether they may still give one."""
    mine = Feedback.objects.filter(reply=reply, proposer=proposer).first()
    current = reply.round == reply.assignment.proposal.round
    return {
        "my_feedback": mine,
        "rateable": mine is None and current and reply.kind == Reply.Kind.REPLY,
        "stale": mine is None and not current,
    }


# ---- 网上提交: the proposer's drafts and the invitations to co-sign ---------------------------
def my_drafts(user):
    """我的草稿: the drafts this account leads (for itself or its group), newest first, with
    their co-signers' answers; a submitted one links to its item."""
    return list(
        FilingDraft.objects.filter(lead__in=Proposer.objects.acted_for_by(user).values("pk"))
        .select_related("session", "proposal")
        .prefetch_related(
            Prefetch("cosignatures", queryset=CoSignature.objects.select_related("proposer"))
        )
    )


def invitations(user):
    """待我确认的联名: the invitations waiting for this account's answer, soonest due first."""
    return list(workflow_selectors.invitations_for(user))


def filing_windows(proposer, on=None):
    """The sessions this proposer may file in today, and when none is open, the next window
    the office has set for their body (None when none is known)."""
    on = on or timezone.localdate()
    open_now = list(workflow_selectors.sessions_open_to(proposer, on).order_by("-year", "pk"))
    later = Session.objects.filter(jurisdiction_id=proposer.jurisdiction_id, filing_opens_on__gt=on)
    if body := BODY_OF_PROPOSER.get(proposer.kind):
        later = later.filter(body=body)
    upcoming = None if open_now else later.order_by("filing_opens_on").first()
    return open_now, upcoming


def draft_for(user, pk):
    """A draft this account leads or was invited to co-sign; 404 for any other (another
    proposer's draft is not there)."""
    rows = FilingDraft.objects.seen_by(user).select_related("session__jurisdiction", "lead")
    return get_object_or_404(rows.prefetch_related("suggested_units", "attachments"), pk=pk)


def draft_page(draft, user):
    """What the draft's page shows this account: as its lead, what they may do now; as an
    invited co-signer, their own invitation (and whether they may still answer)."""
    rows = list(draft.cosignatures.select_related("proposer").order_by("position"))
    is_lead = draft.lead.is_acted_for_by(user)
    mine = None
    if not is_lead:
        acting = set(Proposer.objects.acted_for_by(user).values_list("pk", flat=True))
        mine = next((row for row in rows if row.proposer_id in acting), None)
    state = draft.state
    awaiting = state == FilingDraftState.AWAITING_COSIGNERS
    return {
        "draft": draft,
        "cosignatures": rows,
        "is_lead": is_lead,
        "mine": mine,
        "may_answer": bool(mine and awaiting and mine.is_open()),
        "may_edit": is_lead and draft.is_editable,
        "may_invite": is_lead and state == FilingDraftState.DRAFTING,
        "may_submit": is_lead and (state == FilingDraftState.DRAFTING or awaiting),
        "returned": state == FilingDraftState.RETURNED,
        "may_resubmit": is_lead and state == FilingDraftState.RETURNED,
        "signers": [draft.lead]
        + [row.proposer for row in rows if row.state == CoSignatureState.CONFIRMED],
        "still_open": sum(row.is_open() for row in rows),
    }


def may_invite(draft, user):
    """Whether this account may ask co-signers now (ask_cosigners accepts it): the lead,
    while drafting. Anyone else but the lead is refused outright (PermissionDenied)."""
    if not draft.lead.is_acted_for_by(user):
        raise PermissionDenied
    return draft.state == FilingDraftState.DRAFTING


def similar_earlier(title, body=""):
    """The similar-case check while a proposer types a title: earlier items with a published
    letter, and those letters (a proposer works in no office or unit)."""
    return similar_for_title(title, body) if title.strip() else []


def cosigner_choice(draft, picked, query=""):
    """The co-signers chosen so far (in order) and the candidates to add: whom the lead may
    ask (workflow's cosigner_candidates), found by name, at most twenty at a time."""
    candidates = workflow_selectors.cosigner_candidates(draft)
    by_pk = candidates.in_bulk(picked)
    chosen = [by_pk[pk] for pk in dict.fromkeys(picked) if pk in by_pk]
    more = candidates.exclude(pk__in=list(by_pk)).only("pk", "name", "kind", "affiliation")
    if query.strip():
        more = more.filter(name__contains=query.strip())
    return {"chosen": chosen, "more": list(more.order_by("name", "pk")[:20]), "query": query}
