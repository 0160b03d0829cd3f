"""Who may act: the one home of the membership tests every layer asks.

The transitions name these functions as their `permission=` (so `can_proceed` /
`has_transition_perm` answer for pages), and the verbs ask `require_office` /
`require_unit_member` (below), built on `in_office` / `in_unit`. `Roles` (roles.py)
answers the same questions for a page from memberships it loads once per request.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from proposals.models import ASSIGN_PERMISSION


def in_office(user, jurisdiction_id, permission=ASSIGN_PERMISSION):
    """A member of this jurisdiction's proposal office holding `permission`."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_perm(permission)
        and user.office_memberships.filter(jurisdiction_id=jurisdiction_id).exists()
    )


def in_unit(user, unit_id, role=None):
    """A clerk or leader of the unit (only a `role`, a UnitMembership.Role, when given)."""
    if user is None or not user.is_authenticated:
        return False
    memberships = user.unit_memberships.filter(unit_id=unit_id)
    return (memberships.filter(role=role) if role is not None else memberships).exists()


def require_office(actor, jurisdiction, permission=ASSIGN_PERMISSION):
    """The actor works in this jurisdiction's proposal office and holds `permission`."""
    if not in_office(actor, jurisdiction.pk, permission):
        raise PermissionDenied(_("只有本级建议提案处可以执行此操作。"))


def require_unit_member(actor, unit):
    if not in_unit(actor, unit.pk):
        raise PermissionDenied(_("只有承办单位本单位人员可以执行此操作。"))


# ---- transition permissions (obj, user) ----------------------------------------------------
def is_unit_member(obj, user):
    """A clerk or leader of the unit the object belongs to."""
    unit_id = obj.unit_id if hasattr(obj, "unit_id") else obj.assignment.unit_id
    return in_unit(user, unit_id)


def is_office_for(obj, user):
    """A proposal-office member of the item's jurisdiction holding the assign permission."""
    proposal = obj.proposal if hasattr(obj, "proposal") else obj.assignment.proposal
    return in_office(user, proposal.session.jurisdiction_id)


def is_unit_member_or_office(obj, user):
    return is_unit_member(obj, user) or is_office_for(obj, user)


def is_office_of_import(obj, user):
    """A proposal-office member of the import's jurisdiction holding the assign permission."""
    return in_office(user, obj.jurisdiction_id)


def follows_reply(obj, user):
    """No person fires these: sending or rating a letter advances them."""
    return False


def done_by_the_worker(obj, user):
    """No person fires these: the background check and save advance them."""
    return False


# ---- an item's proposers: who answers them, who sees and keeps their contacts ---------------
# Asked with what the caller has at hand: whether the person is the office (of the proposer's
# or the item's jurisdiction), the ids of their units (or of those where they are a clerk),
# and assignments of the item (or of the proposer's items). The pages answer from the
# request's roles, update_proposer_contacts from the actor's memberships: the same rule.
def replies_now(assignment):
    """The assignment's unit answers the proposers now: it writes the reply (lead or
    separate) and the item has not been re-routed away from it."""
    return assignment.is_current and assignment.replies_to_proposer


def handles_reply(is_office, unit_ids, assignments):
    """Who handles the proposers' reply: the office, and the units answering them now (their
    round-two card, "revise the reply against these comments", is for them alone)."""
    return is_office or any(replies_now(a) and a.unit_id in unit_ids for a in assignments)


def keeps_contacts(is_office, clerk_unit_ids, assignments):
    """Who records or corrects a proposer's mobile, email, address and preferred channel: the
    office, and the clerks of a unit answering the proposer now (the units that send
    replies)."""
    return handles_reply(is_office, clerk_unit_ids, assignments)


def sees_contacts(is_office, unit_ids, assignments):
    """Who sees a proposer's contacts (the item page, its deliveries): the office, and the
    units with a current assignment of the item; a unit it was transferred away from no
    longer does."""
    return is_office or any(a.is_current and a.unit_id in unit_ids for a in assignments)
