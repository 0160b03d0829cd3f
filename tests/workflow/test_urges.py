"""催办 is a message the office reads before sending (prefilled with the unit's own deadline),
recorded on the item page (who, when, what) and on the monitor (when each unit was last
urged); the same message to the same unit about the same item twice in a day is refused."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from workflow.models import Urge

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


def urge_box(page, assignment):
    """The message the item page prefills for this assignment's unit."""
    found = re.search(rf'id="id_urge_message_{assignment.pk}"[^>]*>([^<]*)</textarea>', page)
    return found[1]


@pytest.fixture
def handled(office, clerk, kewei):
    return factories.accepted(office, clerk, kewei)


def test_the_message_is_prefilled_with_the_units_deadline_and_required(client, office, handled):
    client.force_login(office)
    item = f"/items/{handled.proposal_id}/"
    due = f"{handled.due_on.year}年{handled.due_on.month}月{handled.due_on.day}日"

    prefilled = urge_box(text(client.get(item)), handled)
    assert prefilled == f"请抓紧办理{handled.proposal.reference}，于{due}前答复。"

    refused = client.post(
        "/office/urge",
        {"unit": handled.unit_id, "proposal": handled.proposal_id, "message": "  ", "next": item},
        follow=True,
    )
    assert "请填写催办内容" in text(refused) and not Urge.objects.exists()


def test_the_item_page_shows_who_urged_when_and_what(client, office, clerk, handled):
    client.force_login(office)
    item = f"/items/{handled.proposal_id}/"
    data = {"unit": handled.unit_id, "proposal": handled.proposal_id, "next": item}
    assert "未催办过" in text(client.get(item))

    page = text(client.post("/office/urge", data | {"message": "请于本周五前答复"}, follow=True))

    history = page.split("催办记录")[1].split("</ul>")[0]
    urged = Urge.objects.get()
    assert str(office) in history and "请于本周五前答复" in history
    assert timezone.localtime(urged.urged_at).strftime("%Y-%m-%d %H:%M") in history
    assert "上次催办" in page and "再次催办" in page

    client.force_login(clerk)  # the unit reads it in the timeline
    assert "请于本周五前答复" in text(client.get(item))


def test_the_same_urge_twice_a_day_is_refused_unless_the_message_differs(client, office, handled):
    client.force_login(office)
    item = f"/items/{handled.proposal_id}/"
    data = {"unit": handled.unit_id, "proposal": handled.proposal_id, "next": item}
    client.post("/office/urge", data | {"message": "请抓紧办理"})

    again = client.post("/office/urge", data | {"message": "请抓紧办理"}, follow=True)
    assert "今天已催办过" in text(again) and Urge.objects.count() == 1

    client.post("/office/urge", data | {"message": "请抓紧办理，明日上午前电话回复"})
    assert Urge.objects.count() == 2

    Urge.objects.update(urged_at=timezone.now() - timedelta(days=1))  # as if sent yesterday
    client.post("/office/urge", data | {"message": "请抓紧办理"})
    assert Urge.objects.count() == 3


def test_the_monitor_shows_when_each_unit_and_item_was_last_urged(
    client, office, kewei, handled, time_machine
):
    time_machine.move_to(timezone.now() + timedelta(days=200))  # the item is overdue
    client.force_login(office)
    page = text(client.get("/office/monitor/"))
    assert "上次催办" not in page.split("清单")[0]
    assert "贵单位有1件建议提案已逾期" in page  # the message, editable before sending

    client.post(
        "/office/urge",
        {"unit": kewei.pk, "proposal": handled.proposal_id, "message": "请抓紧办理"},
    )
    today = timezone.localdate().isoformat()
    page = text(client.get("/office/monitor/"))
    counts, listed = page.split('id="list"')
    assert f"上次催办 {today}" in counts and "再次催办" in counts
    row = listed.split(handled.proposal.title)[1].split("</tr>")[0]
    assert today in row
