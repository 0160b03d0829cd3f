"""The letter state sets agree with the machine, and who may see a letter is one rule: the
QuerySet (lists, the API, search) and the method (a letter in hand) answer alike."""

import pytest

from responses.models import (
    EDITABLE_STATES,
    QUEUED_STATES,
    SENT_STATES,
    LetterState,
    Opinion,
    Reply,
)
from tests import factories
from workflow.roles import Roles

pytestmark = pytest.mark.django_db


def transitions():
    """One row per (transition, source)."""
    return list(Reply._meta.get_field("state").get_all_transitions(Reply))


def target_of(name):
    (target,) = {t.target for t in transitions() if t.name == name}
    return target


def reachable_from(state):
    found, todo = {state}, [state]
    while todo:
        here = todo.pop()
        for t in transitions():
            if t.source in (here, "*") and t.target not in found:
                found.add(t.target)
                todo.append(t.target)
    return found


def test_the_sets_are_the_machines_own():
    sources_of_submit = {t.source for t in transitions() if t.name == "submit"}
    assert EDITABLE_STATES == sources_of_submit == {LetterState.DRAFT, LetterState.RETURNED}
    assert {target_of("submit"), target_of("sign")} == QUEUED_STATES
    assert reachable_from(target_of("send")) == SENT_STATES
    # Every state is in exactly one set: a letter is being written, with the leader, or out.
    assert set(LetterState) == EDITABLE_STATES | QUEUED_STATES | SENT_STATES
    assert not (EDITABLE_STATES & QUEUED_STATES or QUEUED_STATES & SENT_STATES)
    assert not EDITABLE_STATES & SENT_STATES


def test_who_may_see_a_letter_in_every_state(office, clerk, leader, kewei, shanghai):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    other_unit = factories.unit("上海市教育委员会", shanghai, organ_code="沪教")
    elsewhere = factories.jurisdiction("杭州市")
    people = {
        "office": (office, True),
        "drafting unit": (clerk, True),
        "other unit": (factories.member(other_unit), False),
        "office elsewhere": (factories.office_user(elsewhere), False),
        "no role": (factories.user(), False),
    }
    for state in LetterState:
        Reply.objects.filter(pk=reply.pk).update(state=state)
        letter = Reply.objects.select_related("assignment").get(pk=reply.pk)
        for who, (user, sees_every_state) in people.items():
            roles = Roles.of(user)
            assert letter.is_handled_by(roles, shanghai.pk) == sees_every_state, (state, who)
            expected = sees_every_state or state in SENT_STATES
            listed = Reply.objects.visible_to(roles).filter(pk=reply.pk).exists()
            assert listed == letter.is_visible_to(roles, shanghai.pk) == expected, (state, who)
            cited = Reply.objects.citable_for(roles).filter(pk=reply.pk).exists()
            assert cited == (
                state == LetterState.PUBLISHED or (sees_every_state and state in SENT_STATES)
            ), (state, who)


def test_sent_and_queued_reads(office, clerk, leader, kewei):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    for state in LetterState:
        Reply.objects.filter(pk=reply.pk).update(state=state)
        letter = Reply.objects.get(pk=reply.pk)
        assert Reply.objects.sent().filter(pk=reply.pk).exists() == letter.is_sent
        assert letter.is_sent == (state in SENT_STATES)
        assert Reply.objects.queued().filter(pk=reply.pk).exists() == (state in QUEUED_STATES)
        assert letter.is_editable == (state in EDITABLE_STATES)
    assert not Opinion.objects.sent().exists()
