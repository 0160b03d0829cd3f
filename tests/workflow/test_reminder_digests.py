"""Reminder digests: the ledger holds one row per item and rung, and each person hears of a
sweep once — a unit member for their role in the unit, the office for its jurisdiction —
with the items one link away."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from workflow import reminders, tasks
from workflow.models import Notification, Reminder, ReminderDigest

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day):
    return datetime.combine(day, datetime.min.time(), tzinfo=TZ).replace(hour=9)


def accepted_items(office, clerk, unit, count):
    with time_machine.travel(at(date(2024, 1, 31)), tick=False):  # all due 2024-04-30
        return [factories.accepted(office, clerk, unit) for _ in range(count)]


def sweep_on(day):
    with time_machine.travel(at(day), tick=False):
        return reminders.sweep()


def test_many_items_make_one_notice_per_person_with_the_list_a_click_away(
    client, office, kewei, clerk, leader
):
    items = accepted_items(office, clerk, kewei, 3)
    result = sweep_on(date(2024, 4, 29))  # the clerk's "1 day left", the leader's "3 days"
    assert result["total"] == 6 and result["digests"] == 2
    (note,) = Notification.objects.filter(recipient=clerk, digest__isnull=False)
    assert note.title == "【办理提醒】上海市科学技术委员会：3件建议提案需要关注"
    digest = note.digest
    assert note.link == f"/reminders/{digest.pk}/"
    client.force_login(clerk)
    with time_machine.travel(at(date(2024, 4, 29)), tick=False):
        page = client.get(note.link).content.decode()
    for assignment in items:
        assert assignment.proposal.reference in page
    assert "剩1日" in page  # the badge says where each stands
    client.force_login(leader)
    assert client.get(note.link).status_code == 404  # a digest is its recipient's alone


def test_the_office_hears_of_a_backlog_once_per_sweep(office, shanghai, kewei, clerk, leader):
    second_member = factories.office_user(shanghai, username="office2")
    other = factories.unit("上海市教育委员会", shanghai, organ_code="沪教")
    other_clerk = factories.member(other, "clerk")
    factories.member(other, "leader")
    accepted_items(office, clerk, kewei, 4)
    accepted_items(office, other_clerk, other, 3)
    sweep_on(date(2024, 5, 2))  # two days overdue
    office_rows = Reminder.objects.filter(rung__audience="office")
    assert office_rows.count() == 7  # one per item, not one per item and office member
    for person in (office, second_member):
        (note,) = Notification.objects.filter(recipient=person, digest__isnull=False)
        assert "上海市：7件" in note.title and "其中已逾期7件" in note.body
    assert sweep_on(date(2024, 5, 2))["total"] == 0
    assert Notification.objects.filter(recipient=office, digest__isnull=False).count() == 1


def test_two_clerks_share_the_ledger_row_and_each_get_their_digest(office, kewei, clerk):
    colleague = factories.member(kewei, "clerk")
    accepted_items(office, clerk, kewei, 1)
    sweep_on(date(2024, 4, 29))
    clerk_rows = Reminder.objects.filter(rung__audience="clerk")
    assert clerk_rows.count() == 1
    assert list(Reminder.objects.reached(clerk)) == list(Reminder.objects.reached(colleague))
    assert ReminderDigest.objects.filter(audience="clerk").count() == 2


def test_a_single_item_notice_names_the_item(office, kewei, clerk):
    (assignment,) = accepted_items(office, clerk, kewei, 1)
    sweep_on(date(2024, 4, 15))  # 15 days left
    (note,) = Notification.objects.filter(recipient=clerk, digest__isnull=False)
    assert assignment.proposal.title in note.title and "距期限还有15天" in note.body
    assert note.link == f"/items/{assignment.proposal_id}/"


def test_the_mail_lists_the_digests_items_and_links_to_the_rest(
    office, kewei, clerk, mailoutbox, settings, monkeypatch
):
    clerk.email = "clerk@example.org"
    clerk.save()
    monkeypatch.setattr(tasks, "MAIL_LISTS_AT_MOST", 2)
    items = accepted_items(office, clerk, kewei, 3)
    sweep_on(date(2024, 4, 29))
    tasks.send_email_digests.apply()
    (mail,) = [m for m in mailoutbox if m.to == ["clerk@example.org"]]
    listed = [a for a in items if a.proposal.reference in mail.body]
    assert len(listed) == 2 and "共3件" in mail.body
    digest = ReminderDigest.objects.get(recipient=clerk)
    assert f"/reminders/{digest.pk}/" in mail.body and digest.emailed_at is not None


def test_the_digest_page_costs_the_same_queries_for_3_and_30_items(
    client, office, kewei, clerk, leader
):
    def queries_for_page():
        digest = ReminderDigest.objects.filter(recipient=clerk).latest("id")
        factories.just_active(client)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/reminders/{digest.pk}/").status_code == 200
        return len(queries)

    client.force_login(clerk)
    accepted_items(office, clerk, kewei, 3)
    sweep_on(date(2024, 4, 29))
    few = queries_for_page()
    with time_machine.travel(at(date(2024, 2, 29)), tick=False):  # due 2024-05-29
        for _ in range(30):
            factories.accepted(office, clerk, kewei)
    sweep_on(date(2024, 5, 28))
    assert ReminderDigest.objects.filter(recipient=clerk).latest("id").items == 30
    assert queries_for_page() == few


def test_a_sweep_that_finds_nothing_tells_nobody(office, kewei, clerk):
    accepted_items(office, clerk, kewei, 2)
    result = sweep_on(date(2024, 3, 1))  # two months before the deadline: no rung applies
    assert result["total"] == 0 and result["digests"] == 0
    assert (
        not ReminderDigest.objects.exists()
        and not Notification.objects.filter(digest__isnull=False).exists()
    )
