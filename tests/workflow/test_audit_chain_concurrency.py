"""On PostgreSQL, writers that log on one subject at the same moment without holding its row
lock (a deadline recompute, a re-frozen letter) queue on the chain's advisory lock: every row
is written, none forks the chain."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tests import factories
from tests.services import require_postgres
from workflow.audit import log
from workflow.models import TransitionLog

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_eight_concurrent_writers_on_one_subject_make_one_unbroken_chain(office, clerk, kewei):
    require_postgres()
    assignment = factories.accepted(office, clerk, kewei)
    before = TransitionLog.objects.filter(content_type__model="assignment", object_id=assignment.pk)
    count = before.count()
    barrier, errors = threading.Barrier(8), []

    def write(n):
        try:
            barrier.wait()
            with transaction.atomic():
                log(assignment, "note", None, "accepted", "accepted", comment=f"第{n}条")
        except Exception as exc:  # noqa: BLE001 - the test reports what any writer met
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    seqs = sorted(before.values_list("seq", flat=True))
    assert seqs == list(range(1, count + 9))
    call_command("verify_audit")  # raises on any break
