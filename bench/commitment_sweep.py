"""The commitments' reminder sweep (responses/commitment_reminders.py) over every commitment
of the generated data: first run, the second run that sends nothing, three more reruns, the
lower bound and peak memory of the process.

    DATABASE_URL=postgres://…/banli_bench python -m bench.commitment_sweep
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

from responses.commitment_reminders import KIND, due_sql, sweep  # noqa: E402
from responses.models import Commitment, CommitmentReminder  # noqa: E402
from workflow.models import Notification, ReminderDigest  # noqa: E402
from workflow.reminders import horizons, sweep_params  # noqa: E402


def peak_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def timed_sweep():
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        result = sweep()
        seconds = time.monotonic() - started
    return {"seconds": round(seconds, 2), "queries": len(queries), "sent": result["total"]}


def lower_bound():
    """The same reminder rows from the sweep's SELECT alone into an unindexed temporary
    table: no ledger key to keep, no digests to count."""
    today = timezone.localdate()
    params = sweep_params(today, timezone.now(), uuid.uuid4(), KIND)
    params["horizon"] = horizons(today, kinds=[KIND])[KIND].isoformat()
    with connection.cursor() as cursor:
        started = time.monotonic()
        columns = ", ".join(f"c{i}" for i in range(7))
        cursor.execute(f"CREATE TEMP TABLE commitment_bound ({columns}) AS {due_sql()}", params)
        seconds = time.monotonic() - started
        cursor.execute("SELECT count(*) FROM commitment_bound")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE commitment_bound")
    return round(seconds, 2), rows


def main():
    told = ReminderDigest.objects.filter(deadline_kind=KIND)
    Notification.objects.filter(digest__in=told).delete()
    told.delete()
    CommitmentReminder.objects.all().delete()
    bound_s, bound_rows = lower_bound()
    first = timed_sweep()
    second = timed_sweep()
    reruns = [timed_sweep()["seconds"] for _ in range(3)]
    report = {
        "commitments": Commitment.objects.count(),
        "tracked": Commitment.objects.tracked().count(),
        "first": first,
        "lower_bound_s": bound_s,
        "lower_bound_rows": bound_rows,
        "ratio": round(first["seconds"] / bound_s, 1) if bound_s else None,
        "second": second,
        "second_median_s": statistics.median(reruns),
        "reminders": CommitmentReminder.objects.count(),
        "digests": told.count(),
        "peak_rss_mb": peak_mb(),
    }
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
