"""A letter of an item re-routed to another unit (调整) is no longer its unit's to answer: not
signed, not sent, whatever stage it had reached when the office approved the transfer."""

import pytest

from responses.actions import save_letter, send_letter, sign_letter, start_reply, submit_letter
from tests import factories
from workflow.actions import decide_transfer, request_transfer
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db


def _transferred(assignment, clerk, office):
    other = factories.unit("上海市经济和信息化委员会", organ_code="沪经信")
    request = request_transfer(assignment, clerk, "职责属经信委", suggested_unit=other)
    decide_transfer(request, office, approve=True, comment="同意", new_unit=other)


@pytest.mark.parametrize("stage", ["submitted", "signed"])
def test_a_transferred_items_letter_is_neither_signed_nor_sent(office, clerk, leader, kewei, stage):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="现答复如下：已采纳。", class_label="解决采纳")
    reply = submit_letter(reply, clerk)
    if stage == "signed":
        reply = sign_letter(reply, leader)
    _transferred(assignment, clerk, office)
    with pytest.raises(ActionRefused, match="已调整给其他单位|不能执行此操作|当前状态"):
        if stage == "submitted":
            sign_letter(reply, leader)
        else:
            send_letter(reply, clerk)
    reply.refresh_from_db()
    assert reply.state == stage
