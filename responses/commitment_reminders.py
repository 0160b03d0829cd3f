"""The commitments' reminder sweep: the ladder's 承诺事项期限 rungs (workflow DeadlineKind
COMMITMENT) over every tracked commitment, the unit before its due date, the unit's leader and
the proposal office once it passes. It works as the assignments' sweep (workflow/reminders.py)
does and shares its pieces: set-based SQL decides what is due, a reminder is issued only by
inserting its row into this app's ledger (CommitmentReminder, unique per commitment, rung and
repeat), sweeps queue on the same advisory lock, and people hear through the same digests and
notifications, which workflow's beat tasks send by mail and text.

Only commitments a follow-up reply may still report (落实中, 部分落实) of sent replies are
watched: a delivered or dropped one is done with, and one whose drop is asked for waits on
the office's decision, not on the unit.
"""

import uuid

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import reminders
from workflow.models import DeadlineKind
from workflow.reminders import (
    DIGESTS_FROM_COUNTED,
    days_since,
    horizons,
    serialize,
    sweep_params,
)

from .models import CommitmentReminder
from .models.commitment_states import REPORTABLE_STATES
from .models.letters import SENT_STATES

KIND = DeadlineKind.COMMITMENT


def _listed(values):
    return ", ".join(f"'{v}'" for v in sorted(values))  # the models' constants, not input


def due_sql():
    """Every commitment reminder due by today that the ledger lacks, one row per commitment
    and rung: before the due date only the latest rung per audience applies."""
    days = days_since("c.due_on")
    repeat = reminders.repeat_sql(days)
    return f"""
        SELECT c.id, c.unit_id, r.id, {repeat}, c.due_on, %(now)s, %(batch)s
        FROM responses_commitment c
        JOIN responses_reply p ON p.id = c.reply_id
        JOIN workflow_reminderrung r ON r.deadline_kind = '{KIND}' AND r.is_active
        WHERE c.state IN ({_listed(REPORTABLE_STATES)})
          AND p.state IN ({_listed(SENT_STATES)})
          AND c.due_on <= %(horizon)s
          AND {reminders.rung_due_sql(days)}
          AND NOT EXISTS (
              SELECT 1 FROM responses_commitmentreminder done
              WHERE done.commitment_id = c.id AND done.rung_id = r.id
                AND done.repeat = {repeat})
    """


INSERT = """
    INSERT INTO responses_commitmentreminder (commitment_id, unit_id, rung_id, repeat, due_on,
                                              created_at, batch)
"""

# The sweep's reminders per audience and unit: what the digests count.
COUNT = """
    SELECT r.audience, {rows}.unit_id, COUNT(*) AS items,
           SUM(CASE WHEN {rows}.due_on < %(today)s THEN 1 ELSE 0 END) AS overdue
    FROM {source}
    JOIN workflow_reminderrung r ON r.id = {rows}.rung_id
    {where}
    GROUP BY r.audience, {rows}.unit_id
"""


def sweep_statements():
    """PostgreSQL: one statement (the insert's RETURNING rows become the digests, never read
    back). SQLite, with no INSERT inside WITH: the insert, then digests from this sweep's
    rows. The last statement returns how many reminders the sweep issued."""
    if connection.vendor == "postgresql":
        counted = COUNT.format(rows="issued", source="issued", where="")
        return [
            f"""
            WITH issued AS ({INSERT} {due_sql()} RETURNING unit_id, rung_id, due_on),
                 counted AS ({counted}),
                 digests AS ({DIGESTS_FROM_COUNTED} RETURNING id)
            SELECT COALESCE(SUM(items), 0) FROM counted
            """
        ]
    counted = COUNT.format(
        rows="cr",
        source="responses_commitmentreminder cr",
        where="WHERE cr.created_at = %(now)s AND cr.batch = %(batch)s",
    )
    return [
        f"{INSERT} {due_sql()}",
        f"WITH counted AS ({counted}) {DIGESTS_FROM_COUNTED}",
        f"WITH counted AS ({counted}) SELECT COALESCE(SUM(items), 0) FROM counted",
    ]


def lone_commitment(single):
    """The proposal and title of the notice of a lone commitment reminder."""
    commitment = single.commitment
    proposal = commitment.reply.assignment.proposal
    return proposal, f"【{KIND.label}】{proposal.reference}：{commitment.what[:80]}"


def commitments_count(digest):
    """The title, body and list link of the notice of a digest of several commitments."""
    title = _("【承诺事项提醒】%(scope)s：%(n)d项承诺事项需要关注") % {
        "scope": digest.scope.name,
        "n": digest.items,
    }
    body = _("其中已逾期%(n)d项。") % {"n": digest.overdue} if digest.overdue else ""
    return title, body, f"/reminders/commitments/{digest.pk}/"


def notification_for(digest, single, today):
    """The in-app notice of a digest, worded as workflow's is for assignments: the
    commitment itself when it is the only one, else the count and a link to the list."""
    return reminders.notification_for(
        digest, single, today, lone=lone_commitment, count=commitments_count
    )


def reminders_of(digest):
    """The ledger rows a digest of commitments told its recipient about."""
    return CommitmentReminder.objects.filter(
        digest.covers(), created_at=digest.created_at, batch=digest.batch
    )


def lone_reminders(batch, now, digests):
    """The one reminder behind each single-commitment digest, in one query, by scope_key."""
    item = "commitment__reply__assignment__proposal__session"
    return reminders.lone_reminders(batch, now, digests, CommitmentReminder, item)


def sweep(today=None, now=None):
    """Insert every commitment reminder due by `today` that the ledger lacks, then the
    digests and their notifications, in one transaction. Returns how many it issued."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    batch = uuid.uuid4()
    params = sweep_params(today, now, batch, digest_kind=KIND)
    horizon = horizons(today, kinds=[KIND]).get(KIND)
    issued, digests = 0, 0
    with transaction.atomic(), connection.cursor() as cursor:
        serialize(cursor)
        if horizon is not None:
            params["horizon"] = horizon.isoformat()
            for statement in sweep_statements():
                cursor.execute(statement, params)
            issued = int(cursor.fetchone()[0] or 0)
        if issued:
            digests = reminders.notify(
                batch, now, today, lone_rows=lone_reminders, notice=notification_for
            )
    return {"batch": str(batch), "total": issued, "digests": digests}
