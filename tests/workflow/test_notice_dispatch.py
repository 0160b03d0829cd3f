"""Notices by mail and text: each person's choice (at once, a daily digest, off), each notice
sent once however often the tasks run or retry, failures kept for later, and the settings
page and notification centre that go with them."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from workflow import actions, dispatch, tasks
from workflow.after_commit import send_notices
from workflow.models import NoticeDigest, Notification, TransitionLog, UnitMembership
from workflow.notices import Event, announce
from workflow.sms import MemoryBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(kewei):
    clerk = factories.member(kewei, username="clerk", name="王大宽")
    leader = factories.member(kewei, UnitMembership.Role.LEADER, username="leader")
    for person, n in ((clerk, 1), (leader, 2)):
        person.email, person.phone = f"{person.username}@example.org", f"1380000000{n}"
        person.save()
    return clerk, leader


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def urge_unit(kewei, office, callbacks, message="请于本周内答复"):
    with callbacks(execute=True):
        return actions.urge(office, kewei, message)


def to(mailoutbox, person):
    return [m for m in mailoutbox if m.to == [person.email]]


def test_by_default_a_notice_is_mailed_at_once_and_never_texted(
    kewei, office, people, mailoutbox, texts, django_capture_on_commit_callbacks
):
    clerk, leader = people
    urge_unit(kewei, office, django_capture_on_commit_callbacks)
    for person in (clerk, leader):
        (mail,) = to(mailoutbox, person)
        assert mail.subject.startswith("催办：") and "请于本周内答复" in mail.body
    assert texts == []
    notice = Notification.objects.get(recipient=clerk, event=Event.URGED)
    assert notice.emailed_at is not None and notice.texted_at is None


def test_retried_and_repeated_tasks_send_nothing_twice(
    kewei, office, people, mailoutbox, texts, django_capture_on_commit_callbacks
):
    clerk, leader = people
    actions.set_notice_preferences(clerk, sms="immediate")
    urge_unit(kewei, office, django_capture_on_commit_callbacks)
    ids = list(Notification.objects.values_list("pk", flat=True))
    send_notices.apply(args=[ids])  # a redelivered message
    tasks.send_waiting_notices.apply()  # beat's sweep
    assert len(to(mailoutbox, clerk)) == 1 and len(to(mailoutbox, leader)) == 1
    assert [phone for phone, _text in texts] == ["13800000001"]


def test_a_failed_send_is_kept_and_sent_later_once(
    kewei, office, people, mailoutbox, settings, django_capture_on_commit_callbacks, monkeypatch
):
    clerk, _leader = people
    with monkeypatch.context() as patch:

        def down(*args, **kwargs):
            raise OSError("mail server down")

        patch.setattr(dispatch, "send_mail", down)
        with django_capture_on_commit_callbacks(execute=False) as queued:
            actions.urge(office, kewei, "请抓紧")
        ids = Notification.objects.values_list("pk", flat=True)
        assert dispatch.deliver(ids) == 2  # both failed: the task retries with backoff
    assert len(queued) == 1
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    assert dispatch.backoff(0) == 60 and dispatch.backoff(10) == 3600
    tasks.send_waiting_notices.apply()  # the mail server is back
    tasks.send_waiting_notices.apply()
    assert len(to(mailoutbox, clerk)) == 1
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_off_sends_nothing_but_the_centre_still_shows_it(
    kewei, office, people, mailoutbox, texts, django_capture_on_commit_callbacks
):
    clerk, leader = people
    actions.set_notice_preferences(clerk, email="off", sms="off")
    urge_unit(kewei, office, django_capture_on_commit_callbacks)
    tasks.send_waiting_notices.apply()
    tasks.send_notice_digests.apply()
    assert to(mailoutbox, clerk) == [] and texts == []
    assert Notification.objects.filter(recipient=clerk, event=Event.URGED).exists()
    assert len(to(mailoutbox, leader)) == 1


def test_a_digest_lists_the_days_notices_once_a_day(
    kewei, office, people, mailoutbox, texts, django_capture_on_commit_callbacks
):
    clerk, leader = people
    actions.set_notice_preferences(clerk, email="digest", sms="digest")
    with time_machine.travel(timezone.make_aware(timezone.datetime(2024, 5, 6, 9)), tick=False):
        urge_unit(kewei, office, django_capture_on_commit_callbacks, "第一次催办")
        urge_unit(kewei, office, django_capture_on_commit_callbacks, "第二次催办")
        assert to(mailoutbox, clerk) == []  # nothing at once
        assert len(to(mailoutbox, leader)) == 2  # the leader kept the default
    with time_machine.travel(
        timezone.make_aware(timezone.datetime(2024, 5, 6, 17, 30)), tick=False
    ):
        tasks.send_notice_digests.apply()
        tasks.send_notice_digests.apply()  # beat twice, or a retry: still one
    (digest,) = to(mailoutbox, clerk)
    assert "2条" in digest.subject and "第一次催办" in digest.body and "第二次催办" in digest.body
    assert [phone for phone, _text in texts] == ["13800000001"] and "2条" in texts[0][1]
    with time_machine.travel(timezone.make_aware(timezone.datetime(2024, 5, 6, 20)), tick=False):
        urge_unit(kewei, office, django_capture_on_commit_callbacks, "晚间催办")
        tasks.send_notice_digests.apply()  # today's has gone: this waits for tomorrow
    assert len(to(mailoutbox, clerk)) == 1
    with time_machine.travel(
        timezone.make_aware(timezone.datetime(2024, 5, 7, 17, 30)), tick=False
    ):
        tasks.send_notice_digests.apply()
    assert len(to(mailoutbox, clerk)) == 2 and "晚间催办" in to(mailoutbox, clerk)[1].body
    days = NoticeDigest.objects.filter(recipient=clerk, channel="email").values_list(
        "day", flat=True
    )
    assert sorted(days) == [date(2024, 5, 6), date(2024, 5, 7)]


def test_the_settings_page_keeps_a_persons_choice(client, people):
    clerk, _leader = people
    client.force_login(clerk)
    page = client.get("/notifications/settings/").content.decode()
    assert "通知设置" in page and "clerk@example.org" in page
    assert 'value="immediate" checked' in page.replace("\n", " ") or "checked" in page
    response = client.post("/notifications/settings/", {"email": "digest", "sms": "immediate"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "通知设置已保存" in page
    assert clerk.notice_preferences.get(channel="email").mode == "digest"
    assert TransitionLog.objects.filter(transition="set_notice_preferences").count() == 1
    client.post("/notifications/settings/", {"email": "digest", "sms": "immediate"})
    assert TransitionLog.objects.filter(transition="set_notice_preferences").count() == 1
    assert client.post("/notifications/settings/", {"email": "hourly"}).status_code == 200
    assert clerk.notice_preferences.get(channel="email").mode == "digest"


def test_the_centre_links_to_the_settings(client, people):
    clerk, _leader = people
    client.force_login(clerk)
    page = client.get("/notifications/").content.decode()
    assert page.count('href="/notifications/settings/"') == 2  # the page and the user menu


def test_the_centre_costs_the_same_queries_for_3_and_30_notices(client, kewei, people):
    clerk, _leader = people
    client.force_login(clerk)

    def tell(n):
        for i in range(n):
            announce(Event.ASSIGNED, subject=f"assignment:{i}-{n}", title=f"新交办{i}", unit=kewei)

    def count():
        factories.just_active(client)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        return len(queries)

    tell(3)
    at_3 = count()
    tell(27)
    assert count() == at_3


# ---- one notice never holds up the others ---------------------------------------------------
def test_a_notice_that_cannot_be_sent_is_marked_failed_and_the_others_go(
    kewei, office, people, mailoutbox, django_capture_on_commit_callbacks
):
    clerk, leader = people
    type(clerk).objects.filter(pk=clerk.pk).update(email="clerk@example.org\nBcc: x@example.org")
    urge_unit(kewei, office, django_capture_on_commit_callbacks)  # the clerk's notice first
    assert [m.to for m in mailoutbox] == [[leader.email]]
    bad = Notification.objects.get(recipient=clerk)
    assert bad.send_failed_at is not None and bad.emailed_at is None
    assert dispatch.waiting_immediate() == []  # no sweep tries it again
    assert Notification.objects.get(recipient=leader).emailed_at is not None


def test_an_unexpected_error_is_retried_then_marked_failed(
    kewei, office, people, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    clerk, _leader = people

    def broken(notice, channel, gateway):
        raise RuntimeError("template missing")

    monkeypatch.setattr(dispatch, "_send_one", broken)
    with django_capture_on_commit_callbacks(execute=False):
        actions.urge(office, kewei, "请于本周内答复")
    ids = sorted(Notification.objects.values_list("pk", flat=True))
    assert dispatch.deliver(ids) == len(ids)  # each counted, none aborting the rest
    for _attempt in range(dispatch.ATTEMPTS_AT_MOST - 1):
        dispatch.deliver(ids)
    assert not Notification.objects.filter(send_failed_at=None).exists()
    assert dispatch.deliver(ids) == 0


def test_the_sweep_sends_waiting_notices_in_bounded_batches(kewei, monkeypatch):
    clerk = factories.member(kewei)
    type(clerk).objects.filter(pk=clerk.pk).update(email="c@example.org")
    Notification.objects.bulk_create(
        Notification(recipient=clerk, event="urged", key=f"urged:{n}", title=f"催办{n}")
        for n in range(dispatch.SWEEP_BATCH * 2 + 1)
    )
    queued = []
    monkeypatch.setattr(tasks.send_notices, "delay", queued.append)
    assert tasks.send_waiting_notices() == dispatch.SWEEP_BATCH * 2 + 1
    assert [len(batch) for batch in queued] == [dispatch.SWEEP_BATCH] * 2 + [1]
