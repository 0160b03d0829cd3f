"""The registry of notices: each event reaches exactly its audience, once."""

import pytest

from proposals.models import Proposer
from tests import factories as f
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
