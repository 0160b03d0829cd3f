"""承诺事项: a 正在解决/计划解决 reply is signed only with its commitments; candidates are found in
its text; a follow-up reply reports them delivered when it is sent; the office converts the
reply to 已解决 once all are delivered."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from proposals.classification import Bucket
from responses.actions import (
    add_commitment,
    confirm_commitment,
    mark_solved,
    reject_commitment,
    report_commitment,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    start_reply,
    submit_letter,
    suggest_commitments,
)
from responses.commitment_text import candidates
from responses.models import Commitment, CommitmentState
from tests import factories
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db

BODY = (
    "经研究，现答复如下。一、基本情况。2023年以来我局已建成3个站点。"
    "二、下一步工作。我局计划于2025年底前完成全部改造；争取在2025年第三季度出台实施办法。"
    "下一步将继续加强宣传和引导工作。"
)


def test_dated_and_vague_promises_are_found_in_order():
    found = candidates(BODY, date(2024, 5, 1))
    assert [(c.due_kind, c.promised_on) for c in found] == [
        ("year", date(2025, 12, 1)),
        ("quarter", date(2025, 9, 1)),
        ("", None),
    ]
    assert found[0].what == "我局计划于2025年底前完成全部改造"
    assert found[2].vague


def test_a_huge_body_is_read_in_bounded_time_and_candidates():
    found = candidates("下一步将加快推进各项工作。" * 100_000, date(2024, 5, 1))
    assert len(found) == 20


@pytest.fixture
def draft(office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    # Drafted in May 2024: its promises (2024, 2025) are dated after it.
    reply = start_reply(assignment, clerk, at=timezone.make_aware(datetime(2024, 5, 2, 10)))
    return save_letter(reply, clerk, body=BODY, class_label="正在解决")


def test_a_promising_reply_cannot_be_submitted_without_confirmed_commitments(draft, clerk):
    with pytest.raises(ActionRefused, match="须列明承诺事项"):
        submit_letter(draft, clerk)
    made = suggest_commitments(draft, clerk)
    assert len(made) == 3 and suggest_commitments(draft, clerk) == []
    with pytest.raises(ActionRefused, match="尚有3项承诺事项候选未确认"):
        submit_letter(draft, clerk)
    first, second, vague = made
    confirm_commitment(
        first, clerk, what=first.what, due_kind="year", promised_on=date(2025, 12, 1)
    )
    confirm_commitment(
        second, clerk, what=second.what, due_kind="quarter", promised_on=date(2025, 9, 1)
    )
    with pytest.raises(ActionRefused) as refused:
        confirm_commitment(vague, clerk, what=vague.what, due_kind="date", promised_on=None)
    assert refused.value.field == "promised_on"
    reject_commitment(vague, clerk)
    warnings = [str(w) for w in draft.warnings()]
    assert any("没有完成时限" in w and "继续加强宣传" in w for w in warnings)
    submit_letter(draft, clerk)
    due = dict(Commitment.objects.values_list("what", "due_on"))
    # 2025-12-31 is a Wednesday; 2025-09-30 a Tuesday (the quarter's end).
    assert due == {first.what: date(2025, 12, 31), second.what: date(2025, 9, 30)}


def test_a_follow_up_reply_delivers_and_the_office_converts(office, clerk, leader, kewei, draft):
    add_commitment(
        draft, clerk, what="年底前完成改造", due_kind="year", promised_on=date(2024, 12, 1)
    )
    reply = sign_letter(submit_letter(draft, clerk), leader)
    reply = send_letter(reply, clerk)
    (commitment,) = Commitment.objects.all()
    assert commitment.state == CommitmentState.OPEN and commitment.due_on == date(2024, 12, 31)
    with pytest.raises(ActionRefused, match="尚未全部落实"):
        mark_solved(reply, office)
    follow_up = start_follow_up(reply.assignment, clerk)
    with pytest.raises(ActionRefused, match="至少报告一项"):
        submit_letter(follow_up, clerk)
    report_commitment(follow_up, commitment, clerk, outcome="delivered", note="改造已完成")
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下：改造已完成。")
    follow_up = sign_letter(submit_letter(follow_up, clerk), leader)
    send_letter(follow_up, clerk)
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.DELIVERED and commitment.delivered_on
    mark_solved(reply, office)
    reply.refresh_from_db()
    assert reply.result_bucket == Bucket.SOLVED
    assert reply.bucket_before_conversion == Bucket.IN_PROGRESS and reply.converted_on


def test_promises_past_the_first_twenty_are_offered_once_those_are_known(draft, clerk):
    body = "".join(f"我局将于2030年{m % 12 + 1}月1日前完成第{m + 1}项工作。" for m in range(25))
    draft = save_letter(draft, clerk, body=body, class_label="正在解决")
    assert len(suggest_commitments(draft, clerk)) == 20
    more = suggest_commitments(draft, clerk)
    assert [c.what[-6:] for c in more] == [f"第{n}项工作" for n in range(21, 26)]
    assert suggest_commitments(draft, clerk) == []
