"""Whole journeys through the workflow functions, as the office and the units live them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from proposals.models import Proposal, ProposalState
from responses.actions import (
    publish_letter,
    record_feedback,
    return_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from responses.models import Feedback, LetterState, Rating
from tests import factories
from workflow.actions import (
    accept_assignment,
    assign_proposal,
    decide_extension,
    decide_transfer,
    file_proposal,
    request_extension,
    request_transfer,
    start_review,
)
from workflow.audit import ActionRefused
from workflow.models import Assignment, AssignmentState, TransitionLog

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, 10, 0, tzinfo=TZ)


def test_cppcc_proposal_lead_and_two_co_handlers_through_two_rounds(office, kewei, clerk, leader):
    health = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    drugs = factories.unit("上海市药品监督管理局", organ_code="沪药")
    health_clerk = factories.member(health, "clerk")
    health_leader = factories.member(health, "leader")
    drugs_clerk = factories.member(drugs, "clerk")
    lead_proposer = factories.proposer("章毅")
    others = [factories.proposer("张远波"), factories.proposer("朱军红")]

    with time_machine.travel(at(2024, 2, 20), tick=False):
        item = factories.proposal(office, number="1136", proposers=[lead_proposer, *others])
        item = start_review(item, office)
        item = file_proposal(item, office)
        lead, co_health, co_drugs = assign_proposal(item, office, lead=kewei, co=[health, drugs])
    assert lead.due_on == date(2024, 5, 20)
    assert co_health.due_on == date(2024, 3, 20)
    assert Proposal.objects.get(pk=item.pk).state == ProposalState.ASSIGNED

    with time_machine.travel(at(2024, 2, 22), tick=False):
        for assignment, who in [(lead, clerk), (co_health, health_clerk), (co_drugs, drugs_clerk)]:
            accept_assignment(assignment, who)
    assert Proposal.objects.get(pk=item.pk).state == ProposalState.IN_HANDLING

    # The health commission's opinion arrives in time; the drug authority's is late.
    with time_machine.travel(at(2024, 3, 10), tick=False):
        opinion = start_opinion(co_health, health_clerk)
        assert opinion.addressee == "上海市科学技术委员会"
        opinion = save_letter(opinion, health_clerk, body="会办意见正文")
        submit_letter(opinion, health_clerk)
        sign_letter(opinion, health_leader)
        opinion = send_letter(opinion, health_clerk)
    assert opinion.doc_number == "沪卫函〔2024〕1号"
    assert Assignment.objects.get(pk=co_health.pk).state == AssignmentState.OPINION_SENT

    reply = start_reply(lead, clerk)
    assert reply.addressee == "章毅、张远波、朱军红委员"  # all three: no 等
    assert reply.title == "对市政协十四届二次会议第1136号提案的答复"
    reply = save_letter(reply, clerk, body="现将办理情况答复如下", class_label="解决采纳")

    with (
        time_machine.travel(at(2024, 3, 15), tick=False),
        pytest.raises(ActionRefused, match="上海市药品监督管理局"),
    ):
        submit_letter(reply, clerk)

    with (
        time_machine.travel(at(2024, 3, 21), tick=False),
        pytest.raises(ActionRefused, match="沟通"),
    ):
        submit_letter(reply, clerk)  # no contact with the proposers yet
    factories.contacted(lead, clerk, on=date(2024, 3, 20))
    with time_machine.travel(at(2024, 3, 21), tick=False):
        reply = submit_letter(reply, clerk)  # the opinion deadline has passed
    assert reply.proceeded_without_opinions
    assert TransitionLog.objects.filter(
        object_id=reply.pk, transition="submit", comment__contains="逾期未到"
    ).exists()

    with pytest.raises(PermissionDenied):
        return_letter(reply, clerk, "clerks cannot return")
    reply = return_letter(reply, leader, "请补充下一步工作打算。")
    assert reply.state == LetterState.RETURNED
    reply = save_letter(reply, clerk, body="现将办理情况答复如下。下一步……")
    reply = submit_letter(reply, clerk)

    with time_machine.travel(at(2024, 5, 27), tick=False):
        reply = sign_letter(reply, leader)
        reply = send_letter(reply, clerk)
    assert reply.doc_number == "沪科提复〔2024〕1号"
    assert reply.letter_date == date(2024, 5, 27)
    assert Proposal.objects.get(pk=item.pk).state == ProposalState.REPLIED

    publish_letter(reply, clerk)
    record_feedback(reply, others[0], handling=Rating.SATISFIED, result=Rating.BASIC, comment="")
    with time_machine.travel(at(2024, 6, 3), tick=False):
        record_feedback(
            reply,
            lead_proposer,
            handling=Rating.BASIC,
            result=Rating.UNSATISFIED,
            comment="希望进一步落实",
        )
    item = Proposal.objects.get(pk=item.pk)
    lead = Assignment.objects.get(pk=lead.pk)
    assert item.state == ProposalState.REOPENED and item.round == 2
    assert lead.state == AssignmentState.REOPENED and lead.round == 2
    assert lead.due_on == date(2024, 7, 3)

    # Round two: a new reply; both rounds stay on record.
    second = start_reply(lead, clerk)
    assert second.pk != reply.pk and second.round == 2
    second = save_letter(second, clerk, body="再次答复", class_label="解决采纳")
    submit_letter(second, clerk)
    sign_letter(second, leader)
    with time_machine.travel(at(2024, 6, 20), tick=False):
        second = send_letter(second, clerk)
    assert second.doc_number == "沪科提复〔2024〕2号"
    for person in [lead_proposer, *others]:
        record_feedback(second, person, handling="satisfied", result="satisfied")
    item = Proposal.objects.get(pk=item.pk)
    assert item.state == ProposalState.CLOSED
    assert Feedback.objects.filter(reply__assignment=lead).count() == 5
    assert set(Assignment.objects.filter(proposal=item).values_list("state", flat=True)) == {
        AssignmentState.DONE
    }


def test_npc_suggestion_separately_handled_by_two_units(office, kewei, clerk, leader):
    from proposals.models import Session

    npc = factories.session(body=Session.Body.NPC, term=16, meeting=2)
    education = factories.unit("上海市教育委员会", organ_code="沪教")
    edu_clerk, edu_leader = (
        factories.member(education, "clerk"),
        factories.member(education, "leader"),
    )
    deputy = factories.proposer("文彬", kind="deputy")
    item = factories.proposal(
        office, sess=npc, number="0345", kind="suggestion", proposers=[deputy]
    )
    with pytest.raises(ActionRefused):
        start_review(item, office)
    item = file_proposal(item, office)
    mine, theirs = assign_proposal(item, office, separate=[kewei, education])
    assert {mine.role, theirs.role} == {"separate"}
    for assignment, who, boss in [(mine, clerk, leader), (theirs, edu_clerk, edu_leader)]:
        accept_assignment(assignment, who)
        factories.contacted(assignment, who)
        reply = start_reply(assignment, who)
        assert reply.title == "对市十六届人大二次会议第0345号代表建议的答复"
        assert reply.addressee == "文彬代表"
        reply = save_letter(reply, who, body="答复", class_label="解决采纳")
        submit_letter(reply, who)
        sign_letter(reply, boss)
        reply = send_letter(reply, who)
        state = Proposal.objects.get(pk=item.pk).state
        expected = ProposalState.REPLIED if assignment == theirs else ProposalState.IN_HANDLING
        assert state == expected
    assert reply.doc_number == f"沪教建复〔{reply.sent_at.year}〕1号"


def test_transfer_requested_and_approved_to_another_unit(office, kewei, clerk):
    other = factories.unit("上海市经济和信息化委员会", organ_code="沪经信")
    item = factories.filed(office)
    (assignment,) = assign_proposal(item, office, lead=kewei)
    accept_assignment(assignment, clerk)
    request = request_transfer(assignment, clerk, "职责属经信委", suggested_unit=other)
    assert Assignment.objects.get(pk=assignment.pk).state == AssignmentState.TRANSFER_REQUESTED
    with pytest.raises(PermissionDenied):
        decide_transfer(request, clerk, approve=True)
    decide_transfer(request, office, approve=True, comment="同意", new_unit=other)
    assert Assignment.objects.get(pk=assignment.pk).state == AssignmentState.TRANSFERRED
    new_lead = Assignment.objects.current().get(proposal=item)
    assert new_lead.unit == other and new_lead.role == "lead" and new_lead.state == "pending"


def test_transfer_window_closes_five_working_days_after_acceptance(office, kewei, clerk):
    with time_machine.travel(at(2024, 3, 1), tick=False):  # a Friday
        assignment = factories.accepted(office, clerk, kewei)
    assert assignment.transfer_until == date(2024, 3, 8)
    with (
        time_machine.travel(at(2024, 3, 11), tick=False),
        pytest.raises(ActionRefused, match="调整申请期限"),
    ):
        request_transfer(assignment, clerk, "不属于我委职责")


def test_transfer_rejected_means_the_unit_handles_it(office, kewei, clerk):
    item = factories.filed(office)
    (assignment,) = assign_proposal(item, office, lead=kewei)
    request = request_transfer(assignment, clerk, "请调整")
    with pytest.raises(ActionRefused):
        decide_transfer(request, office, approve=False)
    decide_transfer(request, office, approve=False, comment="属于贵委职责，请办理")
    assignment = Assignment.objects.get(pk=assignment.pk)
    assert assignment.state == AssignmentState.ACCEPTED and assignment.accepted_at is not None
    assert Proposal.objects.get(pk=item.pk).state == ProposalState.IN_HANDLING


def test_extension_approved_moves_the_deadline_and_tells_the_proposer(
    office, kewei, clerk, django_capture_on_commit_callbacks, mailoutbox
):
    person = factories.proposer("姚成岭", email="yao@example.org")
    with time_machine.travel(at(2024, 1, 31), tick=False):
        assignment = factories.accepted(office, clerk, kewei, proposers=[person])
    assert assignment.due_on == date(2024, 4, 30)
    with pytest.raises(ActionRefused, match="2024-07-31"):
        request_extension(assignment, clerk, date(2024, 8, 1), "需协调多部门")
    extension = request_extension(assignment, clerk, date(2024, 6, 30), "需协调多部门")
    with django_capture_on_commit_callbacks(execute=True):
        decide_extension(extension, office, approve=True, comment="同意延期")
    assert Assignment.objects.get(pk=assignment.pk).due_on == date(2024, 6, 30)
    assert len(mailoutbox) == 1 and "2024-06-30" in mailoutbox[0].body
    assert extension.__class__.objects.get(pk=extension.pk).proposer_notified_at is not None
