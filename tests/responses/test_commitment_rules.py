"""承诺事项: the rules the verbs keep (and the pages offer no more than): which units may
deliver, which replies make commitments, which commitments are tracked, who asks a drop,
what a promised date may be, and what a follow-up reply reports."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from responses.actions import (
    add_commitment,
    confirm_commitment,
    decide_drop,
    note_progress,
    reject_commitment,
    report_commitment,
    request_drop,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    start_reply,
    submit_letter,
    suggest_commitments,
)
from responses.commitment_panels import editor_panel, handling_units
from responses.models import Commitment, CommitmentReport, CommitmentState, LetterState, Reply
from responses.proposer_selectors import tell_commitments
from tests import factories
from workflow.actions import accept_assignment, assign_proposal, decide_transfer, request_transfer
from workflow.audit import ActionRefused
from workflow.roles import Roles
from workflow.selectors import may

pytestmark = pytest.mark.django_db


def test_a_unit_the_item_was_transferred_away_from_delivers_nothing(office, kewei, clerk):
    other = factories.unit("上海市经济和信息化委员会", organ_code="沪经信")
    other_clerk = factories.member(other, "clerk", username="other")
    item = factories.filed(office)
    (assignment,) = assign_proposal(item, office, lead=kewei)
    accept_assignment(assignment, clerk)
    request = request_transfer(assignment, clerk, "职责属经信委", suggested_unit=other)
    decide_transfer(request, office, approve=True, comment="同意", new_unit=other)
    new_lead = item.assignments.get(unit=other)
    accept_assignment(new_lead, other_clerk)
    factories.contacted(new_lead, other_clerk)
    reply = start_reply(new_lead, other_clerk)
    reply = save_letter(reply, other_clerk, body="下一步将建设示范项目。", class_label="正在解决")
    assert list(handling_units(reply)) == [other.pk]
    with pytest.raises(ActionRefused) as refused:
        add_commitment(
            reply,
            other_clerk,
            what="建设示范项目",
            due_kind="year",
            promised_on=date.today().replace(month=12, day=1),
            unit=kewei,
        )
    assert refused.value.field == "unit"


@pytest.fixture
def promising_draft(office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    return save_letter(reply, clerk, body="下一步将建设示范项目。", class_label="正在解决")


def _promise(reply, clerk, what="建设示范项目"):
    next_year = timezone.localdate(reply.created_at).year + 1
    return add_commitment(
        reply, clerk, what=what, due_kind="year", promised_on=date(next_year, 12, 1)
    )


def test_an_unsent_replys_commitments_are_not_tracked(office, clerk, leader, promising_draft):
    commitment = _promise(promising_draft, clerk)
    signed = sign_letter(submit_letter(promising_draft, clerk), leader)
    assert signed.state == LetterState.SIGNED
    with pytest.raises(ActionRefused, match="答复发出后"):
        note_progress(commitment, clerk, "已启动")
    with pytest.raises(ActionRefused, match="答复发出后"):
        request_drop(commitment, clerk, "无法落实")
    # A drop asked for before this rule: the office cannot approve it either (nor in the admin,
    # whose 同意撤销 is this verb).
    Commitment.objects.filter(pk=commitment.pk).update(
        state=CommitmentState.DROP_REQUESTED, drop_reason="无法落实"
    )
    with pytest.raises(ActionRefused, match="答复发出后"):
        decide_drop(commitment, office, approve=True)
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.DROP_REQUESTED
    assert not commitment.is_tracked
    assert not may(Roles.of(office), commitment, "approve_drop")
    Commitment.objects.filter(pk=commitment.pk).update(state=CommitmentState.OPEN, drop_reason="")
    send_letter(signed, clerk)
    commitment.refresh_from_db()
    note_progress(commitment, clerk, "已启动")
    request_drop(commitment, clerk, "无法落实")
    decide_drop(commitment, office, approve=True)


def test_a_drop_is_asked_by_the_unit_and_decided_by_the_office(
    office, clerk, leader, promising_draft
):
    commitment = _promise(promising_draft, clerk)
    send_letter(sign_letter(submit_letter(promising_draft, clerk), leader), clerk)
    commitment.refresh_from_db()
    assert not may(Roles.of(office), commitment, "request_drop")
    with pytest.raises(PermissionDenied):
        request_drop(commitment, office, "政策调整")
    assert may(Roles.of(clerk), commitment, "request_drop")
    request_drop(commitment, clerk, "政策调整")
    with pytest.raises(PermissionDenied):
        decide_drop(commitment, clerk, approve=True)
    decide_drop(commitment, office, approve=True)


def test_commitments_are_made_only_on_a_reply_that_promises_work(
    office, clerk, leader, kewei, promising_draft
):
    commitment = _promise(promising_draft, clerk)
    send_letter(sign_letter(submit_letter(promising_draft, clerk), leader), clerk)
    follow_up = start_follow_up(promising_draft.assignment, clerk)
    with pytest.raises(ActionRefused, match="正在解决或计划解决"):
        _promise(follow_up, clerk)
    with pytest.raises(ActionRefused, match="正在解决或计划解决"):
        suggest_commitments(follow_up, clerk)
    assert not follow_up.commitments.exists()
    # A reply whose class is not chosen yet: the editor shows no panel, the verbs refuse.
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = save_letter(start_reply(assignment, clerk), clerk, body="下一步将建设示范项目。")
    assert editor_panel(reply)["panel"]["shown"] is False
    with pytest.raises(ActionRefused, match="请先选择办理结果类别"):
        suggest_commitments(reply, clerk)
    reply = save_letter(reply, clerk, class_label="正在解决")
    made = _promise(reply, clerk)
    # Moved to another class: what is left may be deleted, not confirmed again.
    reply = save_letter(reply, clerk, class_label="解决采纳")
    panel = editor_panel(reply)["panel"]
    assert panel["shown"] and not panel["making"] and panel["add_form"] is None
    with pytest.raises(ActionRefused, match="正在解决或计划解决"):
        confirm_commitment(made, clerk, what="改", due_kind="year", promised_on=made.promised_on)
    reject_commitment(made, clerk)
    assert commitment.reply_id == promising_draft.pk


def test_a_follow_up_reply_never_becomes_unsendable(office, clerk, leader, promising_draft):
    first = _promise(promising_draft, clerk, "建设示范项目")
    second = _promise(promising_draft, clerk, "出台扶持办法")
    third = _promise(promising_draft, clerk, "开展专项调研")
    send_letter(sign_letter(submit_letter(promising_draft, clerk), leader), clerk)
    follow_up = start_follow_up(promising_draft.assignment, clerk)
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下：示范项目已建成。")
    report_commitment(follow_up, first, clerk, outcome="delivered", note="已建成")
    first.refresh_from_db()
    assert not may(Roles.of(clerk), first, "request_drop")
    with pytest.raises(ActionRefused, match="尚未发出的跟踪办理答复"):
        request_drop(first, clerk, "政策调整")
    # Dropped all the same (before this rule): the follow-up names it, and it can be taken out.
    Commitment.objects.filter(pk=first.pk).update(
        state=CommitmentState.DROPPED, drop_reason="政策调整"
    )
    with pytest.raises(ActionRefused, match="建设示范项目.*已撤销"):
        submit_letter(follow_up, clerk)
    rows = {row["commitment"].pk: row for row in editor_panel(follow_up)["panel"]["rows"]}
    assert [v for v, _ in rows[first.pk]["form"].fields["outcome"].choices] == [""]
    with pytest.raises(ActionRefused, match="不能由此跟踪办理答复报告"):
        report_commitment(follow_up, first, clerk, outcome="delivered")
    report_commitment(follow_up, first, clerk, outcome="")
    report_commitment(follow_up, second, clerk, outcome="delivered", note="已出台")
    report_commitment(follow_up, third, clerk, outcome="partly", note="调研过半")
    follow_up = sign_letter(submit_letter(follow_up, clerk), leader)
    # Dropped after sign-off (before this rule): sending closes the rest and skips it.
    Commitment.objects.filter(pk=third.pk).update(
        state=CommitmentState.DROPPED, drop_reason="并入其他工作"
    )
    send_letter(follow_up, clerk)
    states = dict(Commitment.objects.values_list("what", "state"))
    assert states == {
        "建设示范项目": "dropped",
        "出台扶持办法": "delivered",
        "开展专项调研": "dropped",
    }


def test_a_promised_date_lies_between_the_reply_and_ten_years_after_it(office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    drafted_at = timezone.make_aware(datetime(2024, 5, 6, 10))  # a past reply, recorded
    reply = start_reply(assignment, clerk, at=drafted_at)
    reply = save_letter(reply, clerk, body="下一步将建设示范项目。", class_label="正在解决")
    for promised_on in (date(1, 1, 1), date(2024, 5, 5), date(2034, 5, 7)):
        with pytest.raises(ActionRefused) as refused:
            add_commitment(reply, clerk, what="建设", due_kind="date", promised_on=promised_on)
        assert refused.value.field == "promised_on"
    assert not reply.commitments.exists()
    add_commitment(reply, clerk, what="当日", due_kind="date", promised_on=date(2024, 5, 6))
    add_commitment(reply, clerk, what="十年", due_kind="date", promised_on=date(2034, 5, 6))
    # A quarter or year promised is any day of it: the second quarter of 2024 is still ahead.
    made = add_commitment(
        reply, clerk, what="二季度", due_kind="quarter", promised_on=date(2024, 4, 1)
    )
    with pytest.raises(ActionRefused) as refused:
        confirm_commitment(
            made, clerk, what="一季度", due_kind="quarter", promised_on=date(2024, 1, 1)
        )
    assert refused.value.field == "promised_on"


def test_each_follow_up_keeps_what_it_reported(office, clerk, leader, promising_draft):
    commitment = _promise(promising_draft, clerk)
    send_letter(sign_letter(submit_letter(promising_draft, clerk), leader), clerk)
    body = "现将跟踪办理情况答复如下。"

    def follow_up_saying(outcome, note, send=True):
        follow_up = save_letter(
            start_follow_up(promising_draft.assignment, clerk), clerk, body=body
        )
        report_commitment(follow_up, commitment, clerk, outcome=outcome, note=note)
        if send:
            follow_up = send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)
        return follow_up

    first = follow_up_saying("partly", "完成一半")
    second = follow_up_saying("delivered", "全部完成", send=False)
    (told,) = tell_commitments([Reply.objects.get(pk=first.pk)])[0].told_reports
    assert (told.state, told.note, told.follow_up_id) == ("partly", "完成一半", first.pk)
    (shown,) = editor_panel(Reply.objects.get(pk=first.pk))["panel"]["rows"]
    assert (shown["commitment"].outcome, shown["commitment"].outcome_note) == ("partly", "完成一半")
    # Taken out of the second, the commitment repeats the first's report again.
    report_commitment(second, commitment, clerk, outcome="")
    commitment.refresh_from_db()
    assert (commitment.follow_up_id, commitment.outcome) == (first.pk, "partly")
    report_commitment(second, commitment, clerk, outcome="delivered", note="全部完成")
    send_letter(sign_letter(submit_letter(second, clerk), leader), clerk)
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.DELIVERED
    reports = CommitmentReport.objects.order_by("follow_up_id")
    assert list(reports.values_list("follow_up_id", "outcome", "note")) == [
        (first.pk, "partly", "完成一半"),
        (second.pk, "delivered", "全部完成"),
    ]
    (told,) = tell_commitments([Reply.objects.get(pk=first.pk)])[0].told_reports
    assert (told.state, told.note) == ("partly", "完成一半")
    (made,) = tell_commitments([Reply.objects.get(pk=promising_draft.pk)])[0].told_commitments
    assert (made.state, made.note, made.follow_up_id) == ("delivered", "全部完成", second.pk)


def test_the_admins_approval_of_a_drop_is_the_verb(client, office, clerk, leader, promising_draft):
    commitment = _promise(promising_draft, clerk)
    submit_letter(promising_draft, clerk)  # with the leader, not sent
    Commitment.objects.filter(pk=commitment.pk).update(
        state=CommitmentState.DROP_REQUESTED, drop_reason="无法落实"
    )
    client.force_login(office)
    answer = client.post(
        "/admin/responses/commitment/",
        {"action": "approve_drop", "_selected_action": [commitment.pk]},
        follow=True,
    )
    assert "答复发出后" in answer.content.decode()
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.DROP_REQUESTED


def test_a_follow_up_reports_only_what_a_sent_reply_promised(clerk, leader, promising_draft):
    """A reply awaiting signature has promised nothing yet: no follow-up reports it."""
    _promise(promising_draft, clerk)
    submit_letter(promising_draft, clerk)
    with pytest.raises(ActionRefused, match="没有待落实的承诺事项"):
        start_follow_up(promising_draft.assignment, clerk)
    assert not Commitment.objects.reportable(promising_draft.assignment).exists()


def test_a_reply_whose_class_changed_is_not_signed_with_its_commitments(
    clerk, leader, promising_draft
):
    """Made while 正在解决, the commitments must go once the reply is classed 解决采纳."""
    commitment = _promise(promising_draft, clerk)
    reply = save_letter(promising_draft, clerk, class_label="解决采纳")
    with pytest.raises(ActionRefused, match="不作承诺"):
        submit_letter(reply, clerk)
    reject_commitment(commitment, clerk)
    assert submit_letter(reply, clerk).state == LetterState.SUBMITTED


def test_a_refused_drop_leaves_a_partly_delivered_one_partly_delivered(
    office, clerk, leader, promising_draft
):
    commitment = _promise(promising_draft, clerk)
    reply = send_letter(sign_letter(submit_letter(promising_draft, clerk), leader), clerk)
    follow_up = start_follow_up(reply.assignment, clerk)
    report_commitment(follow_up, commitment, clerk, outcome="partly", note="完成一半")
    follow_up = save_letter(follow_up, clerk, body="已完成一半。")
    send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)
    commitment = request_drop(Commitment.objects.get(pk=commitment.pk), clerk, "经费不足")
    commitment = decide_drop(commitment, office, approve=False, comment="请继续推进")
    assert commitment.state == CommitmentState.PARTLY and commitment.delivered_on


def test_the_public_is_not_told_what_a_summary_only_follow_up_reported(
    office, clerk, leader, promising_draft
):
    from responses.actions import publish_letter

    commitment = _promise(promising_draft, clerk)
    reply = send_letter(sign_letter(submit_letter(promising_draft, clerk), leader), clerk)
    reply = publish_letter(reply, office)
    follow_up = start_follow_up(reply.assignment, clerk)
    report_commitment(follow_up, commitment, clerk, outcome="delivered", note="内部说明XYZ")
    follow_up = save_letter(
        follow_up, clerk, body="已完成。", disclosure="summary", summary="示范项目已建成。"
    )
    follow_up = send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)
    publish_letter(follow_up, office)
    (told,) = tell_commitments([Reply.objects.get(pk=reply.pk)], public=True)[0].told_commitments
    assert told.note == "" and told.follow_up_id is None
    (proposers,) = tell_commitments([Reply.objects.get(pk=reply.pk)])[0].told_commitments
    assert proposers.note == "内部说明XYZ"
