"""A leader with a long queue sees the earliest 10 letters in full and is told more wait;
deciding one brings the next forward."""

import pytest

from responses.actions import return_letter, save_letter, start_reply, submit_letter
from tests import factories

pytestmark = pytest.mark.django_db


def submitted(office, clerk, kewei, n):
    assignment = factories.accepted(office, clerk, kewei, number=f"Q{n}")
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body=f"第{n}件答复", class_label="解决采纳")
    return submit_letter(reply, clerk)


def test_the_queue_shows_ten_and_says_more_wait(client, office, kewei, clerk, leader):
    queued = [submitted(office, clerk, kewei, n) for n in range(12)]
    client.force_login(leader)
    page = client.get("/review/")
    shown = [entry["letter"].pk for entry in page.context["letters"]]
    assert shown == [r.pk for r in queued[:10]]  # the earliest submitted first
    assert "依次显示其余待签发函件" in page.content.decode()
    return_letter(queued[0], leader, "请补充办理措施")
    shown = [entry["letter"].pk for entry in client.get("/review/").context["letters"]]
    assert queued[10].pk in shown and queued[0].pk not in shown
