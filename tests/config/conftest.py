"""Another jurisdiction beside Shanghai, with its own office, unit, item, draft and proposer:
what an office must never reach through the admin."""

import pytest

from proposals.classification import Scheme
from responses import actions as letters
from tests import factories
from workflow import actions

OTHER_DRAFT = "山东内部草稿：资金安排尚未确定"
OTHER_PHONE = "13700002222"
OTHER_ADDRESS = "济南市历下区山东路1号"


@pytest.fixture
def elsewhere(db):
    shandong = factories.jurisdiction("山东省", level="province", scheme=Scheme.LOCAL)
    sd_office = factories.office_user(shandong, username="sd_office")
    unit = factories.unit("山东省科学技术厅", shandong, organ_code="鲁科")
    clerk = factories.member(unit, "clerk", username="sd_clerk")
    leader = factories.member(unit, "leader", username="sd_leader")
    person = factories.proposer("鲁民", phone=OTHER_PHONE, address=OTHER_ADDRESS)
    item = factories.filed(
        sd_office,
        sess=factories.session(shandong, term=13, meeting=1, year=2023),
        title="关于山东科技成果转化的提案",
        proposers=[person],
    )
    (assignment,) = actions.assign_proposal(item, sd_office, lead=unit)
    actions.accept_assignment(assignment, clerk)
    draft = letters.start_reply(assignment, clerk)
    draft = letters.save_letter(draft, clerk, body=OTHER_DRAFT)
    return {
        "jurisdiction": shandong,
        "office": sd_office,
        "unit": unit,
        "clerk": clerk,
        "leader": leader,
        "person": person,
        "item": item,
        "assignment": assignment,
        "draft": draft,
    }
