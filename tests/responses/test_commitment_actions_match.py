"""The item page's 承诺事项 offer exactly what the verbs accept: at each stage of a
commitment and for every role, a step shown ⇔ its verb, called as that person, succeeds
(tried inside a rolled-back transaction, as tests/test_actions_match_verbs.py does)."""

from datetime import date

import pytest
from django.urls import reverse

from responses.actions import (
    add_commitment,
    decide_drop,
    mark_solved,
    note_progress,
    report_commitment,
    request_drop,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    start_reply,
    submit_letter,
)
from responses.models import Reply
from tests import factories
from tests.test_actions_match_verbs import ROLES, shown, succeeds
from workflow.actions import accept_assignment, assign_proposal

pytestmark = pytest.mark.django_db

STAGES = ("promised", "drop_requested", "follow_up_draft", "follow_up_signed", "delivered")
STEPS = {"note_progress", "request_drop", "decide_drop", "start_follow_up", "mark_solved", "send"}


@pytest.fixture
def cast(shanghai, office, kewei, clerk, leader):
    """The roles of tests/test_actions_match_verbs.py: the office, the lead unit's clerk and
    leader, a co-handler's clerk, another unit's clerk and another jurisdiction's office."""
    co_unit = factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    other_unit = factories.unit("上海市教育委员会", shanghai, organ_code="沪教")
    return {
        "office": office,
        "lead_clerk": clerk,
        "lead_leader": leader,
        "co_clerk": factories.member(co_unit, "clerk"),
        "other_clerk": factories.member(other_unit, "clerk"),
        "other_office": factories.office_user(factories.jurisdiction("浙江省", level="province")),
        "lead": kewei,
        "co": co_unit,
    }


def build(stage, cast):
    """A 正在解决 reply sent with two commitments, the lead's and the co-handler's, taken to
    `stage` through the verbs."""
    office, clerk, leader = cast["office"], cast["lead_clerk"], cast["lead_leader"]
    item = factories.filed(office)
    lead, co = assign_proposal(item, office, lead=cast["lead"], co=[cast["co"]])
    accept_assignment(lead, clerk)
    accept_assignment(co, cast["co_clerk"])
    factories.contacted(lead, clerk)
    reply = start_reply(lead, clerk)
    reply = save_letter(reply, clerk, body="现将办理情况答复如下……", class_label="正在解决")
    made = [
        add_commitment(
            reply, clerk, what=what, due_kind="year", promised_on=date(2030, 1, 1), unit=unit
        )
        for what, unit in (("建成平台", cast["lead"]), ("出台办法", cast["co"]))
    ]
    with pytest.MonkeyPatch.context() as patch:  # the co-handler's opinion is not awaited
        patch.setattr(
            Reply, "blocking_opinions", lambda self, today=None: self.outstanding_opinions().none()
        )
        reply = send_letter(sign_letter(submit_letter(reply, clerk), leader), clerk)
    if stage == "drop_requested":
        request_drop(made[1], cast["co_clerk"], "不再实施")
    if stage in ("promised", "drop_requested"):
        return item, reply, made
    follow_up = start_follow_up(lead, clerk)
    for commitment in made:
        report_commitment(follow_up, commitment, clerk, outcome="delivered")
    if stage == "follow_up_draft":
        return item, reply, made
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下。")
    follow_up = sign_letter(submit_letter(follow_up, clerk), leader)
    if stage == "delivered":
        send_letter(follow_up, clerk)
    return item, reply, made


def candidates(item, reply, made):
    """Every 承诺事项 step the item page can show, by its URL, with its verb."""
    lead = item.assignments.get(role="lead")
    found = {
        (reverse("follow-up-start", args=[lead.pk]), "start_follow_up"): lambda user: (
            start_follow_up(lead, user)
        ),
        (reverse("reply-solved", args=[reply.pk]), "mark_solved"): lambda user: mark_solved(
            reply, user
        ),
    }
    for letter in lead.replies.all():
        url = reverse("letter-send", args=["reply", letter.pk])
        found[(url, "send")] = lambda user, x=letter: send_letter(x, user)
    for c in made:
        found[(reverse("commitment-progress", args=[c.pk]), "note_progress")] = lambda user, c=c: (
            note_progress(c, user, "进展")
        )
        found[(reverse("commitment-drop", args=[c.pk]), "request_drop")] = lambda user, c=c: (
            request_drop(c, user, "理由")
        )
        found[(reverse("commitment-decide", args=[c.pk]), "decide_drop")] = lambda user, c=c: (
            decide_drop(c, user, approve=True)
        )
    return found


@pytest.mark.parametrize("stage", STAGES)
def test_the_item_page_offers_the_commitment_steps_the_verbs_accept(client, cast, stage):
    item, reply, made = build(stage, cast)
    forms = candidates(item, reply, made)
    for role in ROLES:
        user = cast[role]
        on_page = {
            key for key in shown(client, user, reverse("item", args=[item.pk])) if key[1] in STEPS
        }
        assert on_page <= set(forms), (stage, role, on_page - set(forms))
        for key, verb in forms.items():
            accepted = succeeds(lambda verb=verb, user=user: verb(user))
            offered = key in on_page
            assert offered == accepted, (stage, role, key, "offered" if offered else "hidden")
