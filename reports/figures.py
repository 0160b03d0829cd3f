"""The statistics page's stored figures (reports.models): kept up to date by `refresh`, read
by `build_report`, made again from nothing by `rebuild`.

Every verb writes a transition-log row naming its item (workflow.audit; a test lists every
verb), so the log says which items changed: `refresh`, run by beat every minute, reads the
rows written since its last run, and counts again the (session, unit) pairs of those items'
assignments from the assignments themselves, with the same fold as `yearend.direct_report`.
Log ids are handed out before a transaction commits, so an id missing below the newest one
read may belong to a verb still running: such ids are looked for again on the next runs
(for an hour; after that the transaction was rolled back). A change of the working-day
calendar or the deadline rules moves 按时签收 of any assignment: everything is counted again.

Nothing of the figures depends on the day they are read except the overdue count, stored per
due date and summed up to today by `build_report`.
"""

import hashlib
import time
from collections import Counter, defaultdict
from contextlib import suppress
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from responses.models import Commitment, Delivery, Feedback
from workflow.models import (
    Assignment,
    AssignmentState,
    CalendarDay,
    CalendarYear,
    DeadlineRule,
    TransitionLog,
)

from . import yearend
from .models import FiguresWatermark, MonthFigures, OpenByDueDate, UnitFigures

TRANSFERRED = AssignmentState.TRANSFERRED
GAP_SECONDS = 3600  # how long a missing log id is waited for
MAX_GAPS = 5000
CHUNK = 2000


# ---- reading ----------------------------------------------------------------------------------
def scoped(model, jurisdiction_ids, data):
    """Stored rows of the office's jurisdictions, narrowed as `Assignment.of_items` narrows."""
    lookups = {"year": "session__year", "body": "session__body", "session": "session"}
    lookups["kind"] = "kind"
    rows = model.objects.filter(unit__jurisdiction_id__in=jurisdiction_ids)
    return rows.filter(**{lookups[k]: data[k] for k in lookups if data.get(k)}).order_by()


def build_report(jurisdiction_ids, data, today=None):
    """The statistics of one filter from the stored figures: three sums and the names. On a
    database whose figures were never counted (just migrated) the worker is asked to count
    them now, not in a minute (where tasks run in the request, as in tests, they are counted
    before reading); until then the report says so (`pending`)."""
    today = today or timezone.localdate()
    pending = not FiguresWatermark.objects.exists()
    if pending:
        pending = _ask_for_count()
    by_unit, by_session, total = {}, {}, yearend.Tally(label=_("合计"))
    columns = [f.attname for f in UnitFigures._meta.concrete_fields if f.name != "id"]
    for row in scoped(UnitFigures, jurisdiction_ids, data).values(*columns):
        for tally in _tallies(by_unit, by_session, total, row):
            tally.add_stored(row)
    overdue = scoped(OpenByDueDate, jurisdiction_ids, data).filter(due_on__lt=today)
    sums = overdue.values("session_id", "unit_id").annotate(n=Sum("open"), c=Sum("commitments"))
    for row in sums:
        for tally in _tallies(by_unit, by_session, total, row):
            tally.overdue += row["n"]
            tally.commitments_overdue += row["c"]
    months = {}
    monthly = scoped(MonthFigures, jurisdiction_ids, data).values("month")
    for row in monthly.annotate(a=Sum("assigned"), r=Sum("replied")):
        months[row["month"].strftime("%Y-%m")] = {"assigned": row["a"], "replied": row["r"]}
    report = yearend.assemble(by_unit, by_session, total, months, today)
    report.pending = pending
    return report


def _ask_for_count():
    """Queues the first count (a national database's takes a minute or two: not in a request);
    whether the figures are still to come."""
    from .tasks import refresh_figures  # the task module imports this one

    with suppress(KombuError):  # the broker is down: beat's next run counts them
        refresh_figures.delay()
    return not FiguresWatermark.objects.exists()


def _tallies(by_unit, by_session, total, row):
    unit, session = row["unit_id"], row["session_id"]
    return yearend.tally_of(by_unit, unit), yearend.tally_of(by_session, session), total


# ---- counting -----------------------------------------------------------------------------------
def count(assignments, commitments, forms=None, stream=True):
    """The stored rows of these assignments and commitments, unsaved: one UnitFigures per
    (session, kind, unit), MonthFigures per month, OpenByDueDate per due date. `forms`: the
    feedback forms on their replies, when not looked up by the assignments' ids (a few
    thousand); the replies that kept their promises are then found by a join too."""
    tallies, months, owing, ids = {}, defaultdict(lambda: [0, 0]), Counter(), []
    for facts in yearend.assignment_facts(assignments, stream):
        ids.append(facts.pk)
        yearend.tally_of(tallies, facts.key).add(facts.accepted_on_time, False, *facts.counts)
        months[facts.key, facts.assigned_on.replace(day=1)][0] += 1
        if facts.first_on:
            months[facts.key, facts.first_on.replace(day=1)][1] += 1
        if facts.owing:
            owing[facts.key, facts.due_on] += 1
    kept = yearend.kept_replies()
    if forms is None:
        forms, kept = _by_ids(ids, Feedback.objects, "reply__assignment"), _by_ids(ids, kept)
    else:
        forms, kept = [forms], [kept.filter(assignment__in=assignments)]
    for chunk in forms:
        for key, *rating in yearend.feedback_counts(chunk):
            tallies[key].add_feedback(*rating)
    for chunk in kept:
        for key, n in yearend.kept_counts(chunk):
            tallies[key].kept += n
    standing = Counter()
    for key, state, on_time, due_on, n in yearend.commitment_rows(commitments):
        yearend.tally_of(tallies, key).add_commitments(state, on_time, n)
        if due_on:
            standing[key, due_on] += n
    return (
        [UnitFigures(**_keyed(key), **t.stored_columns()) for key, t in tallies.items()],
        [
            MonthFigures(**_keyed(key), month=month, assigned=a, replied=r)
            for (key, month), (a, r) in months.items()
        ],
        [
            OpenByDueDate(**_keyed(key), due_on=due, open=owing[key, due], commitments=c)
            for (key, due), c in ((k, standing[k]) for k in owing.keys() | standing.keys())
        ],
    )


def _by_ids(ids, rows, path="assignment"):
    """`rows` of the assignments `ids`, a chunk at a time."""
    for start in range(0, len(ids), CHUNK):
        yield rows.filter(**{f"{path}_id__in": ids[start : start + CHUNK]})


def _keyed(key):
    session, kind, unit = key
    return {"session_id": session, "kind": kind, "unit_id": unit}


def recount(session_id, unit_ids=None):
    """Counts one session's figures again, of the given units or of all."""
    assignments = Assignment.objects.current().filter(proposal__session_id=session_id)
    # counted at the unit that delivers them, which need not be the one that replied
    commitments = Commitment.objects.made().filter(
        reply__assignment__proposal__session_id=session_id
    )
    if unit_ids is not None:  # a few thousand rows, their forms found by their ids
        assignments = assignments.filter(unit_id__in=unit_ids)
        rows = count(assignments, commitments.filter(unit_id__in=unit_ids), stream=False)
    else:  # a session's forms by joins from their side: faster than by 100,000 ids
        forms = Feedback.objects.filter(reply__assignment__proposal__session_id=session_id)
        rows = count(assignments, commitments, forms.exclude(reply__assignment__state=TRANSFERRED))
    for model, made in zip((UnitFigures, MonthFigures, OpenByDueDate), rows, strict=True):
        stale = model.objects.filter(session_id=session_id)
        if unit_ids is not None:
            stale = stale.filter(unit_id__in=unit_ids)
        stale.delete()
        model.objects.bulk_create(made, batch_size=CHUNK)


def rebuild():
    """Every stored figure counted again from the assignments (`manage.py rebuild_figures`,
    and `refresh` when the calendar or the rules changed). Returns the sessions counted."""
    with transaction.atomic():
        mark = _watermark()
        top = TransitionLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (UnitFigures, MonthFigures, OpenByDueDate):
            model.objects.all().delete()
        sessions = sorted(
            set(Assignment.objects.order_by().values_list("proposal__session_id", flat=True))
        )
        for session_id in sessions:
            recount(session_id)
        _analyze()
        # the ids just below the newest may be verbs still running: looked for next time
        seen = set(TransitionLog.objects.filter(pk__gt=top - 1000).values_list("pk", flat=True))
        _advance(mark, top, seen, max(0, top - 1000), rules_digest())
        return len(sessions)


# ---- refreshing -------------------------------------------------------------------------------
def refresh():
    """Counts again what the verbs changed since the last run (beat, every minute). Runs queue
    on the watermark's row lock: one that finds another still running leaves the work to it
    and the next. Returns how many (session, unit) pairs were counted, "all" when everything
    was, or None when another run was under way."""
    with transaction.atomic():
        mark = _watermark(wait=False)
        if mark is None:
            return None
        digest = rules_digest()
        if digest != mark.rules_digest:
            rebuild()
            return "all"
        gap_ids = [pk for pk, _since in mark.gaps]
        logs = TransitionLog.objects.filter(Q(pk__gt=mark.last_log_id) | Q(pk__in=gap_ids))
        fields = ("pk", "proposal_id", "content_type_id", "object_id")
        rows = list(logs.order_by().values_list(*fields))
        seen = {pk for pk, *_rest in rows}
        pairs = changed_pairs(rows)
        by_session = defaultdict(set)
        for session_id, unit_id in pairs:
            by_session[session_id].add(unit_id)
        for session_id, units in by_session.items():
            recount(session_id, sorted(units))
        top = max(seen | {mark.last_log_id})
        _advance(mark, top, seen, mark.last_log_id, digest)
        return len(pairs)


def changed_pairs(logs):
    """The (session, unit) pairs of every assignment of the items these log rows are about
    (those re-routed elsewhere too: their old unit counts one fewer)."""
    items = {proposal for _pk, proposal, _type, _id in logs if proposal}
    items |= _items_of_unnamed(logs)
    pairs = set()
    ids = iter(sorted(items))
    while chunk := list(islice(ids, CHUNK)):
        found = Assignment.objects.filter(proposal_id__in=chunk).order_by()
        pairs.update(found.values_list("proposal__session_id", "unit_id").distinct())
    return pairs


def _items_of_unnamed(logs):
    """Rows about a feedback form or a delivery carry no item: found through their reply."""
    items = set()
    for model in (Feedback, Delivery):
        kind = ContentType.objects.get_for_model(model).pk
        ids = [object_id for _pk, proposal, t, object_id in logs if t == kind and not proposal]
        if ids:
            found = model.objects.filter(pk__in=ids)
            items.update(found.values_list("reply__assignment__proposal_id", flat=True))
    return items


def _watermark(wait=True):
    """The watermark's row, locked; None when another run holds it and `wait` is false."""
    FiguresWatermark.objects.get_or_create(pk=1)
    rows = FiguresWatermark.objects.select_for_update(skip_locked=not wait).filter(pk=1)
    return rows.first()


def _advance(mark, top, seen, below, digest):
    """Moves the watermark to `top`, keeping the ids not yet seen between `below` and `top`,
    and the older ones still waited for."""
    now = int(time.time())
    kept = [[pk, since] for pk, since in mark.gaps if pk not in seen and now - since < GAP_SECONDS]
    missing = [[pk, now] for pk in range(below + 1, top) if pk not in seen]
    mark.gaps = (kept + missing)[-MAX_GAPS:]
    mark.last_log_id, mark.rules_digest = top, digest
    mark.refreshed_at = timezone.now()
    mark.save()


def _analyze():
    """Fresh planner statistics after rewriting every row (PostgreSQL): with none, the page's
    sums are planned for a few rows."""
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in (UnitFigures, MonthFigures, OpenByDueDate)]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def rules_digest():
    """A digest of what decides each 签收 deadline: the calendar and the deadline rules."""
    digest = hashlib.sha256()
    for model in (CalendarDay, CalendarYear, DeadlineRule):
        for row in model.objects.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()
