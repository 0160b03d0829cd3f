"""承诺事项: the rules the verbs keep (and the pages offer no more than): which units may
deliver, which replies make commitments, which commitments are tracked, who asks a drop,
what a promised date may be, and what a follow-up reply reports."""

from datetime import date

import pytest

from responses.actions import add_commitment, save_letter, start_reply
from responses.commitment_panels import handling_units
from tests import factories
from workflow.actions import accept_assignment, assign_proposal, decide_transfer, request_transfer
from workflow.audit import ActionRefused

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
