"""The registry of notices: each event reaches exactly its audience, once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import translation

from proposals.models import Proposer
from tests import factories as f
from workflow.actions import request_extension
from workflow.models import Notification, UnitMembership
from workflow.notices import Event, announce

pytestmark = pytest.mark.django_db


def test_an_event_reaches_its_audience_once():
    unit = f.unit()
    clerk = f.member(unit)
    leader = f.member(unit, role=UnitMembership.Role.LEADER)
    office = f.office_user(unit.jurisdiction)
    f.member(f.unit(name="别的单位"))  # another unit's clerk hears nothing
    told = announce(
        Event.FEEDBACK_UNSATISFIED,
        subject="reply:1",
        title="不满意",
        unit=unit,
        jurisdiction=unit.jurisdiction,
    )
    assert sorted(told) == sorted([clerk.pk, leader.pk, office.pk])
    again = announce(
        Event.FEEDBACK_UNSATISFIED,
        subject="reply:1",
        title="不满意",
        unit=unit,
        jurisdiction=unit.jurisdiction,
    )
    assert again == []
    assert Notification.objects.filter(event=Event.FEEDBACK_UNSATISFIED).count() == 3


def test_submitted_reaches_only_the_units_leaders():
    unit = f.unit()
    f.member(unit)
    leader = f.member(unit, role=UnitMembership.Role.LEADER)
    assert announce(Event.SUBMITTED, subject="reply:2", title="送审", unit=unit) == [leader.pk]


def test_a_proposers_channels_put_the_preferred_first():
    person = Proposer(
        name="李华",
        kind=Proposer.Kind.DEPUTY,
        phone="+86 139-0000-0000",
        email="li@example.org",
        address="某路1号",
        preferred_channel=Proposer.Channel.PAPER,
    )
    assert person.mobile == "13900000000"
    assert person.channels == ["paper", "email", "sms"]
    landline = Proposer(name="王明", kind=Proposer.Kind.MEMBER, phone="021-6612345")
    assert landline.mobile == "" and not landline.has_contact


def test_an_english_speaking_office_member_tells_clerks_in_chinese(client, office, kewei, clerk):
    """Notices are stored once and read by others: whatever language the actor uses, the
    clerks get them in the site's language."""
    assignment = f.accepted(office, clerk, kewei)
    extension = request_extension(assignment, clerk, assignment.due_on + timedelta(days=30), "调研")
    client.force_login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(
        f"/office/extensions/{extension.pk}/decide",
        {"approve": "yes", "comment": "同意"},
        follow=True,
    )
    assert "延期申请已审批" not in page.content.decode()  # the office read its page in English
    notice = Notification.objects.get(event=Event.EXTENSION_DECIDED, recipient=clerk)
    assert "延期申请已同意" in notice.title
    assert "答复期限为" in notice.body and "建议提案处意见：同意" in notice.body


def test_a_notice_is_built_in_chinese_while_english_is_active(kewei, clerk):
    with translation.override("en"):
        announce(
            Event.ASSIGNED,
            subject="assignment:1",
            title=lambda: translation.gettext("新交办：%(ref)s") % {"ref": "A1"},
            unit=kewei,
        )
    assert Notification.objects.get(recipient=clerk).title == "新交办：A1"
