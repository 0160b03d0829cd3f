"""Another jurisdiction beside Shanghai, with its own office, unit, item, draft and proposer:
what an office must never reach through the admin."""

import pytest

from proposals.classification import Scheme
from responses.actions import save_letter, start_reply
from tests import factories
from workflow.actions import accept_assignment, assign_proposal

OTHER_DRAFT = "山东内部草稿：资金安排尚未确定"
OTHER_PHONE = "13700002222"
OTHER_ADDRESS = "济南市历下区山东路1号"


def side(where, office, unit, clerk, leader, *, person, body, term=14):
    """One jurisdiction's item, assigned to `unit`, signed for, with a saved draft reply."""
    item = factories.filed(
        office,
        sess=factories.session(where, term=term, meeting=1, year=2023),
        title=f"关于{unit.name}科技成果转化的提案",
        proposers=[person],
    )
    (assignment,) = assign_proposal(item, office, lead=unit)
    accept_assignment(assignment, clerk)
    draft = start_reply(assignment, clerk)
    draft = save_letter(draft, clerk, body=body)
    # Registered, not yet assigned: what the office may still correct in the admin.
    registered = factories.filed(office, sess=item.session, proposers=[person])
    return {
        "registered": registered,
        "jurisdiction": where,
        "office": office,
        "unit": unit,
        "clerk": clerk,
        "leader": leader,
        "person": person,
        "item": item,
        "assignment": assignment,
        "draft": draft,
    }


@pytest.fixture
def elsewhere(db):
    shandong = factories.jurisdiction("山东省", level="province", scheme=Scheme.LOCAL)
    unit = factories.unit("山东省科学技术厅", shandong, organ_code="鲁科")
    return side(
        shandong,
        factories.office_user(shandong, username="sd_office"),
        unit,
        factories.member(unit, "clerk", username="sd_clerk"),
        factories.member(unit, "leader", username="sd_leader"),
        person=factories.proposer("鲁民", phone=OTHER_PHONE, address=OTHER_ADDRESS),
        body=OTHER_DRAFT,
        term=13,
    )
