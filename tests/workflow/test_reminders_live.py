"""Reminders with the real services: concurrent sweeps on PostgreSQL, a worker and beat on
Redis, a worker killed mid-sweep, and Redis going away while the office works."""

import os
import signal
import subprocess
import sys
from datetime import date, timedelta

import pytest
import time_machine

from responses.actions import save_letter, start_reply, submit_letter
from responses.models import Reply
from tests import factories
from tests.services import (
    ROOT,
    broker,
    celery_worker,
    database_url,
    private_redis,
    require_postgres,
    require_redis,
    wait_for,
)
from workflow.models import Notification, Reminder, ReminderDigest
from workflow.reminders import install_default_ladder

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def overdue(office, kewei, clerk, leader):
    """Ten items of the science commission, all overdue today."""
    # Transactional tests empty the tables between tests; the ladder is reference data.
    install_default_ladder()
    with time_machine.travel(date.today() - timedelta(days=120)):
        items = [factories.accepted(office, clerk, kewei) for _ in range(10)]
    return items


def expected_reminders(count):
    # Per overdue item: leader (+1), office (+1); the clerk's last pre-due rung was missed.
    return count * 2


def run_sweep_process():
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "sweep_reminders"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_sweeps_at_once_send_each_reminder_once(overdue):
    require_postgres()
    first, second = run_sweep_process(), run_sweep_process()
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert all(p.returncode == 0 for p in (first, second)), outputs
    totals = sorted(int(out.split()[0]) for out, _err in outputs)
    assert sum(totals) == expected_reminders(len(overdue)) == Reminder.objects.count()
    # Each person told once, for all ten items: the leader, and the office member.
    assert (
        ReminderDigest.objects.count()
        == Notification.objects.filter(digest__isnull=False).count()
        == 2
    )
    assert set(ReminderDigest.objects.values_list("items", flat=True)) == {len(overdue)}
    third = run_sweep_process()
    assert third.communicate(timeout=120)[0].split()[0] == "0"


def test_worker_and_beat_on_redis_deliver_reminders(overdue, clerk, leader):
    require_postgres()
    require_redis()
    with celery_worker(beat=True, extra_env={"BANLI_SWEEP_SECONDS": "1"}):
        done = wait_for(lambda: Reminder.objects.count() >= expected_reminders(len(overdue)), 90)
    assert done, f"beat's sweep delivered {Reminder.objects.count()} reminders"
    (note,) = Notification.objects.filter(
        recipient=leader, read_at__isnull=True, digest__isnull=False
    )
    assert f"{len(overdue)}件" in note.title


def test_a_worker_killed_mid_sweep_loses_and_doubles_nothing(overdue):
    require_postgres()
    require_redis()
    from workflow.tasks import sweep_reminders

    with celery_worker(extra_env={"BANLI_FAULT_SWEEP_PAUSE": "60"}) as worker:
        sweep_reminders.delay()
        # Inside the sweep's transaction: the rows exist for the worker, not for anyone else.
        assert wait_for(lambda: _sweep_in_flight(), 60), "the sweep never started"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    assert Reminder.objects.count() == 0
    with celery_worker():
        sweep_reminders.delay()
        assert wait_for(lambda: Reminder.objects.count() == expected_reminders(len(overdue)), 60)
        sweep_reminders.delay()
        wait_for(lambda: False, 3)
    assert Reminder.objects.count() == expected_reminders(len(overdue))


def _sweep_in_flight():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
            " AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_redis_down_the_office_keeps_working_and_everything_catches_up(
    overdue, office, clerk, leader, kewei, client, tmp_path
):
    require_postgres()
    require_redis()
    from workflow.tasks import sweep_reminders

    port = 6390 + os.getpid() % 500
    with (
        private_redis(tmp_path, port) as redis_server,
        broker(redis_server.url),
        celery_worker(extra_env={"REDIS_URL": redis_server.url}),
    ):
        if True:
            redis_server.stop()
            # With the broker gone the leader still signs and sends from the browser.
            reply = _submitted_reply(office, clerk, kewei, clerk_contacted=True)
            client.force_login(leader)
            response = client.post(
                f"/letters/reply/{reply.pk}/sign", {"send": "1", "confirmed": "1"}
            )
            assert response.status_code == 302
            assert client.get("/review/").status_code == 200
            sent = Reply.objects.get(pk=reply.pk)
            assert sent.state == "sent" and sent.delivered_at is None
            client.force_login(office)  # the health details are for the office
            assert client.get("/healthz").json()["broker"]["ok"] is False
            # Redis returns: the periodic jobs re-derive what was missed.
            redis_server.start()
            from responses.tasks import redeliver

            with time_machine.travel(sent.sent_at + timedelta(minutes=10), tick=True):
                assert redeliver() >= 1  # beat runs this every ten minutes
            sweep_reminders.delay()
            assert wait_for(lambda: Reply.objects.get(pk=reply.pk).delivered_at is not None, 60)
            assert wait_for(
                lambda: Reminder.objects.count() >= expected_reminders(len(overdue)), 60
            )


def _submitted_reply(office, clerk, kewei, clerk_contacted):
    assignment = factories.accepted(office, clerk, kewei)
    if clerk_contacted:
        factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="答复", class_label="解决采纳")
    return submit_letter(reply, clerk)
