"""登记 and review of an item (proposals.Proposal) by the proposal office: receive, correct,
start review, file, reject, merge, return, convert.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from proposals import bigrams
from proposals.models import (
    CORRECTABLE_STATES,
    REVIEW_PERMISSION,
    Proposal,
    Proposer,
    TitlePieces,
)

from ..audit import ActionRefused, fire, lock, log
from ..permissions import require_office
from ..proposer_contacts import ProposerEntry
from ..proposer_notices import ProposerEvent, tell_proposers
from .filing import draft_follows_return
from .proposers import proposers_for_entries
from .registration import register, require_one_line, require_registrable


@transaction.atomic
def receive_proposal(actor, *, session, number, title, kind, proposers, body="", **fields):
    """登记: an item enters Banli, with its proposers in order (the lead first): Proposer
    rows, entries as typed with their contacts (`ProposerEntry`: an existing namesake is
    used only when the office confirmed it), or (name, kind) pairs found or added among the
    session's jurisdiction's own."""
    require_office(actor, session.jurisdiction, REVIEW_PERMISSION)
    require_registrable(session, number, title, kind, proposers)
    proposers = _people_of(actor, session.jurisdiction, proposers)
    return register(actor, session, number, title, kind, proposers, body, **fields)


CORRECTABLE_FIELDS = ("title", "body", "topic", "is_key", "supervising_leader", "received_at")


@transaction.atomic
def correct_proposal(proposal, actor, **changes):
    """更正登记: the office corrects what was registered, until the item is assigned. The
    search pieces follow the new title and text; the log keeps what changed."""
    proposal = lock(Proposal, proposal.pk)
    require_office(actor, proposal.session.jurisdiction, REVIEW_PERMISSION)
    if proposal.state not in CORRECTABLE_STATES:
        raise ActionRefused(_("已交办的建议提案不能再更正登记内容。"))
    require_one_line(changes.get("title", ""))
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
    proposal.search_grams = bigrams.stored(proposal.title, proposal.body)
    proposal.save()
    if "title" in changed:
        TitlePieces.objects.filter(proposal=proposal).delete()
        bigrams.title_pieces([proposal])
    note = "；".join(
        f"{name}：{str(before[name])[:60]} → {str(v)[:60]}" for name, v in changed.items()
    )
    log(proposal, "correct", actor, proposal.state, proposal.state, note[:500])
    return proposal


def _people_of(actor, jurisdiction, proposers):
    typed = [p for p in proposers if isinstance(p, ProposerEntry)]
    found = iter(proposers_for_entries(actor, jurisdiction, typed) if typed else [])
    people = []
    for p in proposers:
        if isinstance(p, ProposerEntry):
            people.append(next(found))
        else:
            people.append(p if isinstance(p, Proposer) else _proposer_named(*p, jurisdiction))
    return people


def _proposer_named(name, kind, jurisdiction):
    """A namesake in another jurisdiction is another person, with contacts of their own;
    of namesakes here, the first recorded (merge the others on the duplicates page)."""
    person = Proposer.objects.filter(name=name, kind=kind, jurisdiction=jurisdiction)
    person = person.order_by("pk").first()
    return person or Proposer.objects.create(name=name, kind=kind, jurisdiction=jurisdiction)


def _review(proposal, actor, name, comment="", check=None, at=None, **fields):
    """`check(proposal)` refuses by the item's own facts, asked only once the actor is known
    to be its office (an outsider learns nothing of it). `at`: when it happened, if not now
    (past items, the demo)."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_office(actor, proposal.session.jurisdiction, REVIEW_PERMISSION)
        if check is not None:
            check(proposal)
        for field, value in fields.items():
            setattr(proposal, field, value)
        fire(proposal, name, by=actor, log_comment=comment, logged_at=at)
        return proposal


def start_review(proposal, actor, at=None):
    """审查: a CPPCC proposal goes to review (suggestions skip it)."""

    def check(proposal):
        if proposal.kind != Proposal.Kind.PROPOSAL:
            raise ActionRefused(_("代表建议不经审查，直接登记后交办。"))

    return _review(proposal, actor, "start_review", check=check, at=at)


@transaction.atomic
def file_proposal(proposal, actor, comment="", at=None):
    """立案 (for a suggestion: registered for handling); the proposers are told."""
    proposal = _review(proposal, actor, "file", comment, at=at)
    tell_proposers(
        ProposerEvent.FILED,
        proposal,
        subject=f"proposal:{proposal.pk}",
        title=lambda: (
            (
                _("您的提案“%(title)s”已立案")
                if proposal.kind == Proposal.Kind.PROPOSAL
                else _("您的建议“%(title)s”已登记办理")
            )
            % {"title": proposal.title[:40]}
        ),
        body=lambda: _("%(ref)s将交承办单位办理，交办后另行通知。") % {"ref": proposal.reference},
    )
    return proposal


@transaction.atomic
def reject_proposal(proposal, actor, reason):
    """不予立案: the reason is required and is told to the proposer."""
    if not reason.strip():
        raise ActionRefused(_("不予立案必须填写理由。"))
    proposal = _review(proposal, actor, "reject", reason, review_reason=reason)
    tell_proposers(
        ProposerEvent.NOT_FILED,
        proposal,
        subject=f"proposal:{proposal.pk}",
        title=lambda: _("您的提案“%(title)s”不予立案") % {"title": proposal.title[:40]},
        body=lambda: (
            _("%(ref)s经审查不予立案。理由：%(reason)s")
            % {"ref": proposal.reference, "reason": reason.strip()}
        ),
    )
    return proposal


def merge_proposal(proposal, actor, into, comment=""):
    """并案: handled together with `into`; every proposer still gets a reply."""

    def check(proposal):
        if into.pk == proposal.pk or into.session_id != proposal.session_id:
            raise ActionRefused(_("只能并入同一届次会议的另一件提案。"))

    return _review(proposal, actor, "merge", comment, check=check, merged_into=into)


def return_proposal(proposal, actor, reason):
    """退回修改: back to the proposer; resubmission starts a new review. An item filed online
    goes back to its proposer's draft, and the lead is told (filing.draft_follows_return)."""
    if not reason.strip():
        raise ActionRefused(_("退回修改必须说明需要修改的内容。"))
    with transaction.atomic():
        proposal = _review(proposal, actor, "return_for_revision", reason, review_reason=reason)
        draft_follows_return(proposal, actor, reason)
        return proposal


def convert_proposal(proposal, actor, reason):
    """转意见建议 / 社情民意."""
    if not reason.strip():
        raise ActionRefused(_("转为意见建议必须说明理由。"))
    return _review(proposal, actor, "convert", reason, review_reason=reason)
