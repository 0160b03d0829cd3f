"""The reminder sweep: which reminders are due is decided by set-based SQL, and a reminder is
issued only by inserting its ledger row. The unique key (assignment, deadline, rung, repeat,
deadline version) makes a second, concurrent or post-crash sweep issue nothing twice, and a
sweep after downtime inserts everything that was missed.

People hear of a sweep's reminders through digests: one per unit member for their role, and
one per office member for the jurisdiction, each with one notification (the item itself
when it is the only one). A backlog of 100,000 overdue items is 100,000 ledger rows and a
notice per person saying so, not 100,000 notices per office member.

Before the deadline, only the latest rung that applies is sent to each audience: after
downtime, the clerk hears “1 day left” once, not also the missed “15” and “7 days left”.
Nothing here loads the open assignments into Python: a sweep is a handful of
INSERT … SELECT statements in one transaction, whatever the number of rows.
"""

import os
import time
import uuid

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import aging
from .models import (
    OPEN_ASSIGNMENT_STATES,
    OPINION_OUTSTANDING_STATES,
    REPLYING_ROLES,
    AssignmentState,
    Audience,
    DeadlineKind,
    Notification,
    Reminder,
    ReminderDigest,
    ReminderRung,
)

OPEN = tuple(OPEN_ASSIGNMENT_STATES)
REPLYING = ", ".join(f"'{role}'" for role in REPLYING_ROLES)  # constants, not user input

# deadline kind → (date column, states, extra condition on the assignment)
KINDS = {
    DeadlineKind.REPLY: ("due_on", OPEN, f"a.role IN ({REPLYING})"),
    DeadlineKind.OPINION: ("due_on", tuple(OPINION_OUTSTANDING_STATES), "a.role = 'co'"),
    DeadlineKind.TRANSFER: ("transfer_until", (AssignmentState.ACCEPTED,), "1 = 1"),
    DeadlineKind.FEEDBACK: ("feedback_until", (AssignmentState.REPLIED,), "1 = 1"),
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
    # 承诺事项 (responses/commitment_reminders.py): the unit ahead of the date, its leader and
    # the office once it passes, monthly while it stays undelivered.
    ("commitment", -30, "clerk", 0),
    ("commitment", -7, "clerk", 0),
    ("commitment", 0, "clerk", 0),
    ("commitment", 1, "leader", 30),
    ("commitment", 1, "office", 30),
]


def install_default_ladder(model=ReminderRung, kinds=None):
    """Adds the default rungs (of `kinds`, or all) that are missing (never changes the
    office's edits)."""
    for kind, offset, audience, repeat in DEFAULT_LADDER:
        if kinds is not None and kind not in kinds:
            continue
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


def repeat_sql(days):
    """Which repeat of rung `r` is due, `days` after the deadline (0 for a rung said once)."""
    return f"CASE WHEN r.repeat_days > 0 THEN ({days} - r.offset_days) / r.repeat_days ELSE 0 END"


def rung_due_sql(days):
    """Rung `r` applies `days` after the deadline: reached, and before the deadline only the
    latest rung per audience (the ladder's one rule, for assignments and commitments)."""
    return f"""{days} >= r.offset_days
          AND (r.offset_days > 0 OR {days} <= 0)
          AND NOT EXISTS (
              SELECT 1 FROM workflow_reminderrung later
              WHERE later.deadline_kind = r.deadline_kind AND later.audience = r.audience
                AND later.is_active AND later.offset_days > r.offset_days
                AND later.offset_days <= 0 AND later.offset_days <= {days})"""


def due_sql(kind):
    """Every reminder of one deadline kind due by today that the ledger lacks, one row per
    item and rung: before the deadline only the latest rung per audience applies."""
    column, states, condition = KINDS[kind]
    days = days_since(f"a.{column}")
    repeat = repeat_sql(days)
    state_list = ", ".join(f"'{s}'" for s in states)
    return f"""
        SELECT a.id, a.unit_id, r.deadline_kind, r.id, {repeat}, a.due_version, a.{column},
               %(now)s, %(batch)s
        FROM workflow_assignment a
        JOIN workflow_reminderrung r ON r.deadline_kind = '{kind}' AND r.is_active
        WHERE a.state IN ({state_list}) AND {condition}
          AND a.{column} IS NOT NULL AND a.{column} <= %(horizon_{kind})s
          AND {rung_due_sql(days)}
          AND NOT EXISTS (
              SELECT 1 FROM workflow_reminder done
              WHERE done.assignment_id = a.id AND done.rung_id = r.id
                AND done.repeat = {repeat} AND done.due_version = a.due_version)
    """


def insert_sql(kinds):
    """One INSERT of every kind's due reminders."""
    return f"""
        INSERT INTO workflow_reminder (assignment_id, unit_id, deadline_kind, rung_id, repeat,
                                       due_version, due_on, created_at, batch)
        {" UNION ALL ".join(due_sql(kind) for kind in kinds)}
    """


# Digests count the sweep's reminders per unit and audience (`counted`), then meet the
# people: the count is over items, not items × members. The office's are summed per
# jurisdiction.
DIGESTS_FROM_COUNTED = """
    INSERT INTO workflow_reminderdigest (batch, recipient_id, audience, jurisdiction_id, unit_id,
                                         items, overdue, created_at, deadline_kind)
    SELECT %(batch)s, m.user_id, c.audience, u.jurisdiction_id, u.id, SUM(c.items),
           SUM(c.overdue), %(now)s, %(digest_kind)s
    FROM counted c
    JOIN workflow_unit u ON u.id = c.unit_id
    JOIN workflow_unitmembership m ON m.unit_id = u.id AND m.role = c.audience
    JOIN proposals_user usr ON usr.id = m.user_id AND usr.is_active
    WHERE c.audience <> 'office'
    GROUP BY m.user_id, c.audience, u.jurisdiction_id, u.id
    UNION ALL
    SELECT %(batch)s, m.user_id, 'office', o.jurisdiction_id, NULL, o.items, o.overdue, %(now)s,
           %(digest_kind)s
    FROM (
        SELECT u.jurisdiction_id, SUM(c.items) AS items, SUM(c.overdue) AS overdue
        FROM counted c JOIN workflow_unit u ON u.id = c.unit_id
        WHERE c.audience = 'office'
        GROUP BY u.jurisdiction_id
    ) o
    JOIN workflow_officemembership m ON m.jurisdiction_id = o.jurisdiction_id
    JOIN proposals_user usr ON usr.id = m.user_id AND usr.is_active
"""

COUNT_BY = """
    SELECT r.audience, {rows}.unit_id, {rows}.deadline_kind, COUNT(*) AS items,
           SUM(CASE WHEN {rows}.due_on < %(today)s THEN 1 ELSE 0 END) AS overdue
    FROM {source}
    JOIN workflow_reminderrung r ON r.id = {rows}.rung_id
    GROUP BY r.audience, {rows}.unit_id, {rows}.deadline_kind
"""


def sweep_statements(kinds):
    """The sweep as SQL. PostgreSQL: one statement — the insert's RETURNING rows are counted
    in memory and become the digests, so the new rows are never read back. SQLite, which
    has no INSERT inside WITH: the insert, then the digests from the rows of this sweep."""
    if connection.vendor == "postgresql":
        issued = "issued"
        return [
            f"""
            WITH issued AS ({insert_sql(kinds)}
                            RETURNING unit_id, deadline_kind, rung_id, due_on),
                 counted AS ({COUNT_BY.format(rows=issued, source=issued)}),
                 digests AS ({DIGESTS_FROM_COUNTED} RETURNING id)
            SELECT deadline_kind, SUM(items) FROM counted GROUP BY deadline_kind
            """
        ]
    this_sweep = "workflow_reminder rm"
    counted = COUNT_BY.format(rows="rm", source=this_sweep).replace(
        "GROUP BY", "WHERE rm.created_at = %(now)s AND rm.batch = %(batch)s GROUP BY"
    )
    return [
        insert_sql(kinds),
        f"WITH counted AS ({counted}) {DIGESTS_FROM_COUNTED}",
        f"WITH counted AS ({counted}) "
        "SELECT deadline_kind, SUM(items) FROM counted GROUP BY deadline_kind",
    ]


def standing_words(due_on, today):
    kind, days = aging.standing(due_on, today)
    if kind == "overdue":
        return _("已逾期%(n)d天") % {"n": days}
    if kind == "today":
        return _("今日到期")
    return _("距期限还有%(n)d天") % {"n": days}


def lone_assignment(single):
    """The proposal and title of the notice of a lone assignment reminder."""
    proposal = single.assignment.proposal
    return (
        proposal,
        f"【{single.get_deadline_kind_display()}】{proposal.reference}：{proposal.title}",
    )


def assignments_count(digest):
    """The title, body and list link of the notice of a digest of several assignments."""
    title = _("【办理提醒】%(scope)s：%(n)d件建议提案需要关注") % {
        "scope": digest.scope.name,
        "n": digest.items,
    }
    body = _("其中已逾期%(n)d件。") % {"n": digest.overdue} if digest.overdue else ""
    return title, body, f"/reminders/{digest.pk}/"


def notification_for(digest, single, today, lone=lone_assignment, count=assignments_count):
    """The in-app notice of a digest: the item itself when there is one, else the count and
    a link to the digest's list. `lone` and `count` word it (another ledger passes its own,
    the commitments')."""
    if single is not None:
        proposal, title = lone(single)
        return Notification(
            recipient_id=digest.recipient_id,
            digest=digest,
            title=title,
            body=_("%(standing)s，期限：%(due)s")
            % {"standing": standing_words(single.due_on, today), "due": single.due_on},
            link=f"/items/{proposal.pk}/",
        )
    title, body, link = count(digest)
    return Notification(
        recipient_id=digest.recipient_id, digest=digest, title=title, body=body, link=link
    )


def scope_key(audience, unit_id, jurisdiction_id):
    # The office hears of its jurisdiction at once, a unit's people of their unit.
    return (audience, jurisdiction_id if audience == Audience.OFFICE else unit_id)


def lone_reminders(batch, now, digests, ledger=Reminder, item="assignment__proposal__session"):
    """The one reminder behind each single-item digest, in one query, by scope_key: of the
    assignments' ledger, or another (`ledger`, its rows' item reached by `item`)."""
    wanted = Q()
    for digest in digests:
        wanted |= digest.covers()
    rows = ledger.objects.filter(wanted, created_at=now, batch=batch).select_related(
        "rung", "unit", item
    )
    return {scope_key(r.rung.audience, r.unit_id, r.unit.jurisdiction_id): r for r in rows}


def notify(batch, now, today, lone_rows=None, notice=None):
    """One notification per digest of the batch (a few per unit, not one per item).
    `lone_rows` and `notice` are another ledger's (the commitments'): how it finds the row
    behind a single-item digest, and how it words the notice."""
    lone_rows, notice = lone_rows or lone_reminders, notice or notification_for
    digests = list(
        ReminderDigest.objects.filter(batch=batch).select_related("unit", "jurisdiction")
    )
    # Everyone told of one scope is told the same count, so a scope with a lone reminder
    # has only single-item digests.
    lone = [d for d in digests if d.items == 1]
    singles = lone_rows(batch, now, lone) if lone else {}
    with translation.override(settings.LANGUAGE_CODE):  # stored once, read in Chinese
        Notification.objects.bulk_create(
            notice(d, singles.get(scope_key(d.audience, d.unit_id, d.jurisdiction_id)), today)
            for d in digests
        )
    return len(digests)


def horizons(today, kinds=tuple(KINDS)):
    """Per deadline kind (of `kinds`), the latest date any active rung can concern today."""
    ahead = {}
    for kind, offset in ReminderRung.objects.filter(
        is_active=True, deadline_kind__in=kinds
    ).values_list("deadline_kind", "offset_days"):
        ahead[kind] = max(ahead.get(kind, 0), -offset)
    return {kind: today + timezone.timedelta(days=days) for kind, days in ahead.items()}


def sweep_params(today, now, batch, digest_kind=""):
    """The parameters every sweep's SQL shares (this one's and the commitments')."""
    return {
        "today": today.isoformat(),
        "now": Reminder._meta.get_field("created_at").get_db_prep_value(now, connection),
        "batch": Reminder._meta.get_field("batch").get_db_prep_value(batch, connection),
        "digest_kind": digest_kind,
    }


def sweep(today=None, now=None):
    """Insert every reminder due by `today` that the ledger does not hold yet, then one digest
    per person told and its notification, all in one transaction. Returns the number of
    reminders this sweep issued per kind."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    batch = uuid.uuid4()
    params = sweep_params(today, now, batch)
    due = horizons(today)
    params |= {f"horizon_{kind}": horizon.isoformat() for kind, horizon in due.items()}
    created, digests = {}, 0
    with transaction.atomic(), connection.cursor() as cursor:
        serialize(cursor)
        if due:
            for statement in sweep_statements(due):
                cursor.execute(statement, params)
            created = {kind: int(n) for kind, n in cursor.fetchall()}
        if created:
            digests = notify(batch, now, today)
        fault_pause()
    return {
        "batch": str(batch),
        "created": created,
        "total": sum(created.values()),
        "digests": digests,
    }


SWEEP_LOCK = 0x62616E6C69  # "banli": one sweep at a time in the whole database


def serialize(cursor):
    """Sweeps queue behind one another, so each sees what the previous one wrote and the
    ledger needs no speculative insert (ON CONFLICT cost a quarter of a first run). The
    unique key still refuses a duplicate if anything else ever writes there. SQLite lets
    one writer in at a time anyway."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK])


def fault_pause():
    """Fault injection for the crash test: hold the sweep's transaction open so a worker
    can be killed inside it. Never set outside tests."""
    seconds = float(os.environ.get("BANLI_FAULT_SWEEP_PAUSE", "0"))
    if seconds:
        time.sleep(seconds)
