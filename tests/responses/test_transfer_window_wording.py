"""After 签收 the item page says plainly what the date is: the last day to ask for another
handling unit, not a deadline one may move to."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_transfer_window_reads_as_a_closing_date(client, office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    assignment.refresh_from_db()
    until = assignment.transfer_until
    client.force_login(clerk)
    page = client.get(f"/items/{assignment.proposal_id}/").content.decode()
    expected = f"如认为不属本单位职责，可在{until.month}月{until.day}日前申请调整承办单位"
    assert expected in page
    assert "可申请调整至" not in page
