"""Who may act on a letter: the permission functions of the letter transitions that only a
unit's leader may fire (workflow/permissions.py holds the rest, shared by every app).

The transitions name these as their `permission=`, so `can_proceed` / `has_transition_perm`
answer for pages and `require_may` for the verbs. The four-eyes rule itself is
`Letter.may_sign` (with `four_eyes_refusal` giving the words), on the letter it reads.
"""

from workflow.models import UnitMembership
from workflow.permissions import in_office, in_unit


# Returning a letter for revision: any leader of the letter's unit.
def is_unit_leader(letter, user):
    return in_unit(user, letter.assignment.unit_id, UnitMembership.Role.LEADER)


def may_sign_letter(letter, user):
    """签发: a leader of the unit who wrote none of the letter (four eyes)."""
    return letter.may_sign(user)


def may_handle_delivery(delivery, user):
    """送达: a clerk of the unit that sent the reply, or the office of its jurisdiction,
    resends a failed email or text and records a paper copy handed over or posted."""
    assignment = delivery.reply.assignment
    return in_unit(user, assignment.unit_id, UnitMembership.Role.CLERK) or in_office(
        user, assignment.proposal.session.jurisdiction_id
    )


def handles_delivery(roles, unit_id, jurisdiction_id):
    """may_handle_delivery for a page, answered from the request's roles."""
    return unit_id in roles.clerk_unit_ids or roles.is_office_for(jurisdiction_id)
