"""A deadline rule or the calendar changed: every open deadline is computed anew, in bulk."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import deadlines
from ..audit import entry, log_many
from ..models import (
    Assignment,
)


def recompute_deadlines(actor=None, jurisdiction_id=None, reason="", chunk=2000):
    """A rule or the calendar changed: every open deadline is computed anew from its clock.
    Each changed deadline is logged and gets a new version (its reminders start over).
    Approved extensions are fixed dates and stay as they are."""
    cal, rules = deadlines.WorkingCalendar(), deadlines.RuleBook()
    rows = (
        Assignment.objects.open()
        .exclude(due_basis="extension")
        .select_related("proposal__session")
        .order_by("pk")
    )
    if jurisdiction_id is not None:
        rows = rows.filter(unit__jurisdiction_id=jurisdiction_id)
    changed, logs, total = [], [], 0
    content_type = ContentType.objects.get_for_model(Assignment)
    for a in rows.iterator(chunk_size=chunk):
        start = a.due_from or timezone.localdate(a.assigned_at)
        in_force = rules(a.proposal.session.jurisdiction_id, a.proposal.kind)
        new = deadlines.due_for(a.role, a.due_basis, start, in_force, cal)
        if new is None or new == a.due_on:
            continue
        comment = _("期限由%(old)s改为%(new)s") % {"old": a.due_on, "new": new}
        logs.append(
            entry(
                content_type,
                a.pk,
                a.proposal_id,
                actor,
                "recompute",
                a.state,
                a.state,
                f"{comment}（{reason}）" if reason else comment,
            )
        )
        a.due_on, a.due_version = new, a.due_version + 1
        changed.append(a)
        if len(changed) >= chunk:
            total += _save_recomputed(changed, logs)
            changed, logs = [], []
    return total + _save_recomputed(changed, logs)


def _save_recomputed(changed, logs):
    with transaction.atomic():
        # The rows first (their locks, as a verb takes them), then the chains' locks and heads.
        Assignment.objects.bulk_update(changed, ["due_on", "due_version"])
        log_many(logs)
    return len(changed)
