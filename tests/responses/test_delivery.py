"""送达 (issue 20): a sent reply reaches every proposer by email, text or paper; nothing
undelivered goes unnoticed, and the feedback window runs from each proposer's delivery."""

import smtplib
from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from proposals.models import Proposal, Proposer
from responses.actions import (
    ActionRefused,
    record_paper_delivery,
    resend_delivery,
    save_letter,
    send_letter,
    start_reply,
    submit_letter,
)
from responses.after_commit import deliver
from responses.models import MAX_ATTEMPTS, Delivery, DeliveryState, LetterFile, Reply
from responses.tasks import close_unanswered, remind_undelivered
from tests import factories
from workflow.models import Assignment, Notification
from workflow.sms import MemoryBackend

pytestmark = pytest.mark.django_db
CONFIRMED = {"confirmed": "1"}  # past the page that asks first


def text(response):
    return response.content.decode()


@pytest.fixture
def sms_memory(settings):
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def test_sending_queues_one_delivery_per_proposer_and_channel(
    office, clerk, leader, kewei, sms_memory, mailoutbox, django_capture_on_commit_callbacks
):
    people = [
        factories.proposer("章毅", email="zhang@example.org"),
        factories.proposer("张远波", phone="13912345678"),
        factories.proposer("王芳", address="上海市人民大道200号"),
    ]
    reply = factories.signed_reply(office, clerk, leader, kewei, people)
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_letter(reply, clerk)
    rows = {(d.proposer.name, d.channel): d for d in Delivery.objects.all()}
    assert set(rows) == {("章毅", "email"), ("张远波", "sms")}
    assert all(d.state == DeliveryState.SENT and d.attempts == 1 for d in rows.values())
    # Paper is the clerk's to record: until then the reply is not delivered.
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.delivered_at is None
    assert Assignment.objects.get(pk=reply.assignment_id).feedback_until is None
    (phone, sms_text) = sms_memory[0]
    assert phone == "13912345678" and "/feedback/" in sms_text and reply.doc_number in sms_text


def test_email_carries_text_html_pdf_and_the_personal_link(
    office, clerk, leader, kewei, mailoutbox, django_capture_on_commit_callbacks, client
):
    person = factories.proposer("章毅", email="zhang@example.org")
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_letter(reply, clerk)
    Delivery.objects.all().delete()
    LetterFile.objects.create(reply=reply, format="pdf", content=b"%PDF-1.7 signed", sha256="0")
    Reply.objects.filter(pk=reply.pk).update(delivered_at=None)
    mailoutbox.clear()
    from responses.after_commit import deliver_letter  # the old task name still works

    with django_capture_on_commit_callbacks(execute=True):
        deliver_letter("responses.reply", reply.pk)
    (mail,) = mailoutbox
    link = mail.body.split("\n")[-1]
    assert "/feedback/" in link and reply.doc_number in mail.subject
    html, kind = mail.alternatives[0]
    assert kind == "text/html" and link in html and "现将办理情况答复如下" in html
    assert mail.attachments[0][2] == "application/pdf"
    assert client.get(link.split("127.0.0.1:8000")[1]).status_code == 200


def test_a_proposer_without_any_contact_blocks_sending_until_one_is_recorded(
    office, clerk, leader, kewei, client
):
    nobody = factories.proposer("王二", email="")
    reply = factories.signed_reply(
        office, clerk, leader, kewei, [factories.proposer("章毅"), nobody]
    )
    with pytest.raises(ActionRefused) as refused:
        send_letter(reply, clerk)
    assert "王二" in str(refused.value) and "登记" in str(refused.value)
    assert Reply.objects.get(pk=reply.pk).state == "signed"
    client.force_login(clerk)
    page = text(client.get(f"/items/{reply.assignment.proposal_id}/"))
    assert "王二没有任何联系方式" in page and 'data-action="send"' not in page
    answer = client.post(f"/letters/reply/{reply.pk}/send", CONFIRMED, follow=True)
    assert "王二没有任何联系方式" in text(answer)
    Proposer.objects.filter(pk=nobody.pk).update(phone="13800001111")
    assert send_letter(reply, clerk).state == "sent"


def test_sign_off_flags_missing_contacts_before_anything_is_sent(
    office, clerk, leader, kewei, client
):
    assignment = factories.accepted(
        office, clerk, kewei, proposers=[factories.proposer("王二", email="")]
    )
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="答复如下……", class_label="解决采纳")
    submit_letter(reply, clerk)
    client.force_login(leader)
    queue = text(client.get("/review/"))
    assert "王二没有任何联系方式" in queue and 'data-action="sign_and_send"' not in queue
    assert 'data-action="sign"' in queue


def _failing_smtp(monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)


def test_failing_mail_and_sms_are_retried_then_failed_and_listed(
    office, clerk, leader, kewei, monkeypatch, settings, django_capture_on_commit_callbacks, client
):
    _failing_smtp(monkeypatch)
    settings.SMS_BACKEND = "tests.responses.test_delivery.BrokenGateway"
    person = factories.proposer("章毅", email="zhang@example.org", phone="13912345678")
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    with django_capture_on_commit_callbacks(execute=True):
        send_letter(reply, clerk)
    rows = list(Delivery.objects.order_by("channel"))
    assert [(d.channel, d.state, d.attempts) for d in rows] == [
        ("email", DeliveryState.FAILED, MAX_ATTEMPTS),
        ("sms", DeliveryState.FAILED, MAX_ATTEMPTS),
    ]
    assert "connection unexpectedly closed" in rows[0].last_error
    assert "gateway down" in rows[1].last_error
    assert Notification.objects.filter(event="proposer_unreached", recipient=office).count() == 2
    client.force_login(office)
    listing = text(client.get("/office/undelivered/"))
    assert "章毅" in listing and "发送失败" in listing and "gateway down" in listing
    assert 'data-action="resend_delivery"' in listing
    assert 'data-action="record_paper_delivery"' in listing
    # The gateway is back: the office resends the text.
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/deliveries/{rows[1].pk}/resend", {"next": "/office/undelivered/"})
    assert Delivery.objects.get(pk=rows[1].pk).state == DeliveryState.SENT
    assert Reply.objects.get(pk=reply.pk).delivered_at is not None
    assert "章毅" not in text(client.get("/office/undelivered/"))


class BrokenGateway:
    def send(self, phone, text):
        raise ConnectionError("gateway down")


def test_paper_delivery_by_the_clerk_reaches_the_proposer(
    office, clerk, leader, kewei, client, django_capture_on_commit_callbacks
):
    person = factories.proposer("王芳", address="上海市人民大道200号")
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_letter(reply, clerk)
    client.force_login(clerk)
    page = text(client.get(f"/items/{reply.assignment.proposal_id}/"))
    assert "未送达" in page and "请登记纸质送达" in page
    today = timezone.localdate()
    answer = client.post(
        f"/replies/{reply.pk}/proposers/{person.pk}/paper",
        {"handed_on": today.isoformat(), "tracking_number": "SF1234567890"},
        follow=True,
    )
    assert "已登记王芳的纸质送达" in text(answer)
    row = Delivery.objects.get(channel="paper")
    assert (row.state, row.tracking_number, row.recorded_by) == ("sent", "SF1234567890", clerk)
    assert Reply.objects.get(pk=reply.pk).delivered_at is not None
    assert Assignment.objects.get(pk=reply.assignment_id).feedback_until == row.feedback_until
    assert "SF1234567890" in text(client.get(f"/items/{reply.assignment.proposal_id}/"))


def test_another_units_clerk_and_another_offices_member_are_refused(
    office, clerk, leader, kewei, shanghai, client, django_capture_on_commit_callbacks
):
    person = factories.proposer("王芳", address="上海市人民大道200号")
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_letter(reply, clerk)
    other_clerk = factories.member(factories.unit("上海市教育委员会", shanghai), "clerk")
    elsewhere = factories.office_user(factories.jurisdiction("浙江省", level="province"))
    for outsider in (other_clerk, elsewhere, leader):
        with pytest.raises(PermissionDenied):
            record_paper_delivery(outsider, reply, person, timezone.localdate())
        client.force_login(outsider)
        url = f"/replies/{reply.pk}/proposers/{person.pk}/paper"
        assert client.post(url, {"handed_on": timezone.localdate()}).status_code == 403
    client.force_login(elsewhere)
    assert "王芳" not in text(client.get("/office/undelivered/"))
    assert client.get("/office/undelivered/", follow=False).status_code == 200
    client.force_login(other_clerk)
    assert client.get("/office/undelivered/").status_code == 403
    assert not Delivery.objects.exists()
    # The office of the item's own jurisdiction may record it.
    record_paper_delivery(office, reply, person, timezone.localdate())
    with pytest.raises(ActionRefused, match="已登记过"):
        record_paper_delivery(office, reply, person, timezone.localdate())


def test_resend_on_a_contact_recorded_after_sending(
    office, clerk, leader, kewei, mailoutbox, django_capture_on_commit_callbacks
):
    person = factories.proposer("王芳", address="上海市人民大道200号")
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_letter(reply, clerk)
    with pytest.raises(ActionRefused, match="没有登记"):
        resend_delivery(clerk, reply=reply, proposer=person, channel="email")
    Proposer.objects.filter(pk=person.pk).update(email="wang@example.org")
    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        resend_delivery(clerk, reply=reply, proposer=person, channel="email")
    assert mailoutbox[-1].to == ["wang@example.org"]
    assert Reply.objects.get(pk=reply.pk).delivered_at is not None


def test_the_ladder_tells_the_unit_after_two_working_days_and_the_office_after_five(
    office, clerk, leader, kewei, django_capture_on_commit_callbacks
):
    person = factories.proposer("王芳", address="上海市人民大道200号")
    with time_machine.travel(date(2024, 6, 3)):  # a Monday
        reply = factories.signed_reply(office, clerk, leader, kewei, [person])
        with django_capture_on_commit_callbacks(execute=True):
            send_letter(reply, clerk)
    notices = Notification.objects.filter(event__startswith="undelivered")
    assert remind_undelivered(date(2024, 6, 4)) == 0
    remind_undelivered(date(2024, 6, 5))
    assert list(notices.values_list("event", "recipient")) == [("undelivered_unit", clerk.pk)]
    remind_undelivered(date(2024, 6, 6))
    assert notices.count() == 1
    remind_undelivered(date(2024, 6, 10))
    remind_undelivered(date(2024, 6, 11))
    assert sorted(notices.values_list("event", "recipient")) == [
        ("undelivered_office", office.pk),
        ("undelivered_unit", clerk.pk),
    ]


def test_feedback_window_runs_per_proposer_and_an_unreached_one_keeps_the_item_open(
    office, clerk, leader, kewei, django_capture_on_commit_callbacks
):
    mailed = factories.proposer("章毅", email="zhang@example.org")
    paper = factories.proposer("王芳", address="上海市人民大道200号")
    with time_machine.travel(date(2024, 6, 3)):
        reply = factories.signed_reply(office, clerk, leader, kewei, [mailed, paper])
        with django_capture_on_commit_callbacks(execute=True):
            reply = send_letter(reply, clerk)
    proposal = Proposal.objects.get(pk=reply.assignment.proposal_id)
    assert proposal.state == "replied"
    # Long after the first proposer's window, the other was never reached: not 未反馈.
    close_unanswered(date(2024, 9, 1))
    assert Proposal.objects.get(pk=proposal.pk).state == "replied"
    with time_machine.travel(date(2024, 9, 2)):
        record_paper_delivery(clerk, reply, paper, date(2024, 9, 2))
    windows = dict(Delivery.objects.values_list("proposer__name", "feedback_until"))
    assert windows["章毅"] < date(2024, 7, 1) < windows["王芳"]
    assert Assignment.objects.get(pk=reply.assignment_id).feedback_until == windows["王芳"]
    close_unanswered(windows["王芳"])
    assert Proposal.objects.get(pk=proposal.pk).state == "replied"
    close_unanswered(windows["王芳"] + timedelta(days=1))
    assert Proposal.objects.get(pk=proposal.pk).state == "closed"


def test_the_undelivered_list_issues_the_same_queries_at_few_and_many_rows(
    office, clerk, leader, kewei, client, django_capture_on_commit_callbacks
):
    from tests.responses.test_page_queries import count_queries

    def grow(n):
        for _ in range(n):
            people = [
                factories.proposer("王芳", address="上海市人民大道200号"),
                factories.proposer("章毅", email="zhang@example.org"),
            ]
            reply = factories.signed_reply(office, clerk, leader, kewei, people)
            with django_capture_on_commit_callbacks(execute=True):
                send_letter(reply, clerk)

    client.force_login(office)
    grow(2)
    few = count_queries(client, "/office/undelivered/")
    grow(8)
    # one more than the rows need: the latest heartbeat, to say when nothing sends
    assert count_queries(client, "/office/undelivered/") == few <= 9


def test_a_mail_sent_before_freezing_still_carries_the_signed_pdf(
    office, clerk, leader, kewei, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.FREEZE_LETTERS_AT_SENDING = True
    person = factories.proposer("章毅", email="zhang@example.org")
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    # The delivery's task runs and the freezing task never does: the mail freezes the letter.
    with (
        mock.patch("responses.actions.sending.freeze_letter") as freezing,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reply = send_letter(reply, clerk)
    freezing.delay.assert_called_once()  # queued, not run
    (mail,) = mailoutbox
    name, content, kind = mail.attachments[0]
    assert kind == "application/pdf" and content.startswith(b"%PDF")
    assert name == f"{reply.doc_number}.pdf"
    assert LetterFile.objects.filter(reply=reply, format="pdf").count() == 1


def test_the_units_inbox_counts_the_proposers_not_yet_reached(
    office, clerk, leader, kewei, client, django_capture_on_commit_callbacks
):
    mailed = factories.proposer("章毅", email="zhang@example.org")
    paper = factories.proposer("王芳", address="上海市人民大道200号")
    reply = factories.signed_reply(office, clerk, leader, kewei, [mailed, paper])
    with django_capture_on_commit_callbacks(execute=False):
        reply = send_letter(reply, clerk)  # the worker has not run: nobody reached yet
    client.force_login(clerk)
    factories.just_active(client)
    assert "2位提出人未送达" in client.get("/work/?state=").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        for row in Delivery.objects.filter(reply=reply):
            deliver(row.pk)
    assert "1位提出人未送达" in client.get("/work/?state=").content.decode()
    record_paper_delivery(clerk, reply, paper, timezone.localdate())
    assert "位提出人未送达" not in client.get("/work/?state=").content.decode()


def test_the_undelivered_list_says_when_nothing_sends_in_the_background(
    office, clerk, leader, kewei, client, django_capture_on_commit_callbacks
):
    from workflow.models import Heartbeat

    reply = factories.signed_reply(office, clerk, leader, kewei, [factories.proposer("章毅")])
    with django_capture_on_commit_callbacks(execute=False):
        send_letter(reply, clerk)  # queued; no worker has run
    client.force_login(office)
    factories.just_active(client)
    assert "后台任务从未运行" in client.get("/office/undelivered/").content.decode()
    now = timezone.now()
    Heartbeat.objects.create(kind="beat", requested_at=now - timedelta(hours=2), done_at=now)
    assert "起未运行" in client.get("/office/undelivered/").content.decode()
    Heartbeat.objects.create(kind="beat", requested_at=now, done_at=now)
    assert "未运行" not in client.get("/office/undelivered/").content.decode()
