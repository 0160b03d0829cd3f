"""The reminder sweep over every open assignment: time, queries, rows written, peak memory of
the process, first run and the second run that sends nothing.

    DATABASE_URL=postgres://…/banli_bench python -m bench.sweep
"""

import json
import os
import resource
import statistics
import sys
import time
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from workflow.models import Assignment, Notification, Reminder, ReminderDigest  # noqa: E402
from workflow.reminders import due_sql, horizons, sweep  # noqa: E402


def peak_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed_sweep():
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        result = sweep()
        seconds = time.monotonic() - started
    return {"seconds": round(seconds, 2), "queries": len(queries), "sent": result["total"]}


def lower_bound():
    """The same reminder rows produced by one hand-written statement: every deadline kind's
    SELECT of the sweep joined by UNION ALL into a temporary table (no ledger key to keep,
    no digests to count). Returns seconds and rows."""
    today, now = timezone.localdate(), timezone.now()
    due = horizons(today)
    params = {"today": today.isoformat(), "now": now, "batch": str(uuid.uuid4())}
    params |= {f"horizon_{kind}": horizon.isoformat() for kind, horizon in due.items()}
    with connection.cursor() as cursor:
        body = " UNION ALL ".join(due_sql(kind) for kind in due)
        started = time.monotonic()
        columns = ", ".join(f"c{i}" for i in range(9))  # the ledger's columns, unnamed
        cursor.execute(f"CREATE TEMP TABLE sweep_bound ({columns}) AS {body}", params)
        seconds = time.monotonic() - started
        cursor.execute("SELECT count(*) FROM sweep_bound")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE sweep_bound")
    return round(seconds, 2), rows


def main():
    Notification.objects.filter(digest__isnull=False).delete()
    ReminderDigest.objects.all().delete()
    Reminder.objects.all().delete()
    open_rows = Assignment.objects.open().count()
    bound_s, bound_rows = lower_bound()
    first = timed_sweep()
    second = timed_sweep()
    reruns = [timed_sweep()["seconds"] for _ in range(3)]
    report = {
        "open_assignments": open_rows,
        "all_assignments": Assignment.objects.count(),
        "first": first,
        "lower_bound_s": bound_s,
        "lower_bound_rows": bound_rows,
        "ratio": round(first["seconds"] / bound_s, 1) if bound_s else None,
        "second": second,
        "second_median_s": statistics.median(reruns),
        "reminders": Reminder.objects.count(),
        "digests": ReminderDigest.objects.count(),
        "rows_written": Reminder.objects.count()
        + ReminderDigest.objects.count()
        + Notification.objects.filter(digest__isnull=False).count(),
        "peak_rss_mb": peak_mb(),
    }
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
