"""What every registration of an item checks and writes, whoever registers it: the office's
intake (`receive_proposal`, workflow/actions/intake.py) and a proposer's online submission
(workflow/actions/filing.py). Each caller first asks who acts; these are the item's rules."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from proposals import bigrams
from proposals.models import Proposal, ProposalProposer, Proposer, kind_refusal
from proposals.untrusted import control_character_problem, control_characters

from ..audit import ActionRefused, log
from ..proposer_contacts import MAX_PROPOSERS, too_many_proposers
from ..proposer_notices import ProposerEvent, tell_proposers


def register(actor, session, number, title, kind, proposers, body="", **fields):
    """What every registration checks and writes, once the caller knows who acts (the
    office's intake, or a proposer's online submission, workflow.actions.filing): the
    Proposer rows in order, each once, of the kind the session takes and of its
    jurisdiction; the number free; the item, its search pieces, its proposers, its log row.
    Inside the caller's transaction."""
    require_registrable(session, number, title, kind, proposers)
    if len({p.pk for p in proposers}) != len(proposers):
        raise ActionRefused(_("同一提出人不能在一件中出现两次。"))
    for person in proposers:
        if refusal := kind_refusal(kind, session, person.kind):
            raise ActionRefused(refusal)
    ids = [p.pk for p in proposers]
    foreign = Proposer.objects.filter(pk__in=ids).exclude(jurisdiction=None)
    if foreign.exclude(jurisdiction=session.jurisdiction).exists():
        raise PermissionDenied(_("提出人属于其他地区，不能在本地区登记。"))
    if Proposal.objects.filter(session=session, number=number).exists():
        raise ActionRefused(
            _("%(session)s已有第%(number)s号，案号不能重复。")
            % {"session": session, "number": number}
        )
    proposal = Proposal.objects.create(
        session=session,
        number=number,
        title=title,
        kind=kind,
        body=body,
        **bigrams.item_fields(title, body),
        **fields,
    )
    bigrams.title_pieces([proposal])
    ProposalProposer.objects.bulk_create(
        ProposalProposer(proposal=proposal, proposer=p, position=i) for i, p in enumerate(proposers)
    )
    Proposer.objects.filter(pk__in=ids, jurisdiction=None).update(jurisdiction=session.jurisdiction)
    log(proposal, "receive", actor, "", proposal.state, at=fields.get("received_at"))
    _tell_received(proposal)
    return proposal


def _tell_received(proposal):
    """收到: every proposer hears the office has their item, and its number."""
    tell_proposers(
        ProposerEvent.RECEIVED,
        proposal,
        subject=f"proposal:{proposal.pk}",
        title=lambda: (
            _("已收到您的%(kind)s“%(title)s”")
            % {"kind": proposal.kind_word, "title": proposal.title[:40]}
        ),
        body=lambda: (
            _("%(ref)s已由%(office)s登记收到，办理进展将另行通知。")
            % {"ref": proposal.reference, "office": proposal.session.jurisdiction}
        ),
    )


def require_registrable(session, number, title, kind, proposers):
    """What the intake page, the API and the admin check first, asked again here: a number
    and title on one line, the kind the session's body takes, one to fifty proposers."""
    if not proposers:
        raise ActionRefused(_("至少需要一位提出人（第一位为领衔人）。"))
    if len(proposers) > MAX_PROPOSERS:
        raise ActionRefused(too_many_proposers())
    require_one_line(number, title)
    if refusal := kind_refusal(kind, session):
        raise ActionRefused(refusal)


def require_one_line(*texts):
    if any(control_characters(text) for text in texts):
        raise ActionRefused(control_character_problem())
