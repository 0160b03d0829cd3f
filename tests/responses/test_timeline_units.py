"""The item page's 办理过程 names the unit of each assignment's rows, the lead first: two
bare “交办 交办待签收” lines told the office nothing."""

import re

import pytest

from tests import factories
from workflow.actions import accept_assignment, assign_proposal

pytestmark = pytest.mark.django_db


def timeline(page):
    steps = page.split("办理过程")[1].split("</ol>")[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip() for li in steps.split("<li>")[1:]
    ]


def test_each_assignment_row_names_its_unit_lead_first(client, office, kewei, clerk):
    education = factories.unit("上海市教育委员会", organ_code="沪教")
    item = factories.filed(office)
    lead, co = assign_proposal(item, office, lead=kewei, co=[education])
    accept_assignment(co, factories.member(education, "clerk"))
    accept_assignment(lead, clerk)
    client.force_login(office)

    steps = timeline(client.get(f"/items/{item.pk}/").content.decode())

    assigned = [s for s in steps if "交办：待签收" in s]
    assert [s.split(" ")[3] for s in assigned] == [
        "上海市科学技术委员会（主办）",
        "上海市教育委员会（会办）",
    ]
    accepted = [s for s in steps if "签收：" in s]
    assert "上海市教育委员会（会办）" in accepted[0]  # signed for first, listed first
    assert "上海市科学技术委员会（主办）" in accepted[1]
