"""A group proposer (党派, 界别, 专委会) acts through named contacts: each named contact hears
of the group's items' steps (received, 立案 or not, assigned, replied, reopened, follow-up
replies) by their own way, once each; the group's own address is told as before, and the
reply itself is delivered (送达) to the group as before, not to the contacts."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from portal import actions
from proposals.models import Proposer
from responses.actions import record_feedback, send_letter
from responses.models import Delivery, Reply
from tests import factories
from tests.portal.helpers import as_proposer
from workflow import proposer_dispatch
from workflow.models import ProposerNotice, TransitionLog
from workflow.proposer_notices import ProposerEvent, tell_proposers

pytestmark = pytest.mark.django_db
LI, WANG = "13900001111", "13900002222"
GROUP_MAIL = "minmeng@example.org"


@pytest.fixture(autouse=True)
def in_chinese(settings):
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def group(office, shanghai):
    """民盟上海市委 with its own mail, and two named contacts; 王 chose mail for himself."""
    party = factories.proposer(
        "民盟上海市委", kind=Proposer.Kind.PARTY, email=GROUP_MAIL, jurisdiction=shanghai
    )
    actions.add_contact_person(party, office, name="李联络", mobile=LI)
    wang = actions.add_contact_person(
        party, office, name="王联络", mobile=WANG, email="wang@example.org"
    )
    actions.choose_contact_notice_way(wang, wang.user, "email")
    return party


def told(mailoutbox, texts, event_word):
    return (
        [to for to, text in texts if event_word in text],
        [m.to[0] for m in mailoutbox if event_word in m.subject],
    )


def test_each_named_contact_hears_each_step_once_by_their_own_way(
    office, clerk, leader, kewei, group, texts, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[group])
    item = reply.assignment.proposal
    for word in ("已收到", "已立案", "已交办"):
        sms_to, mail_to = told(mailoutbox, texts, word)
        assert sms_to == [LI], word  # 李: a text, the default
        assert sorted(mail_to) == [GROUP_MAIL, "wang@example.org"], word  # 王's choice, the group's
    sms_to, mail_to = told(mailoutbox, texts, "已答复")
    assert sms_to == [LI] and mail_to == ["wang@example.org"]  # the contacts are told
    assert set(Delivery.objects.filter(reply=reply).values_list("proposer_id", "channel")) == {
        (group.pk, "email")
    }  # and the reply itself is delivered to the group's own address, as before
    assert [m.to for m in mailoutbox if m.subject.startswith(reply.signing_organ)] == [[GROUP_MAIL]]

    # Retold, or its task run again: no one hears twice (the ledger is per notice and contact).
    before = (len(texts), len(mailoutbox))
    with django_capture_on_commit_callbacks(execute=True):
        again = tell_proposers(ProposerEvent.FILED, item, subject=f"proposal:{item.pk}", title="x")
    assert again == []
    proposer_dispatch.deliver(list(ProposerNotice.objects.values_list("pk", flat=True)))
    assert (len(texts), len(mailoutbox)) == before
    rows = ProposerNotice.objects.filter(event=ProposerEvent.FILED)
    assert sorted(rows.values_list("contact_mobile", flat=True)) == ["", LI, WANG]


def test_reopening_and_a_follow_up_reply_reach_the_contacts(
    office, clerk, leader, kewei, group, texts, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[group])
        record_feedback(
            reply, group, handling="unsatisfied", result="unsatisfied", comment="未落实"
        )
    sms_to, mail_to = told(mailoutbox, texts, "再次办理")
    assert sms_to == [LI] and sorted(mail_to) == [GROUP_MAIL, "wang@example.org"]

    follow = factories.signed_reply(office, clerk, leader, kewei, proposers=[group])
    Reply.objects.filter(pk=follow.pk).update(kind=Reply.Kind.FOLLOW_UP)
    follow.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        send_letter(follow, clerk)
    notices = ProposerNotice.objects.filter(event=ProposerEvent.FOLLOW_UP)
    assert sorted(notices.values_list("contact_mobile", flat=True)) == [LI, WANG]
    assert all(n.sent_at for n in notices)
    assert any(to == LI and "跟踪办理答复" in text for to, text in texts)


def test_a_group_address_that_is_a_contacts_own_is_told_once(
    office, shanghai, texts, django_capture_on_commit_callbacks
):
    party = factories.proposer(
        "九三学社上海市委", kind=Proposer.Kind.PARTY, phone=LI, jurisdiction=shanghai
    )
    actions.add_contact_person(party, office, name="李联络", mobile=LI)
    with django_capture_on_commit_callbacks(execute=True):
        factories.proposal(office, proposers=[party])
    assert [to for to, _text in texts] == [LI]
    own = ProposerNotice.objects.get(proposer=party, contact_mobile="")
    assert own.skipped_at is not None and own.sent_at is None


def test_a_person_proposer_is_not_told_of_a_reply_its_delivery_brings(
    office, clerk, leader, kewei, texts, django_capture_on_commit_callbacks
):
    person = factories.proposer("文彬", phone="13912345678", preferred_channel="sms")
    with django_capture_on_commit_callbacks(execute=True):
        factories.sent_reply(office, clerk, leader, kewei, proposers=[person])
    assert not ProposerNotice.objects.filter(
        event__in=[ProposerEvent.REPLIED, ProposerEvent.FOLLOW_UP]
    ).exists()


def test_a_contact_chooses_their_own_way_on_the_settings_page(client, group):
    li = group.contact_people.get(mobile=LI)
    as_proposer(client, group, li)
    page = client.get("/me/settings/").content.decode()
    assert "民盟上海市委的联系人" in page and 'value="email"' not in page  # 李 has no mail
    client.post("/me/settings/notices", {"way": "none"})
    li.refresh_from_db()
    group.refresh_from_db()
    assert li.notice_way == "none" and not hasattr(group, "notice_choice")
    row = TransitionLog.objects.filter(transition="choose_notice_way", actor=li.user).get()
    assert row.target == "none" and "李联络" in row.comment
    with pytest.raises(PermissionDenied, match="本人"):
        actions.choose_contact_notice_way(li, group.contact_people.get(mobile=WANG).user, "sms")
