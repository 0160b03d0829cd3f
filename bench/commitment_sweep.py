"""The commitments' reminder sweep (responses/commitment_reminders.py) over every commitment
of the generated data: first run, the second run that sends nothing, three more reruns, the
lower bound and peak memory of the process (the frame: bench/sweep_frame.py).

    DATABASE_URL=postgres://…/banli_bench python -m bench.commitment_sweep
"""

import os
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup()

from django.utils import timezone  # noqa: E402

from bench import sweep_frame  # noqa: E402
from responses.commitment_reminders import KIND, due_sql, sweep  # noqa: E402
from responses.models import Commitment, CommitmentReminder  # noqa: E402
from workflow.models import Notification, ReminderDigest  # noqa: E402
from workflow.reminders import horizons, sweep_params  # noqa: E402


def lower_bound():
    """The same reminder rows from the sweep's SELECT alone into an unindexed temporary
    table."""
    today = timezone.localdate()
    params = sweep_params(today, timezone.now(), uuid.uuid4(), KIND)
    params["horizon"] = horizons(today, kinds=[KIND])[KIND].isoformat()
    return sweep_frame.into_temp_table(due_sql(), params, columns=7, table="commitment_bound")


def main():
    told = ReminderDigest.objects.filter(deadline_kind=KIND)
    Notification.objects.filter(digest__in=told).delete()
    told.delete()
    CommitmentReminder.objects.all().delete()
    report = {
        "commitments": Commitment.objects.count(),
        "tracked": Commitment.objects.tracked().count(),
    }
    report |= sweep_frame.runs(sweep, lower_bound)
    report |= {"reminders": CommitmentReminder.objects.count(), "digests": told.count()}
    sweep_frame.emit(report)


if __name__ == "__main__":
    main()
