"""What the signed-in person may do, read once per request (two queries, whatever the page)."""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.functional import SimpleLazyObject

from proposals.models import Jurisdiction

from . import second_factor
from .models import OfficeMembership, UnitMembership


@dataclass
class Roles:
    user: object
    memberships: list = field(default_factory=list)
    office_jurisdiction_ids: set = field(default_factory=set)

    @classmethod
    def of(cls, user):
        if not user.is_authenticated:
            return cls(user)
        return cls(
            user,
            list(UnitMembership.objects.filter(user=user).select_related("unit")),
            set(
                OfficeMembership.objects.filter(user=user).values_list("jurisdiction_id", flat=True)
            ),
        )

    @property
    def jurisdiction_ids(self):
        """Where this person works: their offices' and their units' jurisdictions."""
        return self.office_jurisdiction_ids | {m.unit.jurisdiction_id for m in self.memberships}

    @property
    def is_office(self):
        return bool(self.office_jurisdiction_ids)

    @property
    def unit_ids(self):
        return {m.unit_id for m in self.memberships}

    @property
    def units(self):
        return [m.unit for m in self.memberships]

    @property
    def leader_unit_ids(self):
        return {m.unit_id for m in self.memberships if m.role == UnitMembership.Role.LEADER}

    @property
    def clerk_unit_ids(self):
        return {m.unit_id for m in self.memberships if m.role == UnitMembership.Role.CLERK}

    @property
    def is_leader(self):
        return bool(self.leader_unit_ids)

    @property
    def is_unit_member(self):
        return bool(self.memberships)

    def in_unit(self, unit_id):
        return unit_id in self.unit_ids

    def is_office_for(self, jurisdiction_id):
        return jurisdiction_id in self.office_jurisdiction_ids

    @property
    def sees_system_status(self):
        """The system's workings (database engine, broker, worker, errors) are shown to the
        system administrator and the office; anyone else learns only whether it is up."""
        return bool(self.user.is_authenticated and (self.user.is_superuser or self.is_office))

    @cached_property
    def is_office_everywhere(self):
        """Office of every jurisdiction there is: only then may it change rows all of them
        share (the holiday calendar, the reminder ladder)."""
        return self.is_office and not (
            Jurisdiction.objects.exclude(pk__in=self.office_jurisdiction_ids).exists()
        )

    @property
    def must_use_second_factor(self):
        return must_use_second_factor(self.user, self)

    @cached_property
    def second_factor_pending(self):
        """Signed in with the password, but not yet past the second factor the user has (or
        must have): such a session reaches only the sign-in pages and sees no navigation."""
        user = self.user
        if not user.is_authenticated or _verified(user):
            return False
        return second_factor.has_device(user) or self.must_use_second_factor

    @property
    def signed_in(self):
        """The whole sign-in is done (password, and the second factor where there is one)."""
        return self.user.is_authenticated and not self.second_factor_pending


def _verified(user):
    """Whether the session passed a second factor (django-otp's middleware tells)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def must_use_second_factor(user, roles=None):
    """Who may not work on a password alone (等保 level 3): whoever can open the admin
    (superusers and staff) and the office, whose rights span a whole jurisdiction. Everyone
    else may add a second factor of their own accord."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if roles is not None:
        return roles.is_office
    return OfficeMembership.objects.filter(user=user).exists()


def roles_of(request):
    """The request's roles (read once by the middleware), or read now for a bare request or
    one whose user was known only later (the API's token authentication runs in the view, so
    the middleware's roles, if anything asked for them, are an anonymous visitor's)."""
    roles = getattr(request, "roles", None)
    if roles is None or getattr(roles.user, "pk", None) != getattr(request.user, "pk", None):
        return Roles.of(request.user)
    return roles


class RolesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.roles = SimpleLazyObject(lambda: Roles.of(request.user))
        return self.get_response(request)


def roles(request):
    """Context processor: templates show each role its own navigation."""
    return {"roles": getattr(request, "roles", None)}
