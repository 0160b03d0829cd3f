"""The leader's queue: a follow-up reply has no handling deadline of its own, so it shows the
due dates of the commitments it reports, not the item's past 办理期限."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from responses.actions import report_commitment, save_letter, start_follow_up, submit_letter
from tests import factories
from tests.promises import promising_reply

pytestmark = pytest.mark.django_db


def test_a_follow_up_reply_shows_its_commitments_due_dates(client, office, clerk, leader, kewei):
    reply, made = promising_reply(office, clerk, leader, kewei, [factories.proposer("文彬")])
    assignment = reply.assignment
    past = timezone.localdate() - timedelta(days=40)
    type(assignment).objects.filter(pk=assignment.pk).update(due_on=past)
    follow_up = start_follow_up(assignment, clerk)
    report_commitment(follow_up, made[0], clerk, outcome="delivered", note="已建成")
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下：已建成。")
    submit_letter(follow_up, clerk)
    client.force_login(leader)
    page = client.get("/review/").content.decode()
    card = page[page.index(f'id="letter-reply-{follow_up.pk}"') :]
    assert "办理期限" not in card and f"{past.year}年{past.month}月{past.day}日" not in card
    due = made[0].due_on
    assert f"完成期限：{due.year}年{due.month}月{due.day}日" in card and "已建成" in card
    assert isinstance(due, date)
