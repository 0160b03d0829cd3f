"""The rules each verb enforces, with the message a user would read."""

import pytest
from django.core.exceptions import PermissionDenied

from proposals.models import ProposalState
from responses.actions import (
    publish_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
    withdraw_publication,
)
from tests import factories
from workflow.actions import (
    accept_assignment,
    assign_proposal,
    convert_proposal,
    file_proposal,
    merge_proposal,
    reject_proposal,
    return_proposal,
    start_review,
)
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db


def test_only_the_office_of_the_items_jurisdiction_reviews_and_assigns(office, kewei, clerk):
    item = factories.proposal(office)
    with pytest.raises(PermissionDenied):
        start_review(item, clerk)
    shandong = factories.jurisdiction("山东省", level="province")
    foreign_office = factories.office_user(shandong)
    with pytest.raises(PermissionDenied):
        start_review(item, foreign_office)
    item = file_proposal(start_review(item, office), office)
    with pytest.raises(PermissionDenied):
        assign_proposal(item, clerk, lead=kewei)
    with pytest.raises(PermissionDenied):
        assign_proposal(item, foreign_office, lead=kewei)


def test_review_outcomes_need_their_reasons(office):
    item = start_review(factories.proposal(office), office)
    for verb in (reject_proposal, return_proposal, convert_proposal):
        with pytest.raises(ActionRefused, match="理由|说明"):
            verb(item, office, "  ")
    item = reject_proposal(item, office, "属于党派内部事务")
    assert item.state == ProposalState.NOT_FILED and item.review_reason == "属于党派内部事务"


def test_merge_into_another_item_of_the_same_session(office):
    target = factories.proposal(office)
    item = start_review(factories.proposal(office), office)
    with pytest.raises(ActionRefused):
        merge_proposal(item, office, item)
    item = merge_proposal(item, office, target)
    assert item.state == ProposalState.MERGED and item.merged_into == target


def test_returned_proposal_can_be_reviewed_again(office):
    item = start_review(factories.proposal(office), office)
    item = return_proposal(item, office, "请补充具体建议")
    item = start_review(item, office)
    assert item.state == ProposalState.IN_REVIEW


def test_assignment_shapes(office, kewei):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    item = factories.filed(office)
    with pytest.raises(ActionRefused, match="至少"):
        assign_proposal(item, office)
    with pytest.raises(ActionRefused, match="分办"):
        assign_proposal(item, office, lead=kewei, separate=[other])
    with pytest.raises(ActionRefused, match="主办"):
        assign_proposal(item, office, co=[other])
    with pytest.raises(ActionRefused, match="重复"):
        assign_proposal(item, office, lead=kewei, co=[kewei])
    foreign = factories.unit("山东省科学技术厅", factories.jurisdiction("山东省", level="province"))
    with pytest.raises(ActionRefused, match="不属于本行政区"):
        assign_proposal(item, office, lead=foreign)


def test_unit_cannot_act_on_another_units_assignment(office, kewei, clerk):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    stranger = factories.member(other, "clerk")
    item = factories.filed(office)
    (assignment,) = assign_proposal(item, office, lead=kewei)
    with pytest.raises(PermissionDenied):
        accept_assignment(assignment, stranger)
    accept_assignment(assignment, clerk)
    with pytest.raises(PermissionDenied):
        start_reply(assignment, stranger)
    with pytest.raises(PermissionDenied):
        factories.contacted(assignment, stranger)


def test_disclosure_decisions_need_reason_or_summary(office, kewei, clerk, leader):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="答复", class_label="解决采纳", disclosure="withheld")
    with pytest.raises(ActionRefused, match="不予公开"):
        submit_letter(reply, clerk)
    reply = save_letter(reply, clerk, disclosure="summary")
    with pytest.raises(ActionRefused, match="摘要"):
        submit_letter(reply, clerk)
    reply = save_letter(reply, clerk, summary="已采纳并落实。")
    reply = submit_letter(reply, clerk)
    reply = sign_letter(reply, leader)
    reply = send_letter(reply, clerk)
    reply = publish_letter(reply, clerk)
    assert reply.state == "published"
    with pytest.raises(PermissionDenied):
        withdraw_publication(reply, clerk, "误公开")
    reply = withdraw_publication(reply, office, "涉及个人信息，撤回")
    assert reply.state == "withheld"


def test_a_leader_cannot_sign_their_own_draft(office, kewei, leader):
    assignment = factories.accepted(office, leader, kewei)
    factories.contacted(assignment, leader)
    reply = start_reply(assignment, leader)
    reply = save_letter(reply, leader, body="答复", class_label="解决采纳")
    reply = submit_letter(reply, leader)
    with pytest.raises(ActionRefused, match="四眼原则"):
        sign_letter(reply, leader)


def test_a_sent_letter_is_frozen(office, kewei, clerk, leader):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    with pytest.raises(ActionRefused, match="不能修改"):
        save_letter(reply, clerk, body="改写")


def test_withheld_letters_are_never_published(office, kewei, clerk, leader):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(
        reply,
        clerk,
        body="答复",
        class_label="留作参考",
        disclosure="withheld",
        withheld_reason="privacy",
    )
    submit_letter(reply, clerk)
    sign_letter(reply, leader)
    reply = send_letter(reply, clerk)
    assert reply.state == "withheld"
    with pytest.raises(ActionRefused, match="主动公开"):
        publish_letter(reply, office)


def test_contact_rule_can_be_switched_off_per_jurisdiction(office, kewei, clerk, leader, shanghai):
    shanghai.contact_required = False
    shanghai.save()
    assignment = factories.accepted(office, clerk, kewei)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="答复", class_label="解决采纳")
    submit_letter(reply, clerk)
    assert sign_letter(reply, leader).state == "signed"


def test_co_handlers_do_not_reply_to_proposers(office, kewei):
    co_unit = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    co_clerk = factories.member(co_unit, "clerk")
    item = factories.filed(office)
    _lead, co = assign_proposal(item, office, lead=kewei, co=[co_unit])
    accept_assignment(co, co_clerk)
    with pytest.raises(ActionRefused, match="会办意见"):
        start_reply(co, co_clerk)


def test_office_registers_an_item_in_the_admin_through_the_workflow(client, office, shanghai):
    from proposals.models import Proposal
    from workflow.models import TransitionLog

    session = factories.session(body="npc")
    client.force_login(office)
    response = client.post(
        "/admin/proposals/proposal/add/",
        {
            "kind": "suggestion",
            "session": session.pk,
            "number": "0777",
            "title": "关于优化公交的建议",
            "body": "",
            "topic": "",
            "supervising_leader": "",
            "proposer_names": "文彬，李四",
            "proposer_kind": "deputy",
            "signatories-TOTAL_FORMS": "0",
            "signatories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Proposal.objects.get(number="0777")
    assert [p.name for p in item.proposers.order_by("signatures__position")] == ["文彬", "李四"]
    assert TransitionLog.objects.filter(object_id=item.pk, transition="receive").exists()


def test_admin_actions_call_the_workflow_and_report_refusals(client, office, kewei):
    item = factories.proposal(office)
    client.force_login(office)
    url = "/admin/proposals/proposal/"
    client.post(url, {"action": "start_review", "_selected_action": [item.pk]})
    client.post(url, {"action": "file_proposal", "_selected_action": [item.pk]})
    item.refresh_from_db()
    assert item.state == ProposalState.FILED
    page = client.post(url, {"action": "reject_proposal", "_selected_action": [item.pk]})
    assert "理由或意见" in page.content.decode()  # asks for the reason first
    done = client.post(
        url,
        {
            "action": "assign_proposal",
            "_selected_action": [item.pk],
            "apply": "1",
            "lead": kewei.pk,
        },
        follow=True,
    )
    assert "已处理 1 项" in done.content.decode()
    refused = client.post(
        url, {"action": "file_proposal", "_selected_action": [item.pk]}, follow=True
    )
    assert "不能执行此操作" in refused.content.decode()
