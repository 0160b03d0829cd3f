"""Why 送审 is not offered, said where the clerk looks: by the disabled button in the editor,
and by 起草答复 on the item page while co-handlers' opinions are still due."""

import pytest

from responses.actions import save_letter, start_reply
from tests import factories
from workflow.actions import accept_assignment, assign_proposal

pytestmark = pytest.mark.django_db


def test_the_disabled_button_says_how_many_items_are_unmet(client, office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = save_letter(start_reply(assignment, clerk), clerk, body="", class_label="")
    client.force_login(clerk)
    page = client.get(f"/letters/reply/{reply.pk}/").content.decode()
    assert "尚有2项未满足，见上方送审前检查" in page and 'href="#preflight"' in page
    reply = save_letter(reply, clerk, body="您提出的提案收悉。", class_label="解决采纳")
    page = client.get(f"/letters/reply/{reply.pk}/").content.decode()
    assert "项未满足" not in page


def test_the_lead_is_told_by_its_draft_button_until_when_it_waits(client, office, clerk, kewei):
    item = factories.filed(office)
    weijian = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    lead, co = assign_proposal(item, office, lead=kewei, co=[weijian])
    accept_assignment(lead, clerk)
    client.force_login(clerk)
    page = client.get(f"/items/{item.pk}/").content.decode()
    due = co.due_on
    assert f"会办单位意见送达或逾期后方可送审（最迟{due.year}年{due.month}月{due.day}日）" in page
