"""交办 and 签收: the office assigns an item to units; a unit accepts it or asks for a
transfer (the office's decision is in decisions.py).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import (
    UNITS_ADDABLE_STATES,
    Proposal,
    ProposalState,
)

from .. import deadlines, notices
from ..audit import ActionRefused, fire, lock, log, require_may
from ..models import (
    Assignment,
    AssignmentState,
    TransferRequest,
)
from ..permissions import require_office
from ..proposer_notices import ProposerEvent, tell_proposers


def _new_assignment(proposal, unit, role, actor, at):
    if unit.jurisdiction_id != proposal.session.jurisdiction_id:
        raise ActionRefused(_("“%(unit)s”不属于本行政区，不能交办。") % {"unit": unit})
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    day = timezone.localdate(at)
    due = deadlines.due_for(role, "assigned", day, rules, deadlines.WorkingCalendar())
    assignment = Assignment.objects.create(
        proposal=proposal,
        unit=unit,
        role=role,
        assigned_at=at,
        assigned_by=actor,
        due_on=due,
        due_basis="assigned",
        due_from=day,
        round=proposal.round,
    )
    log(assignment, "assign", actor, "", assignment.state, _("期限 %(due)s") % {"due": due}, at=at)
    _announce_assigned(assignment)
    return assignment


def _announce_assigned(assignment):
    """新交办 reaches the unit's clerks, who sign for it."""
    proposal = assignment.proposal
    notices.announce(
        notices.Event.ASSIGNED,
        subject=f"assignment:{assignment.pk}",
        title=lambda: _("新交办：%(ref)s") % {"ref": proposal.reference},
        body=lambda: (
            _("“%(title)s”交由本单位%(role)s，办理期限%(due)s。请及时签收。")
            % {
                "title": proposal.title,
                "role": assignment.get_role_display(),
                "due": assignment.due_on,
            }
        ),
        link=reverse("item", args=[proposal.pk]),
        unit=assignment.unit,
    )


@transaction.atomic
def assign_proposal(proposal, actor, *, lead=None, co=(), separate=(), at=None):
    """交办: a lead unit with co-handlers, or separate handlers that each reply.

    Also adds units to an item already in handling (e.g. a new lead after a transfer).
    """
    proposal = lock(Proposal, proposal.pk)
    require_office(actor, proposal.session.jurisdiction)
    at = at or timezone.now()
    co, separate = list(co), list(separate)
    units = ([lead] if lead else []) + co + separate
    if not units:
        raise ActionRefused(_("请至少选择一个承办单位。"))
    if len({u.pk for u in units}) != len(units):
        raise ActionRefused(_("同一单位不能重复交办。"))
    current = proposal.assignments.current()
    current_roles = set(current.values_list("role", flat=True))
    has_lead = lead is not None or Assignment.Role.LEAD in current_roles
    has_separate = bool(separate) or Assignment.Role.SEPARATE in current_roles
    if has_lead and has_separate:
        raise ActionRefused(_("主办/会办与分办不能同时使用：请选择主办单位，或只选分办单位。"))
    if co and not has_lead:
        raise ActionRefused(_("有会办单位时必须指定一个主办单位。"))
    if lead is not None and Assignment.Role.LEAD not in Assignment.addable_roles(current_roles):
        raise ActionRefused(_("该件已有主办单位。"))
    if current.filter(unit__in=units).exists():
        raise ActionRefused(_("所选单位已在办理该件。"))
    if proposal.state == ProposalState.FILED:
        fire(proposal, "assign", by=actor, logged_at=at)
    elif proposal.state not in UNITS_ADDABLE_STATES:
        raise ActionRefused(
            _("只有已立案（登记）的件可以交办，当前状态为“%(state)s”。")
            % {"state": proposal.get_state_display()}
        )
    roles = (
        [(lead, Assignment.Role.LEAD)] * bool(lead)
        + [(u, Assignment.Role.CO) for u in co]
        + [(u, Assignment.Role.SEPARATE) for u in separate]
    )
    made = [_new_assignment(proposal, unit, role, actor, at) for unit, role in roles]
    _tell_proposers_assigned(proposal, made)
    return made


def _tell_proposers_assigned(proposal, made):
    """交办: the proposers hear which units handle their item, in which role, by when (units
    added later, e.g. after a transfer, are a notice of their own)."""
    units = "；".join(
        _("%(unit)s（%(role)s，%(due)s前答复）")
        % {"unit": a.unit.name, "role": a.get_role_display(), "due": a.due_on}
        for a in made
    )
    tell_proposers(
        ProposerEvent.ASSIGNED,
        proposal,
        subject=f"assignment:{made[0].pk}",
        title=lambda: (
            _("您的%(kind)s“%(title)s”已交办")
            % {"kind": proposal.kind_word, "title": proposal.title[:40]}
        ),
        body=lambda: _("%(ref)s已交由：%(units)s。") % {"ref": proposal.reference, "units": units},
    )


@transaction.atomic
def accept_assignment(assignment, actor, at=None):
    """签收: the unit acknowledges receipt; the objection window starts."""
    assignment = lock(Assignment, assignment.pk)
    require_may(assignment, "accept", actor)
    at = at or timezone.now()
    proposal = assignment.proposal
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    fire(
        assignment,
        "accept",
        by=actor,
        at=at,
        transfer_until=deadlines.transfer_until(
            timezone.localdate(at), rules, deadlines.WorkingCalendar()
        ),
        refusal=_("该件已签收或已调整，无需再次签收。"),
        logged_at=at,
    )
    follow_assignments(proposal.pk, actor, at)
    return assignment


def follow_assignments(proposal_id, actor, at=None):
    """The item is in handling once any unit has signed for it."""
    proposal = lock(Proposal, proposal_id)
    if (
        proposal.state == ProposalState.ASSIGNED
        and proposal.assignments.exclude(
            state__in=[AssignmentState.PENDING, AssignmentState.TRANSFERRED]
        ).exists()
    ):
        fire(proposal, "start_handling", by=actor, check_perm=False, logged_at=at)


@transaction.atomic
def request_transfer(assignment, actor, reason, suggested_unit=None):
    """申请调整: the unit asks the office to re-route a misassigned item."""
    if not reason.strip():
        raise ActionRefused(_("申请调整必须说明理由。"))
    assignment = lock(Assignment, assignment.pk)
    if (
        suggested_unit is not None
        and suggested_unit.jurisdiction_id != assignment.unit.jurisdiction_id
    ):
        raise ActionRefused(_("只能建议本地区的承办单位。"))
    require_may(assignment, "request_transfer", actor)
    fire(
        assignment,
        "request_transfer",
        by=actor,
        log_comment=reason,
        refusal=_("已超过签收后的调整申请期限（%(until)s），请按交办意见办理。")
        % {"until": assignment.transfer_until},
    )
    return TransferRequest.objects.create(
        assignment=assignment, reason=reason, requested_by=actor, suggested_unit=suggested_unit
    )
