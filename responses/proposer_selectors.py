"""What a proposer's account may see, defined once for every door that shows it (the
proposers' pages in portal, the proposers' API): whom the account acts for, which items are
theirs (filed or co-signed), and of each item's handling only what was sent to them. What
the proposers and the public are told of a reply's commitments (承诺事项) is defined here too
(`tell_commitments`): the confirmed promises of a reply they may read, never a candidate, a
draft's report or the units' progress notes."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
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

from .models import Commitment, CommitmentReport, CommitmentState, Feedback, LetterState, Reply
from .models.commitment_states import CONFIRMED_STATES, STANDING_STATES
from .models.letters import SENT_STATES, Disclosure


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
    tally = promises_kept([proposal.pk for proposal in items])
    answered = _answered(items, proposer)
    for proposal in items:
        proposal.stands = stands(proposal, proposal.pk in answered)
        proposal.promises = tally.get(proposal.pk, PromisesKept())
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
    each reply and follow-up reply as sent with the commitments it made or reported
    (tell_commitments), and this proposer's own feedback on each."""
    replies = list(sent_replies(proposal))
    rated = {
        f.reply_id: f
        for f in Feedback.objects.filter(reply__in=[r.pk for r in replies], proposer=proposer)
    }
    for reply in replies:
        reply.my_feedback = rated.get(reply.pk)
        # A follow-up reply (跟踪办理答复) is rated as a reply is: how the promise was kept.
        reply.rateable = reply.my_feedback is None and reply.round == proposal.round
    tell_commitments(replies)
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
    """This proposer's own rating of the reply (or follow-up reply), whether they may still
    give one, and the commitments it made or reported, as they are told them."""
    mine = Feedback.objects.filter(reply=reply, proposer=proposer).first()
    current = reply.round == reply.assignment.proposal.round
    tell_commitments([reply])
    return {
        "my_feedback": mine,
        "rateable": mine is None and current,
        "stale": mine is None and not current,
    }


# ---- 承诺事项, as told outside the units -----------------------------------------------------
@dataclass(frozen=True)
class ToldCommitment:
    """A commitment as a proposer (or, for a published reply, the public) is told it: what,
    by which unit, by when, and how it stands. A request to drop it is the office's to
    decide, so until approved it is still 落实中; its reason is told once it is dropped."""

    id: int
    reply_id: int
    what: str
    unit: str
    due_on: date
    state: str
    state_label: str
    delivered_on: date | None
    on_time: bool | None
    overdue: bool
    drop_reason: str
    # What the follow-up reply that reported it said, and that reply, once it may be read.
    note: str
    follow_up_id: int | None
    follow_up_number: str

    # What the pages ask of it, so no template spells a state.
    @property
    def is_delivered(self):
        return self.state == CommitmentState.DELIVERED

    @property
    def is_partly(self):
        return self.state == CommitmentState.PARTLY

    @property
    def is_dropped(self):
        return self.state == CommitmentState.DROPPED


def readable_states(public):
    """The letters a reader may be told of: published ones for the public, every sent one
    for the item's proposers (withheld included: withheld from the public, not from them)."""
    return frozenset({LetterState.PUBLISHED}) if public else SENT_STATES


def _told(row, report, today, reported=False, public=False):
    """`report`: the readable CommitmentReport told with it (the one of the follow-up it is
    told under when `reported`; else the latest), or None."""
    state = report.outcome if reported else row.state
    if state == CommitmentState.DROP_REQUESTED:
        state = CommitmentState.OPEN
    delivered = state in (CommitmentState.DELIVERED, CommitmentState.PARTLY)
    return ToldCommitment(
        id=row.pk,
        reply_id=row.reply_id,
        what=row.what,
        unit=row.unit.name,
        due_on=row.due_on,
        state=state,
        state_label=CommitmentState(state).label,
        delivered_on=row.delivered_on if delivered else None,
        on_time=row.delivered_on_time() if delivered else None,
        # still standing (partly delivered too) past its due date; a report tells its own day
        overdue=not reported and row.state in STANDING_STATES and row.due_on < today,
        # The reason was written for the office: the item's proposers are told it, the
        # public only that the promise was dropped.
        drop_reason=row.drop_reason if state == CommitmentState.DROPPED and not public else "",
        note=report.note if report else "",
        follow_up_id=report.follow_up_id if report else None,
        follow_up_number=report.follow_up.doc_number if report else "",
    )


def tell_commitments(replies, *, public=False, today=None):
    """Gives each reply `told_commitments` (the confirmed commitments it made) and
    `told_reports` (those a follow-up reply reported, with what it said of each), as its
    proposers are told them, or the public when `public`. Only of replies the reader may
    read (sent; published for the public): a draft's candidates and a draft follow-up's
    report are never told, nor are the units' progress notes (进展, internal to the staff).
    One query for any number of replies."""
    readable = readable_states(public)
    # The public reads a summary-only (摘要) reply's summary, not its text: what it promised
    # quotes the text, so it is told with replies published in full only.
    shown = {"reply__disclosure": Disclosure.FULL} if public else {}
    shown_follow_up = {"follow_up__disclosure": Disclosure.FULL} if public else {}
    ids = {
        reply.pk
        for reply in replies
        if reply.state in readable and (not public or reply.disclosure == Disclosure.FULL)
    }
    rows = (
        Commitment.objects.filter(state__in=CONFIRMED_STATES, reply__state__in=readable, **shown)
        .filter(Q(reply__in=ids) | Q(reports__follow_up__in=ids))
        .distinct()
        .select_related("unit")
        .only(*_TOLD_FIELDS)
        .order_by("reply_id", "position", "pk")
    )
    # Each follow-up's own report (CommitmentReport): a later one leaves an earlier one's.
    reports = (
        CommitmentReport.objects.filter(follow_up__state__in=readable, **shown_follow_up)
        .filter(Q(commitment__reply__in=ids) | Q(follow_up__in=ids))
        .select_related("follow_up")
        .only("commitment", "outcome", "note", "follow_up__state", "follow_up__doc_number")
        .order_by("follow_up_id")
    )
    told_in = {}
    for report in reports if ids else ():
        told_in.setdefault(report.commitment_id, []).append(report)
    today = today or timezone.localdate()
    made, reported = {}, {}
    for row in rows if ids else ():
        said = told_in.get(row.pk, [])
        if row.reply_id in ids:
            latest = said[-1] if said else None
            made.setdefault(row.reply_id, []).append(_told(row, latest, today, public=public))
        for report in said:
            if report.follow_up_id in ids:
                told = _told(row, report, today, reported=True, public=public)
                reported.setdefault(report.follow_up_id, []).append(told)
    for reply in replies:
        reply.told_commitments = made.get(reply.pk, [])
        reply.told_reports = reported.get(reply.pk, [])
    return replies


@dataclass(frozen=True)
class PromisesKept:
    """An item's commitments in three numbers, as its proposers are told them: made (in its
    sent replies), delivered, and still open after their due date."""

    made: int = 0
    delivered: int = 0
    overdue: int = 0


def promises_kept(item_ids, today=None):
    """{item id: PromisesKept} for 我的提案/建议, told by the rule of tell_commitments (a drop
    not decided is still open). One query for any number of items."""
    today = today or timezone.localdate()
    still_open = list(STANDING_STATES)  # partly delivered, and a drop not decided, too
    rows = (
        Commitment.objects.filter(
            state__in=CONFIRMED_STATES,
            reply__state__in=SENT_STATES,
            reply__assignment__proposal__in=item_ids,
        )
        .values("reply__assignment__proposal_id")
        .annotate(
            made=Count("pk"),
            delivered=Count("pk", filter=Q(state=CommitmentState.DELIVERED)),
            overdue=Count("pk", filter=Q(state__in=still_open, due_on__lt=today)),
        )
        .order_by()
    )
    return {
        row.pop("reply__assignment__proposal_id"): PromisesKept(**row)
        for row in (rows if item_ids else ())
    }


_TOLD_FIELDS = (
    "reply",
    "position",
    "what",
    "unit__name",
    "due_on",
    "state",
    "delivered_on",
    "drop_reason",
)
