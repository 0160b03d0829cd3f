"""The app boots in Chinese, reports its health, and the demo loads once."""

import pytest
from django.core.management import call_command

from proposals.models import Proposal, User
from responses.models import Opinion, Reply
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def test_login_page_speaks_chinese(client):
    page = client.get("/login/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'lang="zh-hans"' in text
    assert "登录建议提案办理系统" in text and "用户名" in text and "密码" in text


def test_chinese_even_when_the_browser_asks_for_english(client):
    page = client.get("/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert 'lang="zh-hans"' in page.content.decode()


def test_english_is_available_from_the_switcher(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/")
    assert 'lang="en"' in page.content.decode()
    assert "Sign in to Banli" in page.content.decode()


def test_pages_need_a_login(client):
    assert client.get("/").url.startswith("/login/")


def test_healthz_reports_database_and_broker_to_the_office(client, office):
    client.force_login(office)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["worker"]["ok"] is False  # no beat has ticked in the test database


def test_status_page_shows_the_office_the_checks(client, office):
    client.force_login(office)
    text = client.get("/status/").content.decode()
    assert "数据库" in text and "消息队列" in text and "后台任务" in text


def test_demo_loads_the_seeds_and_is_idempotent():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (
        Proposal.objects.count(),
        Reply.objects.count(),
        Opinion.objects.count(),
        User.objects.count(),
        TransitionLog.objects.count(),
    )
    assert Reply.objects.filter(doc_number="沪科提复〔2024〕24号", state="published").exists()
    assert Reply.objects.filter(doc_number="沪科建复〔2024〕40号", state="published").exists()
    assert Reply.objects.filter(  # “此件公开发布”: published, so others can learn from it
        doc_number="鲁科函〔2023〕86号", state="published", class_label="B"
    ).exists()
    opinion = Opinion.objects.get(title__contains="120300622")
    assert opinion.addressee == "省卫生健康委" and opinion.lead_unit.name == "云南省卫生健康委员会"
    assert User.objects.filter(username__in=["office", "clerk", "leader", "admin"]).count() == 4
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (
        Proposal.objects.count(),
        Reply.objects.count(),
        Opinion.objects.count(),
        User.objects.count(),
        TransitionLog.objects.count(),
    )
