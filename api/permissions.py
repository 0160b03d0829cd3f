"""The API's two doors, kept apart: staff routes for the office's and the units' accounts,
and /api/me/ for a proposer's own (a deputy platform's scripts). A proposer's token opens
no staff route, and a staff account none of the proposer's (staff never act for one)."""

from rest_framework.permissions import BasePermission

from responses.proposer_selectors import is_proposer_account, proposer_of
from workflow.roles import roles_of


class StaffOnly(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and not is_proposer_account(user))


class ProposerOnly(BasePermission):
    """The proposer the account acts for, as `request.proposer` (its own, or the group it is
    a named contact of); an account that also works for the office or a unit is refused, as
    on the proposers' pages."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        roles = roles_of(request)
        if roles.is_office or roles.is_unit_member:
            return False
        request.proposer = proposer_of(request.user)
        return request.proposer is not None
