"""The reminder sweep: which reminders are due is decided by set-based SQL, and a reminder is
sent only by inserting its ledger row. The unique key (assignment, deadline, rung, repeat,
deadline version, recipient) makes a second, concurrent or post-crash sweep send nothing
twice, and a sweep after downtime insert everything that was missed.

Before the deadline, only the latest rung that applies is sent to each audience: after
downtime, the clerk hears “1 day left” once, not also the missed “15” and “7 days left”.
Nothing here loads the open assignments into Python: a sweep is a handful of
INSERT … SELECT statements in one transaction, whatever the number of rows.
"""

import os
import time
import uuid

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DeadlineKind, Reminder, ReminderRung

OPEN = ("pending", "accepted", "transfer_requested", "reopened")

# deadline kind → (date column, states, extra condition on the assignment)
KINDS = {
    DeadlineKind.REPLY: ("due_on", OPEN, "a.role IN ('lead', 'separate')"),
    DeadlineKind.OPINION: ("due_on", ("pending", "accepted"), "a.role = 'co'"),
    DeadlineKind.TRANSFER: ("transfer_until", ("accepted",), "1 = 1"),
    DeadlineKind.FEEDBACK: ("feedback_until", ("replied",), "1 = 1"),
}

RECIPIENTS = {
    # Unit people by their role in the unit; the office of the unit's jurisdiction.
    "unit": "JOIN workflow_unitmembership m ON m.unit_id = a.unit_id AND m.role = r.audience",
    "office": (
        "JOIN workflow_unit u ON u.id = a.unit_id "
        "JOIN workflow_officemembership m ON m.jurisdiction_id = u.jurisdiction_id "
        "AND r.audience = 'office'"
    ),
}


# The default ladder (DOMAIN.md §3 and the office's usual practice): (deadline kind, days from
# the deadline, audience, repeat every n days once overdue). The office edits it in the admin.
DEFAULT_LADDER = [
    ("reply", -15, "clerk", 0),
    ("reply", -7, "clerk", 0),
    ("reply", -1, "clerk", 0),
    ("reply", -3, "leader", 0),
    ("reply", 0, "leader", 0),
    ("reply", 1, "leader", 7),
    ("reply", 1, "office", 7),
    ("opinion", -7, "clerk", 0),
    ("opinion", -1, "clerk", 0),
    ("opinion", 0, "leader", 0),
    ("opinion", 1, "leader", 7),
    ("transfer", -1, "clerk", 0),
    ("feedback", 0, "office", 0),
]


def install_default_ladder(model=ReminderRung):
    """Adds the default rungs that are missing (never changes the office's edits)."""
    for kind, offset, audience, repeat in DEFAULT_LADDER:
        model.objects.get_or_create(
            deadline_kind=kind,
            offset_days=offset,
            audience=audience,
            defaults={"repeat_days": repeat},
        )


def days_since(column):
    """Days from a date column to today (positive once it has passed), in this database."""
    if connection.vendor == "postgresql":
        return f"(CAST(%(today)s AS date) - {column})"
    return f"CAST(julianday(%(today)s) - julianday({column}) AS INTEGER)"


def insert_sql(kind, audience):
    column, states, condition = KINDS[kind]
    days = days_since(f"a.{column}")
    state_list = ", ".join(f"'{s}'" for s in states)
    audience_filter = "r.audience = 'office'" if audience == "office" else "r.audience <> 'office'"
    return f"""
        INSERT INTO workflow_reminder (assignment_id, deadline_kind, rung_id, repeat, due_version,
                                       recipient_id, unit_id, due_on, created_at, batch,
                                       emailed_at, texted_at)
        SELECT a.id, r.deadline_kind, r.id,
               CASE WHEN r.repeat_days > 0 THEN ({days} - r.offset_days) / r.repeat_days ELSE 0 END,
               a.due_version, m.user_id, a.unit_id, a.{column}, %(now)s, %(batch)s, NULL, NULL
        FROM workflow_assignment a
        JOIN workflow_reminderrung r ON r.deadline_kind = %(kind)s AND r.is_active
             AND {audience_filter}
        {RECIPIENTS[audience]}
        JOIN proposals_user usr ON usr.id = m.user_id AND usr.is_active
        WHERE a.state IN ({state_list}) AND {condition}
          AND a.{column} IS NOT NULL AND a.{column} <= %(horizon)s
          AND {days} >= r.offset_days
          AND (r.offset_days > 0 OR {days} <= 0)
          AND NOT EXISTS (
              SELECT 1 FROM workflow_reminderrung later
              WHERE later.deadline_kind = r.deadline_kind AND later.audience = r.audience
                AND later.is_active AND later.offset_days > r.offset_days
                AND later.offset_days <= 0 AND later.offset_days <= {days})
        ON CONFLICT DO NOTHING
    """


def notification_sql():
    days = days_since("rm.due_on")
    return f"""
        INSERT INTO workflow_notification (recipient_id, title, body, link, created_at,
                                           reminder_id, read_at, key)
        SELECT rm.recipient_id,
               CASE rm.deadline_kind WHEN 'reply' THEN %(reply)s WHEN 'opinion' THEN %(opinion)s
                    WHEN 'transfer' THEN %(transfer)s ELSE %(feedback)s END
               || s.name || %(no)s || p.number || %(hao)s || p.title,
               CASE WHEN {days} > 0 THEN %(overdue)s || CAST({days} AS TEXT) || %(day)s
                    WHEN {days} = 0 THEN %(due_today)s
                    ELSE %(left)s || CAST(-{days} AS TEXT) || %(day)s END
               || %(due_label)s || CAST(rm.due_on AS TEXT),
               '/items/' || CAST(p.id AS TEXT) || '/', %(now)s, rm.id, NULL, NULL
        FROM workflow_reminder rm
        JOIN workflow_assignment a ON a.id = rm.assignment_id
        JOIN proposals_proposal p ON p.id = a.proposal_id
        JOIN proposals_session s ON s.id = p.session_id
        WHERE rm.batch = %(batch)s
    """


def words():
    return {
        "reply": _("【答复期限】"),
        "opinion": _("【会办意见期限】"),
        "transfer": _("【申请调整期限】"),
        "feedback": _("【反馈期限】"),
        "no": _("第"),
        "hao": _("号："),
        "overdue": _("已逾期"),
        "left": _("距期限还有"),
        "day": _("天"),
        "due_today": _("今日到期"),
        "due_label": _("，期限："),
    }


def horizons(today):
    """Per deadline kind, the latest date any active rung can concern today."""
    ahead = {}
    for kind, offset in ReminderRung.objects.filter(is_active=True).values_list(
        "deadline_kind", "offset_days"
    ):
        ahead[kind] = max(ahead.get(kind, 0), -offset)
    return {kind: today + timezone.timedelta(days=days) for kind, days in ahead.items()}


def sweep(today=None, now=None):
    """Insert every reminder due by `today` that the ledger does not hold yet, and its
    in-app notification. Returns the number of reminders this sweep created per kind."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    batch = uuid.uuid4()
    params = {
        "today": today.isoformat(),
        "now": Reminder._meta.get_field("created_at").get_db_prep_value(now, connection),
        "batch": Reminder._meta.get_field("batch").get_db_prep_value(batch, connection),
    }
    created = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for kind, horizon in horizons(today).items():
            for audience in ("unit", "office"):
                cursor.execute(
                    insert_sql(kind, audience),
                    {**params, "kind": kind, "horizon": horizon.isoformat()},
                )
                created[kind] = created.get(kind, 0) + max(cursor.rowcount, 0)
        cursor.execute(notification_sql(), {**params, **words()})
        fault_pause()
    return {"batch": str(batch), "created": created, "total": sum(created.values())}


def fault_pause():
    """Fault injection for the crash test: hold the sweep's transaction open so a worker
    can be killed inside it. Never set outside tests."""
    seconds = float(os.environ.get("BANLI_FAULT_SWEEP_PAUSE", "0"))
    if seconds:
        time.sleep(seconds)
