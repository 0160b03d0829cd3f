"""承诺事项 through the API, read-only: /api/me/ tells a proposer (lead or co-signer) each
commitment of their item's sent replies as their pages do, and a follow-up reply's report;
another proposer is told nothing; the staff's /api/replies/ carries every commitment of the
replies the person may read, candidates and progress notes included (the staff's own); the
schema documents them; and the reads' queries do not grow with the commitments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from responses.actions import rotate_api_token, save_letter, start_reply, suggest_commitments
from tests import factories, promises

pytestmark = pytest.mark.django_db


PEOPLE = (("文彬", "13900001111"), ("章毅", "13900002222"), ("鲁民", "13600000000"))


@pytest.fixture
def people(shanghai):
    return {
        name: factories.proposer(name, phone=phone, user=factories.user(), jurisdiction=shanghai)
        for name, phone in PEOPLE
    }


@pytest.fixture
def told(office, clerk, leader, kewei, people):
    return promises.story(office, clerk, leader, kewei, [people["文彬"], people["章毅"]])


def with_token(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotate_api_token(user).key}")
    return client


def never_told(body):
    for secret in (promises.NOTE, promises.DRAFT_REPORT, promises.DROP_ASKED):
        assert secret not in body, secret


@pytest.mark.parametrize("who", ["文彬", "章毅"])
def test_a_proposer_is_told_each_commitment_with_the_reply(told, people, who):
    item = told.reply.assignment.proposal_id
    response = with_token(people[who].user).get(f"/api/me/items/{item}/")
    replies = {r["id"]: r for r in response.json()["course"]["replies"]}
    assert set(replies) == {told.reply.pk, told.follow_up.pk}  # never the draft follow-up
    made = {c["what"]: c for c in replies[told.reply.pk]["commitments"]}
    assert {what: c["state"] for what, c in made.items()} == {
        "建成干细胞示范项目": "delivered",
        "出台扶持办法": "dropped",
        "开展专项调研": "open",  # its drop is asked, not decided
        "完善审批流程": "open",
    }
    assert made["建成干细胞示范项目"]["on_time"] is True
    assert made["建成干细胞示范项目"]["follow_up"] == told.follow_up.pk
    assert made["出台扶持办法"]["drop_reason"] == promises.DROP_APPROVED
    assert made["完善审批流程"]["overdue"] is True and made["完善审批流程"]["note"] == ""
    follow_up = replies[told.follow_up.pk]
    assert follow_up["kind"] == "follow_up" and follow_up["rateable"] is True
    assert [(c["what"], c["note"]) for c in follow_up["reported"]] == [
        ("建成干细胞示范项目", promises.DELIVERED_NOTE)
    ]
    never_told(response.content.decode())


def test_my_items_count_the_promises_kept(told, people):
    (row,) = with_token(people["章毅"].user).get("/api/me/items/").json()
    assert row["promises"] == {"made": 4, "delivered": 1, "overdue": 1}


def test_another_proposer_is_told_nothing(told, people):
    client = with_token(people["鲁民"].user)
    assert client.get(f"/api/me/items/{told.reply.assignment.proposal_id}/").status_code == 404
    assert client.get("/api/me/items/").json() == []


def test_a_proposer_rates_a_follow_up_reply(told, people):
    client = with_token(people["章毅"].user)
    url = f"/api/me/replies/{told.follow_up.pk}/feedback/"
    rating = {"handling": "satisfied", "result": "satisfied"}
    assert client.post(url, rating, format="json").status_code == 201
    body = client.get(f"/api/me/items/{told.reply.assignment.proposal_id}/").json()
    (follow_up,) = [r for r in body["course"]["replies"] if r["kind"] == "follow_up"]
    assert follow_up["my_feedback"]["result"] == "satisfied" and follow_up["rateable"] is False


def test_the_staff_read_every_commitment_of_a_reply(told, clerk, office, kewei):
    for user in (clerk, office):
        body = with_token(user).get(f"/api/replies/{told.reply.pk}/").json()
        rows = {c["what"]: c for c in body["commitments"]}
        assert rows["开展专项调研"]["state"] == "drop_requested"
        assert rows["开展专项调研"]["drop_reason"] == promises.DROP_ASKED
        assert [n["text"] for n in rows["完善审批流程"]["notes"]] == [promises.NOTE]
        assert rows["完善审批流程"]["outcome_note"] == promises.DRAFT_REPORT  # a draft's report
    reported = with_token(clerk).get(f"/api/replies/{told.draft_follow_up.pk}/").json()
    assert reported["reported"] == [told.overdue.pk]
    # A draft's candidates are the unit's to confirm: shown to it as candidates.
    assignment = factories.accepted(office, clerk, kewei)
    draft = start_reply(assignment, clerk)
    draft = save_letter(draft, clerk, body=f"{promises.CANDIDATE}。", class_label="正在解决")
    suggest_commitments(draft, clerk)
    body = with_token(clerk).get(f"/api/replies/{draft.pk}/").json()
    assert [c["state"] for c in body["commitments"]] == ["candidate"]


def test_the_commitments_are_read_only(told, clerk):
    client = with_token(clerk)
    assert client.patch(f"/api/replies/{told.reply.pk}/", {"commitments": []}).status_code == 405


def test_the_schema_documents_the_commitments(client):
    schema = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert {"commitments", "reported"} <= set(schema["MyReply"]["properties"])
    assert {"commitments", "reported"} <= set(schema["Reply"]["properties"])
    assert {"commitments", "reported"} <= set(schema["PublicReply"]["properties"])
    told = schema["ToldCommitment"]["properties"]
    assert set(told) >= {"what", "unit", "due_on", "state", "delivered_on", "on_time", "note"}
    assert "notes" in schema["Commitment"]["properties"] and "notes" not in told


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_reads_do_not_grow_with_the_commitments(office, clerk, leader, kewei, people):
    plain = factories.sent_reply(  # with one commitment
        office, clerk, leader, kewei, proposers=[people["文彬"]], class_label="正在解决"
    )
    mine, staff = with_token(people["文彬"].user), with_token(clerk)
    item = f"/api/me/items/{plain.assignment.proposal_id}/"
    one = (queries(mine, item), queries(staff, "/api/replies/"))
    told = promises.story(office, clerk, leader, kewei, [people["文彬"]])
    assert queries(mine, f"/api/me/items/{told.reply.assignment.proposal_id}/") <= one[0]
    assert queries(staff, "/api/replies/") <= one[1]
