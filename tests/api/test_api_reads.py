"""The API reads what the pages show, narrowed by the same roles: every endpoint × every role,
and drafts, withheld texts and contact details never leave."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from responses.actions import publish_letter, rotate_api_token, save_letter, start_reply
from tests import factories
from workflow.actions import accept_assignment, assign_proposal

pytestmark = pytest.mark.django_db
PHONE = "13900001111"


@pytest.fixture
def world(office, kewei, clerk, leader):
    other_unit = factories.unit("上海市教育委员会", organ_code="沪教")
    person = factories.proposer("文彬", phone=PHONE)
    item = factories.filed(office, proposers=[person], title="关于干细胞库的提案")
    (own,) = assign_proposal(item, office, lead=kewei)
    accept_assignment(own, clerk)
    draft = start_reply(own, clerk)
    save_letter(draft, clerk, body="内部草稿：尚未签发", class_label="解决采纳")
    published = factories.sent_reply(office, clerk, leader, kewei, title="关于干细胞治疗的提案")
    publish_letter(published, clerk)
    elsewhere = factories.filed(office, title="关于课后服务的提案")
    assign_proposal(elsewhere, office, lead=other_unit)
    return {
        "users": {
            "clerk": clerk,
            "leader": leader,
            "other_unit": factories.member(other_unit, "clerk"),
            "office": office,
            "admin": factories.user("root", is_staff=True, is_superuser=True),
        },
        "item": item,
        "elsewhere": elsewhere,
        "draft": draft,
        "published": published,
        "own": own,
    }


def api(user=None, token=False):
    client = APIClient()
    if user is not None and token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {rotate_api_token(user).key}")
    elif user is not None:
        client.force_authenticate(user)
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_every_endpoint_for_every_role(world):
    item, elsewhere, draft = world["item"], world["elsewhere"], world["draft"]
    published = world["published"]
    expected = {
        # role: (proposals, replies, assignments)
        "clerk": ({item.pk, published.assignment.proposal_id}, {draft.pk, published.pk}, 2),
        "leader": ({item.pk, published.assignment.proposal_id}, {draft.pk, published.pk}, 2),
        "other_unit": ({elsewhere.pk}, set(), 1),
        "office": (
            {item.pk, elsewhere.pk, published.assignment.proposal_id},
            {draft.pk, published.pk},
            3,
        ),
        "admin": (set(), set(), 0),
    }
    for role, (items, replies, assignments) in expected.items():
        client = api(world["users"][role], token=True)
        assert ids(client.get("/api/proposals/")) == items, role
        assert ids(client.get("/api/replies/")) == replies, role
        assert len(ids(client.get("/api/assignments/"))) == assignments, role
    for url in ("/api/proposals/", "/api/replies/", "/api/assignments/"):
        assert api().get(url).status_code in (401, 403)


def test_another_units_item_is_not_found(world):
    client = api(world["users"]["other_unit"])
    assert client.get(f"/api/proposals/{world['item'].pk}/").status_code == 404
    assert client.get(f"/api/replies/{world['draft'].pk}/").status_code == 404


def test_the_public_reads_published_replies_only(world):
    rows = api().get("/api/public/replies/").json()["results"]
    assert [r["id"] for r in rows] == [world["published"].pk]
    found = api().get("/api/public/replies/", {"q": "干细胞治疗"}).json()["results"]
    assert [r["id"] for r in found] == [world["published"].pk]
    assert api().get(f"/api/public/replies/{world['draft'].pk}/").status_code == 404


def test_no_draft_text_or_phone_reaches_those_who_may_not_see_it(world):
    for role in ("other_unit", "admin"):
        client = api(world["users"][role])
        for url in ("/api/proposals/", "/api/replies/", "/api/assignments/"):
            body = client.get(url).content.decode()
            assert "内部草稿" not in body and PHONE not in body
    body = api(world["users"]["office"]).get(f"/api/proposals/{world['item'].pk}/").content
    assert PHONE.encode() not in body  # contact details never leave through the API
    assert "内部草稿" not in api().get("/api/public/replies/").content.decode()


def test_filters_and_bad_numbers(world):
    client = api(world["users"]["office"])
    assert ids(client.get("/api/proposals/", {"q": "课后服务"})) == {world["elsewhere"].pk}
    assert client.get("/api/proposals/", {"session": "²"}).status_code == 400
    assert client.get("/api/assignments/", {"unit": "1e9"}).status_code == 400
    assert len(ids(client.get("/api/assignments/", {"state": "pending"}))) == 1


def test_assignments_are_filtered_by_session(world):
    client = api(world["users"]["office"])
    own_session = world["item"].session_id
    other = factories.session(term=14, meeting=3, year=2025)
    moved = factories.filed(world["users"]["office"], sess=other, title="关于夜间公交的提案")
    (later,) = assign_proposal(moved, world["users"]["office"], lead=world["own"].unit)
    everyone = ids(client.get("/api/assignments/"))
    in_session = ids(client.get("/api/assignments/", {"session": own_session}))
    assert later.pk in everyone and later.pk not in in_session
    assert world["own"].pk in in_session
    assert ids(client.get("/api/assignments/", {"session": other.pk})) == {later.pk}
    assert client.get("/api/assignments/", {"session": "x"}).status_code == 400


def test_a_token_stops_working_when_it_runs_out(world, client, settings):
    office = world["users"]["office"]
    caller = api(office, token=True)
    assert caller.get("/api/assignments/").status_code == 200
    Token.objects.filter(user=office).update(
        created=timezone.now() - timedelta(days=settings.API_TOKEN_DAYS, minutes=1)
    )
    refused = caller.get("/api/assignments/")
    assert refused.status_code in (401, 403) and "过期" in refused.json()["detail"]
    client.force_login(office)
    page = client.get("/api/token/").content.decode()
    assert "此令牌已过期" in page and "有效至" in page
