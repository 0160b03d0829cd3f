"""承诺事项 on the proposers' pages: each commitment of a sent reply with how it stands (落实中
with its due date, 已落实 on a day and on time, 已撤销 with the reason; a drop the office has
not decided is still 落实中), a follow-up reply as its own step with what it reported, offered
for rating; never a candidate, a draft's report or a unit's progress note, never to another
proposer; and the pages' query counts do not grow with the commitments."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories, promises

from .helpers import as_proposer

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(office, clerk, leader, kewei, person, cosigner):
    return promises.story(office, clerk, leader, kewei, [person, cosigner])


def page(client, name, pk):
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def card(html, what):
    """The commitment's own card on the page (its <li>)."""
    found = re.search(r'<li class="commitment">((?:(?!</li>).)*?' + what + r".*?)</li>", html, re.S)
    assert found, what
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def never_told(html):
    for secret in (promises.NOTE, promises.DRAFT_REPORT, promises.DROP_ASKED, "申请撤销"):
        assert secret not in html, secret


@pytest.mark.parametrize("who", ["person", "cosigner"])
def test_the_course_tells_each_commitment_and_how_it_stands(told, who, request, client):
    as_proposer(client, request.getfixturevalue(who))
    html = page(client, "portal-item", told.reply.assignment.proposal_id)
    delivered = card(html, "建成干细胞示范项目")
    assert "已落实" in delivered and "按期" in delivered
    assert promises.DELIVERED_NOTE in delivered and told.follow_up.doc_number in delivered
    dropped = card(html, "出台扶持办法")
    assert "已撤销" in dropped and promises.DROP_APPROVED in dropped
    asked = card(html, "开展专项调研")  # the unit asked to drop it; the office has not decided
    assert "落实中" in asked and "完成期限" in asked and "已超过完成期限" not in asked
    overdue = card(html, "完善审批流程")  # a follow-up reply in draft reports it: not yet told
    assert "落实中" in overdue and "已超过完成期限" in overdue
    never_told(html)
    # The sent follow-up reply is its own step, with what it reported, to be rated.
    step = html.split("跟踪办理答复", 1)[1]
    assert "报告的落实情况" in step and promises.DELIVERED_NOTE in step
    rate = reverse("portal-reply", args=[told.follow_up.pk]) + "#rate"
    assert f'href="{rate}"' in html
    assert html.count('class="tag">跟踪办理答复</span>') == 1  # the draft is not there


def test_my_items_count_the_promises_kept(told, cosigner, client):
    as_proposer(client, cosigner)
    html = client.get(reverse("portal-home")).content.decode()
    # Four made: one delivered, one dropped, one whose drop is undecided, one overdue.
    assert "承诺事项4项，已落实1项" in html and "1项已超过完成期限" in html


def test_a_follow_up_reply_is_read_and_rated_on_its_own_page(told, person, client):
    as_proposer(client, person)
    html = page(client, "portal-reply", told.follow_up.pk)
    assert "报告的落实情况" in html and promises.DELIVERED_NOTE in html
    assert 'id="rate"' in html and 'name="handling"' in html
    never_told(html)
    client.post(
        reverse("portal-reply", args=[told.follow_up.pk]),
        {"handling": "satisfied", "result": "basic", "comment": ""},
    )
    html = page(client, "portal-item", told.reply.assignment.proposal_id)
    step = html.split("跟踪办理答复", 1)[1].split("报告的落实情况", 1)[0]
    assert "您的意见" in step and "满意 / 基本满意" in step
    # The reply's own page tells its commitments too.
    html = page(client, "portal-reply", told.reply.pk)
    assert 'id="commitments"' in html and promises.DROP_APPROVED in html
    never_told(html)


def test_another_proposer_is_told_nothing(told, shanghai, client):
    stranger = factories.proposer("鲁民", phone="13600000000", jurisdiction=shanghai)
    as_proposer(client, stranger)
    for name, pk in (
        ("portal-item", told.reply.assignment.proposal_id),
        ("portal-reply", told.reply.pk),
        ("portal-reply", told.follow_up.pk),
        ("portal-reply", told.draft_follow_up.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404


def test_a_draft_follow_up_reply_is_not_there(told, person, client):
    as_proposer(client, person)
    response = client.get(reverse("portal-reply", args=[told.draft_follow_up.pk]))
    assert response.status_code == 404


def test_candidates_are_never_commitments(office, clerk, leader, kewei, person, client):
    reply = promises.reply_with_a_candidate(office, clerk, leader, kewei, [person])
    drafted = factories.accepted(office, clerk, kewei, proposers=[person])
    factories.contacted(drafted, clerk)
    from responses.actions import save_letter, start_reply, suggest_commitments

    draft = start_reply(drafted, clerk)
    draft = save_letter(draft, clerk, body=f"{promises.CANDIDATE}。", class_label="正在解决")
    assert suggest_commitments(draft, clerk)
    as_proposer(client, person)
    for pk in (reply.assignment.proposal_id, drafted.proposal_id):
        html = page(client, "portal-item", pk)
        assert "承诺事项" not in html and promises.CANDIDATE not in html
    html = page(client, "portal-reply", reply.pk)
    assert 'id="commitments"' not in html


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_queries_do_not_grow_with_the_commitments(
    office, clerk, leader, kewei, person, told, client
):
    plain = factories.sent_reply(office, clerk, leader, kewei, proposers=[person])
    as_proposer(client, person)
    factories.just_active(client)
    item, reply = (
        reverse("portal-item", args=[plain.assignment.proposal_id]),
        reverse("portal-reply", args=[plain.pk]),
    )
    assert queries(client, reverse("portal-home")) <= 11  # with every item's promises
    many_item = reverse("portal-item", args=[told.reply.assignment.proposal_id])
    many_reply = reverse("portal-reply", args=[told.follow_up.pk])
    queries(client, item)  # the session's first touch
    assert queries(client, many_item) <= queries(client, item)
    assert queries(client, many_reply) <= queries(client, reply)
