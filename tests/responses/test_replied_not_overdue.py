"""A replied assignment has no deadline left to miss: no red 逾期 badge where a unit reads it."""

from datetime import date

import pytest
import time_machine

from tests import factories

pytestmark = pytest.mark.django_db


def test_replied_item_shows_no_overdue_badge_long_after_its_deadline(
    client, office, kewei, clerk, leader
):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    open_one = factories.accepted(office, clerk, kewei)
    with time_machine.travel(date(2027, 6, 1)):
        client.force_login(clerk)  # inside: a session from 2026 would have expired
        item_page = client.get(f"/items/{reply.assignment.proposal_id}/").content.decode()
        inbox = client.get("/work/", {"state": "replied"}).content.decode()
        open_inbox = client.get("/work/", {"state": "open"}).content.decode()
    assert reply.assignment.proposal.title in inbox
    red = 'class="badge overdue"'
    assert red not in item_page
    assert red not in inbox
    # An item still being handled keeps its badge: the guard is on the state, not the page.
    assert open_one.proposal.title in open_inbox and red in open_inbox
