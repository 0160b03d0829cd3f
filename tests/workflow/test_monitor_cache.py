"""The overdue monitor's counts are cached per filter and day, and any verb that changes an
assignment shows on the next load: the office never acts on stale counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from workflow.actions import assign_proposal, decide_transfer, request_transfer

pytestmark = pytest.mark.django_db


def open_count(client):
    factories.just_active(client)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/office/monitor/")
    row = response.context["by_unit"][0]
    return row["total"], row["overdue"], len(queries)


def test_counts_follow_every_change_and_cost_one_query_less_when_unchanged(
    client, office, kewei, clerk
):
    (first,) = assign_proposal(factories.filed(office), office, lead=kewei)
    client.force_login(office)
    total, _overdue, cold = open_count(client)
    assert total == 1
    assert open_count(client) == (1, 0, cold - 1)  # the same answer, from the cache
    assign_proposal(factories.filed(office), office, lead=kewei)
    assert open_count(client)[0] == 2  # a new assignment shows at once
    request_transfer(first, clerk, "不属于本单位职责", None)
    decide_transfer(first.transfer_requests.get(), office, approve=True)
    assert open_count(client)[0] == 1  # transferred away: no longer open here


def test_filters_are_cached_apart(client, office, kewei):
    assign_proposal(factories.filed(office), office, lead=kewei)
    client.force_login(office)
    assert client.get("/office/monitor/").context["by_unit"][0]["total"] == 1
    assert client.get("/office/monitor/?kind=suggestion").context["by_unit"] == []


def test_the_table_lists_the_worst_fifty_units_and_offers_the_rest(client, office):
    for _ in range(52):
        assign_proposal(factories.filed(office), office, lead=factories.unit())
    client.force_login(office)
    page = client.get("/office/monitor/")
    assert len(page.context["by_unit"]) == 50 and "另有2个单位" in page.content.decode()
    assert len(client.get("/office/monitor/?units=all").context["by_unit"]) == 52
