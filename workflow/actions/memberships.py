"""Who works where: a user joins a proposal office (with its permissions) or a unit."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from ..audit import log
from ..models import (
    OfficeMembership,
    UnitMembership,
)

OFFICE_GROUP = "建议提案处"


# The office never grants offices (only the system administrator makes a staff account) and
# never edits the audit records by hand; nothing of Django's own apps (groups, permissions).
OFFICE_READ_ONLY = ["transitionlog", "heartbeat", "documentcounter", "officemembership"]


def office_permissions():
    """Banli's records but deleting, audit rows and office memberships; the admin narrows each
    of them to the office's own jurisdictions (workflow.admin_scope)."""
    return (
        Permission.objects.filter(
            content_type__app_label__in=["proposals", "workflow", "responses"]
        )
        .exclude(codename__startswith="delete_")
        .exclude(content_type__model__in=OFFICE_READ_ONLY, codename__regex=r"^(add|change)_")
    )


@transaction.atomic
def add_office_member(user, jurisdiction, actor=None):
    """Makes `user` a member of the jurisdiction's proposal office, with its permissions
    (set afresh each time: a group granted more by an earlier version loses it). `actor` is
    who granted it (the system administrator in the admin; None for the setup commands).
    Logged when the membership is new."""
    group = Group.objects.get_or_create(name=OFFICE_GROUP)[0]
    group.permissions.set(office_permissions())
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = True  # the office also works in the admin
        user.save(update_fields=["is_staff"])
    membership, created = OfficeMembership.objects.get_or_create(
        user=user, jurisdiction=jurisdiction
    )
    if created:
        log(membership, "add_member", actor, "", "office", f"{user} · {jurisdiction}"[:500])
    return membership


@transaction.atomic
def add_unit_member(user, unit, role, actor=None):
    """Makes `user` a member of `unit` in `role` (or changes their role there); logged when
    the membership is new or its role changed."""
    before = UnitMembership.objects.filter(user=user, unit=unit).values_list("role", flat=True)
    before = before.first() or ""
    membership, _created = UnitMembership.objects.update_or_create(
        user=user, unit=unit, defaults={"role": role}
    )
    if before != role:
        log(membership, "add_member", actor, before, role, f"{user} · {unit}"[:500])
    return membership
