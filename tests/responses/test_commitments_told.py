"""承诺事项 outside the units: the emailed feedback link tells the proposer each commitment of
the reply and how it stands (a follow-up reply's link, what it reported, with the rating
form); the public reply page and the public API tell those of published replies only (a
withheld reply's never), without the reason of a drop or a report not yet published; nobody
outside is told a candidate, a draft's report or a progress note; and the public pages'
queries do not grow with the commitments."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from responses.actions import publish_letter, record_feedback
from responses.links import feedback_url
from tests import factories, promises

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(shanghai):
    return [factories.proposer("文彬", jurisdiction=shanghai), factories.proposer("章毅")]


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def never_told(html):
    for secret in (promises.NOTE, promises.DRAFT_REPORT, promises.DROP_ASKED, "申请撤销"):
        assert secret not in html, secret


def test_the_feedback_link_tells_the_commitments_before_and_after_rating(
    office, clerk, leader, kewei, people, client
):
    told = promises.story(office, clerk, leader, kewei, people)
    url = feedback_url(told.reply, people[1])
    html = client.get(url).content.decode()
    assert 'name="handling"' in html
    page = text(html)
    for what in ("建成干细胞示范项目", "出台扶持办法", "开展专项调研", "完善审批流程"):
        assert what in page
    assert "已落实" in page and promises.DELIVERED_NOTE in page and "按期" in page
    assert "已撤销" in page and promises.DROP_APPROVED in page and "已超过完成期限" in page
    never_told(html)
    record_feedback(told.reply, people[1], handling="satisfied", result="satisfied")
    used = client.get(url)
    assert used.status_code == 409 and promises.DELIVERED_NOTE in used.content.decode()


def test_a_follow_up_replys_link_offers_rating_and_tells_what_it_reported(
    office, clerk, leader, kewei, people, client
):
    told = promises.story(office, clerk, leader, kewei, people)
    html = client.get(feedback_url(told.follow_up, people[0])).content.decode()
    assert "跟踪办理答复" in html and 'name="handling"' in html
    assert "报告的落实情况" in html and promises.DELIVERED_NOTE in html
    assert "出台扶持办法" not in html  # not this reply's report
    never_told(html)


def test_the_public_page_tells_published_replies_commitments(
    office, clerk, leader, kewei, people, client
):
    told = promises.story(office, clerk, leader, kewei, people, publish=True)
    html = client.get(reverse("public-reply", args=[told.reply.pk])).content.decode()
    page = text(html)
    assert "承诺事项" in page and "已落实" in page and promises.DELIVERED_NOTE in page
    assert reverse("public-reply", args=[told.follow_up.pk]) in html
    assert "已撤销" in page and promises.DROP_APPROVED not in page  # the reason: the office's
    never_told(html)
    html = client.get(reverse("public-reply", args=[told.follow_up.pk])).content.decode()
    assert "报告的落实情况" in html and promises.DELIVERED_NOTE in html
    never_told(html)


def test_an_unpublished_follow_up_reply_is_not_told_publicly(
    office, clerk, leader, kewei, people, client
):
    told = promises.story(office, clerk, leader, kewei, people)
    publish_letter(told.reply, office)  # its follow-up reply stays unpublished
    html = client.get(reverse("public-reply", args=[told.reply.pk])).content.decode()
    assert "已落实" in text(html)  # the promise was kept: that is the reply's own
    assert promises.DELIVERED_NOTE not in html and told.follow_up.doc_number not in html
    assert client.get(reverse("public-reply", args=[told.follow_up.pk])).status_code == 404


def test_a_withheld_replys_commitments_are_never_public(
    office, clerk, leader, kewei, people, client
):
    withheld = {"disclosure": "withheld", "withheld_reason": "涉及个人隐私"}
    told = promises.story(office, clerk, leader, kewei, people, **withheld)
    assert told.reply.state == "withheld"
    for pk in (told.reply.pk, told.follow_up.pk):
        assert client.get(reverse("public-reply", args=[pk])).status_code == 404
    rows = APIClient().get("/api/public/replies/").json()["results"]
    assert rows == []
    assert APIClient().get(f"/api/public/replies/{told.reply.pk}/").status_code == 404
    # The proposers are told them all the same: withheld from the public, not from them.
    html = client.get(feedback_url(told.reply, people[0])).content.decode()
    assert "建成干细胞示范项目" in html and promises.DELIVERED_NOTE in html


def test_a_summary_only_replys_commitments_are_not_public(
    office, clerk, leader, kewei, people, client
):
    """The public reads a 摘要 reply's summary, not its text: what it promised (quoting the
    text) is told its proposers, not the public."""
    summary = {"disclosure": "summary", "summary": "已研究并将推进示范项目。"}
    told = promises.story(office, clerk, leader, kewei, people, publish=True, **summary)
    html = client.get(reverse("public-reply", args=[told.reply.pk])).content.decode()
    assert "已研究并将推进示范项目" in html and "建成干细胞示范项目" not in html
    body = APIClient().get(f"/api/public/replies/{told.reply.pk}/").json()
    assert body["commitments"] == []
    html = client.get(feedback_url(told.reply, people[0])).content.decode()
    assert "建成干细胞示范项目" in html


def test_a_partly_delivered_one_past_its_date_is_told_overdue(
    office, clerk, leader, kewei, people, client
):
    from datetime import timedelta

    from django.utils import timezone

    from responses.models import Commitment

    told = promises.story(office, clerk, leader, kewei, people)
    link = feedback_url(told.reply, people[0])
    before = text(client.get(link).content.decode()).count("已超过完成期限")
    Commitment.objects.filter(pk=told.delivered.pk).update(
        state="partly", due_on=timezone.localdate() - timedelta(days=3)
    )
    html = text(client.get(link).content.decode())
    assert "部分落实" in html and html.count("已超过完成期限") == before + 1


def test_the_public_api_tells_the_same(office, clerk, leader, kewei, people):
    told = promises.story(office, clerk, leader, kewei, people, publish=True)
    body = APIClient().get(f"/api/public/replies/{told.reply.pk}/").json()
    states = {c["what"]: c["state"] for c in body["commitments"]}
    assert states == {
        "建成干细胞示范项目": "delivered",
        "出台扶持办法": "dropped",
        "开展专项调研": "open",
        "完善审批流程": "open",
    }
    assert all(c["drop_reason"] == "" for c in body["commitments"])
    assert body["reported"] == []
    follow_up = APIClient().get(f"/api/public/replies/{told.follow_up.pk}/").json()
    assert [(c["what"], c["note"]) for c in follow_up["reported"]] == [
        ("建成干细胞示范项目", promises.DELIVERED_NOTE)
    ]
    never_told(str(body) + str(follow_up))


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_public_queries_do_not_grow_with_the_commitments(
    office, clerk, leader, kewei, people, client
):
    plain = publish_letter(factories.sent_reply(office, clerk, leader, kewei), office)
    told = promises.story(office, clerk, leader, kewei, people, publish=True)
    api = APIClient()
    one = queries(client, reverse("public-reply", args=[plain.pk]))
    assert queries(client, reverse("public-reply", args=[told.reply.pk])) <= one
    assert queries(client, feedback_url(told.reply, people[0])) <= queries(
        client, feedback_url(plain, plain.assignment.proposal.proposers.first())
    )
    before = queries(api, "/api/public/replies/")
    promises.story(office, clerk, leader, kewei, people, publish=True)
    assert queries(api, "/api/public/replies/") <= before
