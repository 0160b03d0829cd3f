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

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from workflow.models import Assignment, Notification, Reminder  # noqa: E402
from workflow.reminders import sweep  # noqa: E402


def peak_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed_sweep():
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        result = sweep()
        seconds = time.monotonic() - started
    return {"seconds": round(seconds, 2), "queries": len(queries), "sent": result["total"]}


def main():
    Reminder.objects.all().delete()
    Notification.objects.filter(reminder__isnull=False).delete()
    open_rows = Assignment.objects.open().count()
    first = timed_sweep()
    second = timed_sweep()
    reruns = [timed_sweep()["seconds"] for _ in range(3)]
    report = {
        "open_assignments": open_rows,
        "all_assignments": Assignment.objects.count(),
        "first": first,
        "second": second,
        "second_median_s": statistics.median(reruns),
        "rows_written": Reminder.objects.count()
        + Notification.objects.filter(reminder__isnull=False).count(),
        "peak_rss_mb": peak_mb(),
    }
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
