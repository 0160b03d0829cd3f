"""The reminder ladder through time: each rung once, catch-up after downtime, a new
deadline starting over, digests per channel, and the yearly calendar notice."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests import factories
from workflow import reminders, tasks
from workflow.actions import decide_extension, request_extension
from workflow.models import Notification, Reminder, ReminderDigest
from workflow.sms import MemoryBackend

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day):
    return datetime.combine(day, datetime.min.time(), tzinfo=TZ).replace(hour=9)


@pytest.fixture
def setup(office, kewei, clerk, leader):
    with time_machine.travel(at(date(2024, 1, 31)), tick=False):
        assignment = factories.accepted(office, clerk, kewei)  # due 2024-04-30
    return assignment


def sent_to(user):
    return list(
        Reminder.objects.reached(user)
        .order_by("created_at", "rung__offset_days")
        .values_list("rung__offset_days", "repeat")
    )


def sweep_on(day):
    with time_machine.travel(at(day), tick=False):
        return reminders.sweep()["total"]


def test_the_ladder_fires_each_rung_once(setup, clerk, leader, office):
    due = setup.due_on
    assert sweep_on(due - timedelta(days=20)) == 0
    assert sweep_on(due - timedelta(days=15)) == 1
    assert sweep_on(due - timedelta(days=15)) == 0  # the same day again: nothing
    sweep_on(due - timedelta(days=7))
    sweep_on(due - timedelta(days=3))
    sweep_on(due - timedelta(days=1))
    sweep_on(due)
    sweep_on(due + timedelta(days=1))
    assert sweep_on(due + timedelta(days=2)) == 0
    sweep_on(due + timedelta(days=8))  # the weekly repeat while overdue
    assert sent_to(clerk) == [(-15, 0), (-7, 0), (-1, 0)]
    assert sent_to(leader) == [(-3, 0), (0, 0), (1, 0), (1, 1)]
    assert sent_to(office) == [(1, 0), (1, 1)]
    assert (
        Notification.objects.filter(digest__isnull=False).count() == Reminder.objects.count() == 9
    )
    note = Notification.objects.filter(recipient=leader, digest__isnull=False).order_by("id").last()
    assert "已逾期8天" in note.body and note.link == f"/items/{setup.proposal_id}/"


def test_a_sweep_after_downtime_catches_up_with_the_latest_rung(setup, clerk, leader):
    sweep_on(setup.due_on - timedelta(days=1))  # nothing ran for two weeks
    assert sent_to(clerk) == [(-1, 0)]
    assert sent_to(leader) == [(-3, 0)]


def test_a_new_deadline_starts_the_ladder_again(setup, clerk, office):
    sweep_on(setup.due_on - timedelta(days=1))
    request = request_extension(setup, clerk, date(2024, 6, 30), "需协调")
    decide_extension(request, office, approve=True)
    assert sweep_on(date(2024, 6, 29)) >= 1
    assert (-1, 0) in sent_to(clerk) and sent_to(clerk).count((-1, 0)) == 2


def test_finished_work_gets_no_reminders(setup, clerk, leader, office):
    from responses.actions import save_letter, send_letter, sign_letter, start_reply, submit_letter

    factories.contacted(setup, clerk)
    reply = start_reply(setup, clerk)
    save_letter(reply, clerk, body="答复", class_label="解决采纳")
    submit_letter(reply, clerk)
    sign_letter(reply, leader)
    with time_machine.travel(at(date(2024, 4, 1)), tick=False):
        send_letter(reply, clerk)
    assert sweep_on(setup.due_on + timedelta(days=3)) == 0


def test_email_digest_one_mail_per_recipient_and_unit(setup, clerk, office, kewei, mailoutbox):
    clerk.email = "clerk@example.org"
    clerk.save()
    with time_machine.travel(at(date(2024, 1, 31)), tick=False):
        factories.accepted(office, clerk, kewei)
    sweep_on(date(2024, 4, 29))
    tasks.send_email_digests.apply()
    mails = [m for m in mailoutbox if m.to == ["clerk@example.org"]]
    assert len(mails) == 1 and "2件" in mails[0].subject
    tasks.send_email_digests.apply()
    assert len([m for m in mailoutbox if m.to == ["clerk@example.org"]]) == 1


def test_a_failing_sms_gateway_does_not_hold_up_email(setup, clerk, mailoutbox, settings):
    clerk.email, clerk.phone = "clerk@example.org", "13800000000"
    clerk.save()
    sweep_on(date(2024, 4, 29))

    class Broken:
        def send(self, phone, text):
            raise OSError("gateway down")

    assert tasks._sms_digest(clerk.pk, Broken()) is False  # the task retries it with backoff
    assert ReminderDigest.objects.filter(recipient=clerk, texted_at__isnull=True).exists()
    tasks.send_email_digests.apply()
    assert len(mailoutbox) == 1
    MemoryBackend.outbox.clear()
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    tasks.send_sms_digests.apply()
    assert MemoryBackend.outbox == [("13800000000", MemoryBackend.outbox[0][1])]
    assert "1件" in MemoryBackend.outbox[0][1]


def test_the_office_is_told_once_to_load_next_years_calendar(office):
    with time_machine.travel(at(date(2026, 12, 2)), tick=False):
        assert tasks.check_calendar() == 2027
        tasks.check_calendar()
    assert Notification.objects.filter(recipient=office, key="calendar-2027").count() == 1
    with time_machine.travel(at(date(2026, 11, 2)), tick=False):
        assert tasks.check_calendar() is None


def test_notification_centre_counts_and_marks_read(setup, clerk, client):
    Notification.objects.filter(recipient=clerk).update(read_at=timezone.now())  # 新交办, read
    sweep_on(setup.due_on - timedelta(days=1))
    client.force_login(clerk)
    page = client.get("/work/").content.decode()
    assert '<span class="count">1</span>' in page
    note = Notification.objects.get(recipient=clerk, digest__isnull=False)
    assert note.title in client.get("/notifications/").content.decode()
    client.post(f"/notifications/{note.pk}/read")
    assert 'class="count"' not in client.get("/work/").content.decode()
