"""Notices to proposers (issue 22): each proposer of an item — lead and co-signer, with an
account or not — hears by text or mail, as they chose, that the office received it, filed
it or not (with the reason), assigned it (to which units, by when) and reopened it; never
twice for the same step, and not at all when they chose no notices. Replies are delivered,
not noticed."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from responses.actions import record_feedback
from tests import factories
from workflow import actions, proposer_dispatch, tasks
from workflow.after_commit import send_proposer_notices
from workflow.audit import ActionRefused
from workflow.models import ProposerNotice, ProposerNoticeChoice, TransitionLog
from workflow.proposer_notices import ProposerEvent, chosen_way
from workflow.sms import MemoryBackend

pytestmark = pytest.mark.django_db
MOBILE = "13900001111"


@pytest.fixture(autouse=True)
def in_chinese(settings):
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def people():
    """A lead who prefers texts (no account: registered on paper) and a co-signer by mail."""
    lead = factories.proposer("文彬", phone=MOBILE, preferred_channel="sms")
    cosigner = factories.proposer("章毅", email="zhangyi@example.org")
    return lead, cosigner


def mails_to(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address]]


def test_each_proposer_hears_of_receipt_filing_and_assignment_once_by_their_way(
    office, kewei, people, mailoutbox, texts, django_capture_on_commit_callbacks
):
    lead, cosigner = people
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.filed(office, proposers=[lead, cosigner])
        (assignment,) = actions.assign_proposal(item, office, lead=kewei)
    events = list(
        ProposerNotice.objects.filter(proposer=lead).order_by("pk").values_list("event", flat=True)
    )
    assert events == [ProposerEvent.RECEIVED, ProposerEvent.FILED, ProposerEvent.ASSIGNED]
    assert [phone for phone, _ in texts] == [MOBILE] * 3  # the lead, without an account
    assert "已收到" in texts[0][1] and "已立案" in texts[1][1]
    assert kewei.name in texts[2][1] and str(assignment.due_on) in texts[2][1]
    mails = mails_to(mailoutbox, "zhangyi@example.org")
    assert [m.subject for m in mails] == [
        f"已收到您的提案“{item.title}”",
        f"您的提案“{item.title}”已立案",
        f"您的提案“{item.title}”已交办",
    ]
    assert "主办" in mails[2].body and str(assignment.due_on) in mails[2].body
    assert "/me/" in mails[0].body
    assert not mails_to(mailoutbox, lead.email or "-")
    sent = ProposerNotice.objects.filter(sent_at__isnull=False)
    assert sent.count() == 6 and set(sent.values_list("way", flat=True)) == {"sms", "email"}


def test_not_filed_tells_the_reason(office, people, texts, django_capture_on_commit_callbacks):
    lead, cosigner = people
    with django_capture_on_commit_callbacks(execute=True):
        item = actions.start_review(factories.proposal(office, proposers=[lead, cosigner]), office)
        actions.reject_proposal(item, office, "属于个人诉求，建议通过信访渠道反映")
    notice = ProposerNotice.objects.get(proposer=cosigner, event=ProposerEvent.NOT_FILED)
    assert "不予立案" in notice.title and "信访渠道" in notice.body
    assert "信访渠道" in texts[-1][1]


def test_a_repeated_announcement_or_a_retried_task_tells_no_one_twice(
    office, people, texts, django_capture_on_commit_callbacks
):
    from workflow.proposer_notices import tell_proposers

    lead, cosigner = people
    with django_capture_on_commit_callbacks(execute=True):
        item = factories.proposal(office, proposers=[lead, cosigner])
        again = tell_proposers(
            ProposerEvent.RECEIVED, item, subject=f"proposal:{item.pk}", title="x"
        )
    assert again == []
    ids = list(ProposerNotice.objects.values_list("pk", flat=True))
    assert len(ids) == 2 and len(texts) == 1
    send_proposer_notices.apply(args=[ids])  # a retry, or a second worker
    proposer_dispatch.deliver(ids)
    assert len(texts) == 1


def test_a_proposer_who_chose_none_is_not_told_and_the_notice_is_kept_skipped(
    office, people, texts, mailoutbox, django_capture_on_commit_callbacks
):
    lead, cosigner = people
    ProposerNoticeChoice.objects.create(proposer=lead, way="none")
    with django_capture_on_commit_callbacks(execute=True):
        factories.proposal(office, proposers=[lead, cosigner])
    assert texts == []
    notice = ProposerNotice.objects.get(proposer=lead)
    assert notice.skipped_at is not None and notice.sent_at is None
    assert len(mails_to(mailoutbox, "zhangyi@example.org")) == 1


def test_a_failed_send_waits_for_the_sweep(office, people, monkeypatch, texts):
    lead, cosigner = people

    def down(self, phone, text):
        raise OSError("gateway down")

    item = factories.proposal(office, proposers=[lead])  # no commit callbacks: the task never ran
    monkeypatch.setattr(MemoryBackend, "send", down)
    notice = ProposerNotice.objects.get(proposer=lead, proposal=item)
    assert proposer_dispatch.deliver([notice.pk]) == 1
    assert proposer_dispatch.waiting() == [notice.pk]
    monkeypatch.undo()
    tasks.send_waiting_notices.apply()
    notice.refresh_from_db()
    assert notice.sent_at is not None and proposer_dispatch.waiting() == []


def test_reopening_tells_the_proposers_and_a_reply_is_left_to_its_delivery(
    office, clerk, leader, kewei, people, texts, django_capture_on_commit_callbacks
):
    lead, cosigner = people
    with django_capture_on_commit_callbacks(execute=True):
        reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[lead, cosigner])
    assert not ProposerNotice.objects.exclude(
        event__in=[ProposerEvent.RECEIVED, ProposerEvent.FILED, ProposerEvent.ASSIGNED]
    ).exists()  # the reply itself reaches them, by its delivery
    with django_capture_on_commit_callbacks(execute=True):
        record_feedback(reply, lead, handling="unsatisfied", result="unsatisfied", comment="未落实")
    notice = ProposerNotice.objects.get(proposer=cosigner, event=ProposerEvent.REOPENED)
    assert "再次办理" in notice.title and kewei.name in notice.body
    assert "再次办理" in texts[-1][1]


def test_the_way_is_chosen_by_the_proposer_only_and_audited(office, shanghai):
    account = factories.user("wenbin")
    person = factories.proposer("文彬", phone=MOBILE, email="wb@example.org", user=account)
    assert chosen_way(person) == "email"  # no choice: mail, which they have
    actions.choose_proposer_notice_way(person, account, "sms")
    assert chosen_way(person) == "sms"
    row = TransitionLog.objects.filter(transition="choose_notice_way").get()
    assert row.target == "sms" and row.actor == account
    with pytest.raises(PermissionDenied):
        actions.choose_proposer_notice_way(
            factories.proposer("鲁民", email="lm@example.org"),
            factories.user("lumin"),
            "sms",
        )
    with pytest.raises(PermissionDenied, match="本人"):
        actions.choose_proposer_notice_way(person, office, "none")
    no_mobile = factories.proposer("章毅", email="zy@example.org", user=factories.user("zy"))
    with pytest.raises(ActionRefused, match="手机号码"):
        actions.choose_proposer_notice_way(no_mobile, no_mobile.user, "sms")
