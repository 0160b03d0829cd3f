"""The main pages issue the same number of queries at a few rows and at more than a page.

A query per row or per page link shows as soon as the two counts differ: 3 rows against a
full page of 25 with a second page behind it (30 rows) catches it as surely as 200 would,
and each row is built through every verb of its stage, which is what the time goes on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responses.actions import (
    publish_letter,
    return_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

FEW, MANY = 3, PAGE_SIZE + 5  # fewer than a page; a full first page and a second one


def count_queries(client, url):
    factories.just_active(client)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def grow(n, office, kewei, clerk, leader, co_unit, co_clerk, stage):
    """n more items for the science commission, each taken to `stage`."""
    for _ in range(n):
        item = factories.filed(
            office, proposers=[factories.proposer("甲"), factories.proposer("乙")]
        )
        if stage == "accepted":  # with a co-handler, whose row the pages also show
            lead, co = assign_proposal(item, office, lead=kewei, co=[co_unit])
            accept_assignment(lead, clerk)
            accept_assignment(co, co_clerk)
            continue
        (lead,) = assign_proposal(item, office, lead=kewei)
        accept_assignment(lead, clerk)
        factories.contacted(lead, clerk)
        reply = start_reply(lead, clerk)
        reply = save_letter(reply, clerk, body="答复", class_label="解决采纳")
        with pytest.MonkeyPatch.context() as patch:  # the opinion is not awaited here
            patch.setattr(
                type(reply),
                "blocking_opinions",
                lambda self, today=None: self.outstanding_opinions().none(),
            )
            reply = submit_letter(reply, clerk)
        return_letter(reply, leader, "改")
        reply = save_letter(reply, clerk, body="答复，已修改")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(
                type(reply),
                "blocking_opinions",
                lambda self, today=None: self.outstanding_opinions().none(),
            )
            reply = submit_letter(reply, clerk)
        if stage == "submitted":
            continue
        sign_letter(reply, leader)
        reply = send_letter(reply, clerk)
        publish_letter(reply, clerk)


@pytest.fixture
def people(office, kewei, clerk, leader):
    co_unit = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    return office, kewei, clerk, leader, co_unit, factories.member(co_unit, "clerk")


@pytest.mark.parametrize(
    ("who", "url", "stage", "budget"),
    [
        ("clerk", "/work/?state=", "accepted", 12),
        # 13: the pre-flight asks the co-handlers' assignments and the recorded 沟通, once each
        ("leader", "/review/", "submitted", 14),
        # 10 once the counts are cached; 3 of these ask the calendar's admin whether the
        # office may load next year's holidays (the notice shows while a year is unloaded)
        ("office", "/office/monitor/", "accepted", 14),
        (None, "/public/", "published", 10),
    ],
)
def test_list_pages_are_constant(client, people, who, url, stage, budget):
    office, kewei, clerk, leader, co_unit, co_clerk = people
    if who:
        client.force_login({"clerk": clerk, "leader": leader, "office": office}[who])
    grow(FEW, *people, stage)
    at_few = count_queries(client, url)
    grow(MANY - FEW, *people, stage)
    at_many = count_queries(client, url)
    assert at_few == at_many, f"{url}: {at_few} queries at {FEW} rows, {at_many} at {MANY}"
    assert at_many <= budget, f"{url}: {at_many} queries"
    print(f"QUERIES {url} {at_many}")


def test_item_page_is_constant_in_its_timeline(client, people):
    office, kewei, clerk, leader, co_unit, co_clerk = people
    grow(1, *people, "accepted")
    item = kewei.assignments.get().proposal
    lead = item.assignments.get(unit=kewei)
    client.force_login(clerk)
    for _ in range(10):
        factories.contacted(lead, clerk)
    at_10 = count_queries(client, f"/items/{item.pk}/")
    for _ in range(190):
        factories.contacted(lead, clerk)
    at_200 = count_queries(client, f"/items/{item.pk}/")
    assert at_10 == at_200 and at_200 <= 30, (at_10, at_200)
    print(f"QUERIES /items/ {at_200}")
