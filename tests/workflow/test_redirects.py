"""After a form the site sends the user back only to a path of its own: a `next` field or a
Referer naming another site (or a scheme-relative or script URL) falls back to the page's own
default. Publish, withdraw, urge, paper feedback, a refused action and marking notifications
read all used to redirect wherever `next` (or the Referer) said."""

from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory

from responses.actions import publish_letter
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.models import Notification
from workflow.redirects import back_to, local_path

pytestmark = pytest.mark.django_db

EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    "http://testserver//evil.example/",
    " //evil.example/",
    "/\t/evil.example/",
    "https:evil.example",
    "items/1/",
]


def is_local(location):
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and location[1:2] not in ("/", "\\")
    )


@pytest.fixture
def sent(office, kewei, clerk, leader):
    return factories.sent_reply(office, clerk, leader, kewei)


@pytest.fixture
def endpoints(client, office, kewei, clerk, sent):
    """Each form that takes `next`, as (path, data, where it goes by default); signed in as
    the office."""
    published = factories.sent_reply(office, clerk, factories.member(kewei, "leader"), kewei)
    publish_letter(published, clerk)
    proposer = sent.assignment.proposal.signatories.get().proposer
    Notification.objects.create(recipient=office, title="提醒")
    item = f"/items/{sent.assignment.proposal_id}/"
    client.force_login(office)
    return {
        "publish": (f"/letters/reply/{sent.pk}/publish", {"confirmed": "1"}, item),
        "withdraw": (
            f"/letters/reply/{published.pk}/withdraw",
            {"reason": "涉及个人信息", "confirmed": "1"},
            f"/items/{published.assignment.proposal_id}/",
        ),
        "urge": ("/office/urge", {"unit": kewei.pk, "message": "请抓紧办理"}, "/office/monitor/"),
        "paper-feedback": (
            f"/office/replies/{sent.pk}/feedback",
            {"proposer": proposer.pk, "handling": "satisfied", "result": "satisfied"},
            "/office/publication/",
        ),
        "read-all": ("/notifications/read", {}, "/notifications/"),
    }


NAMES = ["publish", "withdraw", "urge", "paper-feedback", "read-all"]


@pytest.mark.parametrize("evil", EVIL)
@pytest.mark.parametrize("name", NAMES)
def test_a_foreign_next_falls_back_to_the_pages_default(client, endpoints, name, evil):
    path, data, default = endpoints[name]
    response = client.post(path, {**data, "next": evil})
    assert response.status_code == 302
    assert is_local(response["Location"]), response["Location"]
    assert response["Location"] == default


@pytest.mark.parametrize("name", NAMES)
def test_a_local_next_is_still_honoured(client, endpoints, name):
    path, data, _default = endpoints[name]
    response = client.post(path, {**data, "next": "/office/publication/?page=2#pending"})
    assert response["Location"] == "/office/publication/?page=2#pending"


def test_marking_one_notification_read_refuses_a_scheme_relative_next(client, office):
    note = Notification.objects.create(recipient=office, title="提醒")
    client.force_login(office)
    response = client.post(f"/notifications/{note.pk}/read", {"next": "//evil.example/"})
    assert response["Location"] == "/notifications/"


@pytest.mark.parametrize("evil", EVIL)
def test_a_refused_action_does_not_follow_a_foreign_referer(client, office, evil):
    client.force_login(office)
    # an urge with no message is refused: back where the user came from, if that is here
    response = client.post("/office/urge", {}, HTTP_REFERER=evil)
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("evil", EVIL)
def test_a_refused_action_does_not_follow_a_foreign_next(client, office, evil):
    client.force_login(office)
    response = client.post("/office/urge", {"next": evil}, HTTP_REFERER="/office/monitor/")
    assert response["Location"] == "/office/monitor/"


def test_a_refused_action_returns_to_a_referer_of_this_site(client, office, clerk, kewei):
    (assignment,) = assign_proposal(factories.filed(office), office, lead=kewei)
    accept_assignment(assignment, clerk)
    client.force_login(clerk)
    # signing for it a second time is refused: back on the page the clerk came from
    response = client.post(
        f"/work/assignments/{assignment.pk}/accept",
        HTTP_REFERER=f"http://testserver/items/{assignment.proposal_id}/?tab=units",
    )
    assert response["Location"] == f"/items/{assignment.proposal_id}/?tab=units"


def test_on_https_an_http_referer_is_not_followed():
    request = RequestFactory().post("/office/urge", secure=True)
    assert local_path(request, "http://testserver/items/1/") is None
    assert local_path(request, "https://testserver/items/1/") == "/items/1/"
    assert back_to(request, None, "", "//x", default="notifications") == "notifications"


@pytest.mark.parametrize("evil", EVIL[:5])
def test_the_language_switcher_stays_on_this_site(client, evil):
    response = client.post("/i18n/setlang/", {"language": "en", "next": evil})
    assert response.status_code == 302 and is_local(response["Location"])
