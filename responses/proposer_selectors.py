"""What a proposer's account may see, defined once for every door that shows it (the
proposers' pages in portal, the proposers' API): whom the account acts for, which items are
theirs (filed or co-signed), and of each item's handling only what was sent to them."""

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal, ProposalProposer, ProposalState, Proposer
from workflow.models import (
    Assignment,
    Contact,
    Decision,
    Extension,
    OfficeMembership,
    UnitMembership,
)

from .models import Feedback, Reply


def is_staff_account(user):
    """An account that works in Banli (the admin, an office, a unit): it never acts for a
    proposer, whatever a record links it to."""
    return (
        user.is_staff
        or user.is_superuser
        or user.unit_memberships.exists()
        or user.office_memberships.exists()
    )


def _acted_for_by(user):
    """The proposers this account acts for, none if it is a staff account (one query)."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return Proposer.objects.none()
    return Proposer.objects.acted_for_by(user).exclude(
        Exists(UnitMembership.objects.filter(user=user))
        | Exists(OfficeMembership.objects.filter(user=user))
    )


def proposer_of(user):
    """The proposer this account acts for (its own, or the group it is a contact of), or
    None for any other account. Staff accounts never act for a proposer."""
    return _acted_for_by(user).first()


def is_proposer_account(user):
    return _acted_for_by(user).exists()


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


def stands(proposal, answered=False):
    """Where the item stands, for this proposer: once they have given their opinion of every
    reply waiting for it, a replied item no longer asks them for it (the co-signers may
    not have yet, so the item itself is still 已答复)."""
    if answered and proposal.state == ProposalState.REPLIED:
        return _("已答复，您的意见已收到")
    return STANDS.get(proposal.state, proposal.get_state_display())


def _answered(items, proposer):
    """The ids of the replied items among `items` whose every sent reply of the current
    round this proposer has rated (one query)."""
    replied = {p.pk: p.round for p in items if p.state == ProposalState.REPLIED}
    if not replied:
        return set()
    rows = Reply.objects.sent().filter(
        assignment__proposal__in=list(replied), kind=Reply.Kind.REPLY
    )
    mine = Feedback.objects.filter(reply=OuterRef("pk"), proposer=proposer)
    seen, waiting = set(), set()
    for proposal_id, round_, rated in rows.annotate(rated=Exists(mine)).values_list(
        "assignment__proposal_id", "round", "rated"
    ):
        if round_ == replied[proposal_id]:
            (seen if rated else waiting).add(proposal_id)
    return seen - waiting


# ---- the visibility rule ------------------------------------------------------------------
def items_of(proposer):
    """THE rule (Proposal.objects.of_proposer): the items this proposer filed or co-signed."""
    return Proposal.objects.of_proposer(proposer)


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
    answered = _answered(items, proposer)
    for proposal in items:
        proposal.stands = stands(proposal, proposal.pk in answered)
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
        "stands": stands(proposal, answered=bool(rated) and not any(r.rateable for r in replies)),
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
