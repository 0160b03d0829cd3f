"""/healthz and the status page tell an anonymous visitor (or any account that does not run
the system) only whether the site is up: 200 or 503, 正常 or 异常. The database engine, the
broker, the worker and any error text are for the system administrator and the office."""

import pytest
from django.db import connection

from config import health
from tests import factories

pytestmark = pytest.mark.django_db

DETAILS = ["engine", "transport", "worker", "database", "broker", connection.vendor]


@pytest.fixture
def broker_down(monkeypatch):
    def down():
        return {"ok": False, "transport": "redis", "error": "Error 111 connecting to 10.0.0.7:6379"}

    monkeypatch.setattr(health, "check_broker", down)


@pytest.fixture
def superuser():
    return factories.user("root", is_superuser=True, is_staff=True)


def test_an_anonymous_caller_gets_the_status_only(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert not any(word in response.content.decode() for word in DETAILS)


def test_an_anonymous_caller_learns_it_is_down_but_not_why(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"ok": False}
    assert "10.0.0.7" not in response.content.decode()


def test_a_clerk_gets_the_status_only(client, clerk):
    client.force_login(clerk)
    assert client.get("/healthz").json() == {"ok": True}


@pytest.mark.parametrize("who", ["office", "superuser"])
def test_the_staff_get_the_details(client, who, office, superuser, broker_down):
    client.force_login({"office": office, "superuser": superuser}[who])
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == {"ok": True, "engine": connection.vendor}
    assert body["broker"]["transport"] == "redis" and "10.0.0.7" in body["broker"]["error"]
    assert "last_beat" in body["worker"]


def test_the_status_page_shows_an_anonymous_visitor_only_up_or_down(client, broker_down):
    page = client.get("/status/").content.decode()
    assert 'id="overall" class="bad"' in page and "异常" in page
    for word in ["数据库", "消息队列", "后台任务与定时任务", "redis", "10.0.0.7", "检查后台任务"]:
        assert word not in page
    assert f">{connection.vendor}" not in page


def test_the_status_page_shows_a_clerk_only_up_or_down(client, clerk):
    client.force_login(clerk)
    page = client.get("/status/").content.decode()
    assert 'id="overall" class="ok"' in page and "消息队列" not in page


@pytest.mark.parametrize("who", ["office", "superuser"])
def test_the_status_page_shows_the_staff_every_check(client, who, office, superuser):
    client.force_login({"office": office, "superuser": superuser}[who])
    page = client.get("/status/").content.decode()
    assert "数据库" in page and "消息队列" in page and "后台任务与定时任务" in page
    assert connection.vendor in page and "检查后台任务" in page


def test_only_the_staff_may_send_a_probe(client, clerk, office):
    client.force_login(clerk)
    assert client.post("/status/probe").status_code == 403
    client.force_login(office)
    assert client.post("/status/probe").status_code == 302
