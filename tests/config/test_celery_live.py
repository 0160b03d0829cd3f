"""A task enqueued by a request, on commit, runs in a real worker on Redis; beat ticks."""

import pytest

from tests import factories
from tests.services import celery_worker, require_postgres, require_redis, wait_for
from workflow.models import Heartbeat

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


def test_probe_from_the_status_page_is_completed_by_a_live_worker(client):
    require_postgres()
    require_redis()
    client.force_login(factories.user("ops", is_superuser=True))
    with celery_worker():
        response = client.post("/status/probe")
        assert response.status_code == 302
        probe = Heartbeat.objects.get(kind=Heartbeat.Kind.PROBE)
        done = wait_for(
            lambda: Heartbeat.objects.filter(pk=probe.pk, done_at__isnull=False).first()
        )
    assert done is not None, "the worker did not complete the probe"
    assert done.worker
    page = client.get("/status/").content.decode()
    assert "已由" in page and done.worker in page


def test_beat_schedules_the_heartbeat_and_the_worker_runs_it(client):
    require_postgres()
    client.force_login(factories.user("ops", is_superuser=True))  # the details are for staff
    require_redis()
    with celery_worker(beat=True, extra_env={"BANLI_HEARTBEAT_SECONDS": "1"}):
        tick = wait_for(lambda: Heartbeat.objects.filter(kind=Heartbeat.Kind.BEAT).first())
    assert tick is not None and tick.done_at is not None
    health = client.get("/healthz").json()
    assert health["worker"]["ok"] is True
    assert health["broker"]["transport"] == "redis"
