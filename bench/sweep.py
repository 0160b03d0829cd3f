"""The reminder sweep over every open assignment: time, queries, rows written, peak memory of
the process, first run and the second run that sends nothing (the frame: bench/sweep_frame.py).

    DATABASE_URL=postgres://…/banli_bench python -m bench.sweep
"""

import os
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.utils import timezone  # noqa: E402

from bench import sweep_frame  # noqa: E402
from workflow.models import Assignment, Notification, Reminder, ReminderDigest  # noqa: E402
from workflow.reminders import due_sql, horizons, sweep  # noqa: E402


def lower_bound():
    """The same reminder rows produced by one hand-written statement: every deadline kind's
    SELECT of the sweep joined by UNION ALL into a temporary table. Returns seconds and
    rows."""
    today, now = timezone.localdate(), timezone.now()
    due = horizons(today)
    params = {"today": today.isoformat(), "now": now, "batch": str(uuid.uuid4())}
    params |= {f"horizon_{kind}": horizon.isoformat() for kind, horizon in due.items()}
    body = " UNION ALL ".join(due_sql(kind) for kind in due)
    # the ledger's 9 columns, unnamed
    return sweep_frame.into_temp_table(body, params, columns=9, table="sweep_bound")


def main():
    Notification.objects.filter(digest__isnull=False).delete()
    ReminderDigest.objects.all().delete()
    Reminder.objects.all().delete()
    report = {
        "open_assignments": Assignment.objects.open().count(),
        "all_assignments": Assignment.objects.count(),
    }
    report |= sweep_frame.runs(sweep, lower_bound)
    report |= {
        "reminders": Reminder.objects.count(),
        "digests": ReminderDigest.objects.count(),
        "rows_written": Reminder.objects.count()
        + ReminderDigest.objects.count()
        + Notification.objects.filter(digest__isnull=False).count(),
    }
    sweep_frame.emit(report)


if __name__ == "__main__":
    main()
