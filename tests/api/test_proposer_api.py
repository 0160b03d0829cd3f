"""The proposers' API (/api/me/): a proposer's token (issued on their settings page) reads
their own and co-signed items with the course their pages show, rates a reply and answers a
co-signing invitation through the verbs; another's item is not there; staff and proposer
routes stay apart."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from responses.actions import rotate_api_token
from responses.models import Feedback
from tests import factories
from tests.portal.helpers import as_proposer
from workflow import actions
from workflow.models import CoSignatureState

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shanghai, office, clerk, leader, kewei):
    person = factories.proposer("文彬", phone="13900001111", user=factories.user("wenbin"))
    cosigner = factories.proposer("章毅", phone="13900002222", user=factories.user("zhangyi"))
    stranger = factories.proposer("鲁民", phone="13600000000", user=factories.user("lumin"))
    reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[person, cosigner])
    other = factories.filed(office, proposers=[stranger])
    return {
        "person": person,
        "cosigner": cosigner,
        "stranger": stranger,
        "reply": reply,
        "item": reply.assignment.proposal,
        "other": other,
    }


def with_token(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotate_api_token(user).key}")
    return client


def test_a_proposer_reads_their_own_and_cosigned_items_only(world):
    item = world["item"]
    for key, part in (("person", "lead"), ("cosigner", "cosigner")):
        rows = with_token(world[key].user).get("/api/me/items/").json()
        assert [(r["id"], r["my_part"]) for r in rows] == [(item.pk, part)]
        assert rows[0]["units"][0]["unit"] == "上海市科学技术委员会"
    stranger = with_token(world["stranger"].user)
    assert [r["id"] for r in stranger.get("/api/me/items/").json()] == [world["other"].pk]
    assert stranger.get(f"/api/me/items/{item.pk}/").status_code == 404


def test_an_items_course_is_what_the_proposers_page_shows(world):
    body = with_token(world["cosigner"].user).get(f"/api/me/items/{world['item'].pk}/").json()
    course = body["course"]
    assert course["names"] == ["文彬", "章毅"]
    (reply,) = course["replies"]
    assert reply["id"] == world["reply"].pk and reply["rateable"] is True
    assert reply["my_feedback"] is None
    assert "13900001111" not in str(body)  # no proposer's contacts


def test_feedback_on_a_reply_goes_through_the_verb_once(world):
    client = with_token(world["person"].user)
    url = f"/api/me/replies/{world['reply'].pk}/feedback/"
    rating = {"handling": "satisfied", "result": "basic", "comment": "感谢"}
    response = client.post(url, rating, format="json")
    assert response.status_code == 201, response.content
    saved = Feedback.objects.get(pk=response.json()["id"])
    assert saved.proposer == world["person"] and saved.result_rating == "basic"
    assert client.post(url, rating, format="json").status_code == 409  # once per reply
    stranger = with_token(world["stranger"].user)
    assert stranger.post(url, rating, format="json").status_code == 404


def test_a_cosigner_answers_an_invitation_by_the_api(shanghai):
    session = factories.session(shanghai)
    session.filing_opens_on = timezone.localdate() - timedelta(days=1)
    session.save()
    lead = factories.proposer("文彬", jurisdiction=shanghai, user=factories.user("wb"))
    asked = factories.proposer("章毅", jurisdiction=shanghai, user=factories.user("zy"))
    draft = actions.start_draft(lead.user, session=session, lead=lead, title="关于地铁延伸的提案")
    actions.ask_cosigners(draft, lead.user, [asked])
    client = with_token(asked.user)
    (row,) = client.get("/api/me/invitations/").json()
    assert row["lead"] == "文彬" and row["open"] is True
    answered = client.post(f"/api/me/invitations/{row['id']}/confirm/")
    assert answered.status_code == 200 and answered.json()["state"] == CoSignatureState.CONFIRMED
    assert client.post(f"/api/me/invitations/{row['id']}/decline/").status_code == 409
    lead_client = with_token(lead.user)
    assert lead_client.post(f"/api/me/invitations/{row['id']}/confirm/").status_code == 404


def test_staff_and_proposer_routes_stay_apart(world, office):
    proposer = with_token(world["person"].user)
    assert proposer.get("/api/proposals/").status_code == 403
    assert proposer.get(f"/api/replies/{world['reply'].pk}/").status_code == 403
    staff = with_token(office)
    assert staff.get("/api/me/items/").status_code == 403
    assert APIClient().get("/api/me/items/").status_code in (401, 403)


def test_a_proposers_session_reaches_their_api_too(client, world):
    as_proposer(client, world["person"])
    assert client.get("/api/me/items/").status_code == 200
    assert client.get("/api/proposals/").status_code == 403


def test_the_public_api_serves_a_signed_in_proposer_as_anyone(client, world):
    as_proposer(client, world["person"])
    assert client.get("/api/public/replies/").status_code == 200
    refused = client.post("/api/feedback/", {"token": "nonsense"}, content_type="application/json")
    assert refused.status_code != 403  # the link is checked, as for anyone
    for staff_route in ("/api/replies/", "/api/proposals/", "/api/assignments/", "/api/token/"):
        assert client.get(staff_route).status_code == 403, staff_route
    assert client.get("/api/publicity/").status_code == 403  # a prefix, not a word


def test_the_schema_documents_the_proposers_routes(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/me/items/",
        "/api/me/items/{id}/",
        "/api/me/replies/{id}/feedback/",
        "/api/me/invitations/",
        "/api/me/invitations/{id}/confirm/",
        "/api/me/invitations/{id}/decline/",
    ):
        assert path in schema["paths"], path
