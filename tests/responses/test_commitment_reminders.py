"""The commitments on the reminder ladder: the unit before the due date, its leader and the
office once it passes; each rung once; nothing for a delivered or dropped commitment; the
notices and mail go through the same digests as the assignments' reminders."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from responses import commitment_reminders
from responses.actions import (
    decide_drop,
    report_commitment,
    request_drop,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    submit_letter,
)
from responses.models import Commitment, CommitmentReminder
from tests import factories
from workflow import reminders, tasks
from workflow.models import Notification, ReminderDigest, ReminderRung

pytestmark = pytest.mark.django_db
DUE = date(2024, 12, 31)  # factories: 年内完成相关工作, promised for the year it was drafted
DRAFTED_AT = datetime(2024, 4, 2, 10)


@pytest.fixture
def commitment(office, clerk, leader, kewei):
    drafted_at = timezone.make_aware(datetime(2024, 4, 2, 10))
    factories.sent_reply(
        office, clerk, leader, kewei, class_label="正在解决", drafted_at=drafted_at
    )
    return Commitment.objects.get()


def sweep(day):
    return commitment_reminders.sweep(today=day)["total"]


def told(user):
    """(days from the due date, repeat) of each commitment reminder `user` heard of."""
    rows = []
    for digest in ReminderDigest.objects.filter(recipient=user).order_by("id"):
        assert digest.is_commitments
        rows += commitment_reminders.reminders_of(digest).values_list("rung__offset_days", "repeat")
    return rows


def test_the_ladder_is_installed_with_the_commitment_rungs():
    rungs = ReminderRung.objects.filter(deadline_kind="commitment")
    assert set(rungs.values_list("offset_days", "audience", "repeat_days")) == {
        (-30, "clerk", 0),
        (-7, "clerk", 0),
        (0, "clerk", 0),
        (1, "leader", 30),
        (1, "office", 30),
    }


def test_each_rung_fires_once_and_a_second_sweep_sends_nothing(commitment, clerk, leader, office):
    assert sweep(DUE - timedelta(days=31)) == 0
    assert sweep(DUE - timedelta(days=30)) == 1
    assert sweep(DUE - timedelta(days=30)) == 0  # the same day again: nothing
    assert sweep(DUE - timedelta(days=20)) == 0
    sweep(DUE - timedelta(days=7))
    sweep(DUE)
    assert told(clerk) == [(-30, 0), (-7, 0), (0, 0)]
    assert told(leader) == told(office) == []
    note = Notification.objects.filter(recipient=clerk).latest("id")
    assert note.title.startswith("【承诺事项期限】") and "年内完成相关工作" in note.title
    assert "今日到期" in note.body
    assert note.link == f"/items/{commitment.reply.assignment.proposal_id}/"


def test_the_leader_and_the_office_hear_once_it_passes_then_monthly(
    commitment, clerk, leader, office
):
    sweep(DUE)
    assert sweep(DUE + timedelta(days=1)) == 2  # the leader's and the office's
    assert sweep(DUE + timedelta(days=2)) == 0
    assert sweep(DUE + timedelta(days=31)) == 2
    assert told(leader) == told(office) == [(1, 0), (1, 1)]
    assert told(clerk) == [(0, 0)]
    note = Notification.objects.filter(recipient=office).latest("id")
    assert "已逾期31天" in note.body
    # The assignments' sweep leaves the commitments' rungs alone.
    assert reminders.sweep(today=DUE + timedelta(days=31))["total"] == 0


def test_after_downtime_only_the_latest_rung_before_the_date_is_sent(commitment, clerk):
    sweep(DUE - timedelta(days=3))
    assert told(clerk) == [(-7, 0)]


def test_a_dropped_commitment_is_not_reminded(commitment, clerk, office):
    request_drop(commitment, clerk, "政策调整，不再实施")
    assert sweep(DUE + timedelta(days=1)) == 0  # waiting on the office's decision
    decide_drop(commitment, office, approve=True)
    assert sweep(DUE + timedelta(days=40)) == 0
    assert not CommitmentReminder.objects.exists()


def test_a_delivered_commitment_is_not_reminded(commitment, clerk, leader):
    follow_up = start_follow_up(commitment.reply.assignment, clerk)
    report_commitment(follow_up, commitment, clerk, outcome="delivered", note="已完成")
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下：已完成。")
    send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)
    assert sweep(DUE + timedelta(days=1)) == 0
    assert sweep(DUE - timedelta(days=7)) == 0


def test_a_partly_delivered_commitment_is_still_reminded(commitment, clerk, leader, office):
    follow_up = start_follow_up(commitment.reply.assignment, clerk)
    report_commitment(follow_up, commitment, clerk, outcome="partly", note="完成一半")
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下：完成一半。")
    send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)
    assert sweep(DUE + timedelta(days=1)) == 2


def test_many_commitments_make_one_digest_per_person_and_its_mail(
    office, clerk, leader, kewei, commitment
):
    factories.sent_reply(
        office,
        clerk,
        leader,
        kewei,
        class_label="计划解决",
        drafted_at=timezone.make_aware(DRAFTED_AT),
    )
    assert sweep(DUE + timedelta(days=1)) == 4
    digest = ReminderDigest.objects.get(recipient=office)
    assert (digest.items, digest.overdue) == (2, 2)
    note = digest.notification
    assert "2项承诺事项需要关注" in note.title and "其中已逾期2项" in note.body
    mail.outbox.clear()
    office.email = "office@example.org"
    office.save()
    tasks.send_email_digests.apply()
    (sent,) = mail.outbox
    assert sent.subject == note.title and note.link in sent.body


def test_the_digest_page_lists_the_commitments(client, office, clerk, leader, kewei, commitment):
    factories.sent_reply(
        office,
        clerk,
        leader,
        kewei,
        class_label="计划解决",
        drafted_at=timezone.make_aware(DRAFTED_AT),
    )
    sweep(DUE + timedelta(days=1))
    digest = ReminderDigest.objects.get(recipient=leader)
    client.force_login(leader)
    page = client.get(f"/reminders/{digest.pk}/", follow=True)
    assert page.redirect_chain[-1][0] == f"/reminders/commitments/{digest.pk}/"
    text = page.content.decode()
    assert text.count("年内完成相关工作") == 2 and "已逾期" in text
    assert 'href="/office/look-back/"' not in text  # the office's page, offered to the office
    office_digest = ReminderDigest.objects.get(recipient=office)
    client.force_login(office)
    mine = client.get(f"/reminders/commitments/{office_digest.pk}/").content.decode()
    assert 'href="/office/look-back/"' in mine
    client.force_login(clerk)  # someone else's digest
    assert client.get(f"/reminders/commitments/{digest.pk}/").status_code == 404
