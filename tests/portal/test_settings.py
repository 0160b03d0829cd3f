"""设置 (/me/settings/): a proposer chooses 通知方式 among the ways they have an address for
(or none), through the verb that audits; and issues their token for the proposers' API."""

import re

import pytest
from rest_framework.authtoken.models import Token

from tests import factories
from tests.portal.helpers import as_proposer
from workflow.models import ProposerNoticeChoice, TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return factories.proposer("文彬", phone="13900001111", email="wb@example.org")


def test_the_page_offers_the_ways_they_have_and_saves_a_choice(client, person):
    as_proposer(client, person)
    page = client.get("/me/settings/").content.decode()
    assert "通知方式" in page and "短信" in page and "不通知" in page
    response = client.post("/me/settings/notices", {"way": "sms"})
    assert response.status_code == 302 and response.url == "/me/settings/"
    assert ProposerNoticeChoice.objects.get(proposer=person).way == "sms"
    assert TransitionLog.objects.filter(transition="choose_notice_way").count() == 1
    page = client.get("/me/settings/").content.decode()
    assert re.search(r'value="sms"[^>]*checked', page)


def test_a_way_without_an_address_is_not_offered(client):
    person = factories.proposer("章毅", email="zy@example.org")
    as_proposer(client, person)
    assert 'value="sms"' not in client.get("/me/settings/").content.decode()
    client.post("/me/settings/notices", {"way": "sms"})
    assert not ProposerNoticeChoice.objects.filter(proposer=person).exists()


def test_the_proposer_issues_their_api_token_here(client, person):
    user = as_proposer(client, person)
    assert "您还没有令牌" in client.get("/me/settings/").content.decode()
    client.post("/me/settings/api-token")
    token = Token.objects.get(user=user)
    assert token.key in client.get("/me/settings/").content.decode()


def test_staff_have_no_settings_page_here(client, office):
    client.force_login(office)
    assert client.get("/me/settings/").status_code == 403
    assert client.post("/me/settings/notices", {"way": "none"}).status_code == 403
