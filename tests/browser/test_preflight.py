"""送审前检查 follows the clerk's typing: each autosave brings the refreshed panel, so a chosen
class or a filled phone number clears its line without a reload, while a co-handler's pending
opinion stays listed and 送审 stays unavailable."""

import pytest
from playwright.sync_api import expect

from responses.actions import save_letter, start_reply
from tests import factories
from workflow.actions import accept_assignment, assign_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_panel_updates_as_the_clerk_fills_the_letter(
    open_as, live_server, office, kewei, clerk
):
    item = factories.filed(office)
    weijian = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    lead, _co = assign_proposal(item, office, lead=kewei, co=[weijian])
    accept_assignment(lead, clerk)
    factories.contacted(lead, clerk)
    reply = save_letter(start_reply(lead, clerk), clerk, body="现答复如下……", contact_phone="")
    page = open_as("clerk")
    page.goto(f"{live_server.url}/letters/reply/{reply.pk}/")
    panel = page.locator("#preflight")
    expect(panel).to_contain_text("请选择办理结果类别")
    expect(panel).to_contain_text("附注联系人或联系电话不完整")
    page.evaluate("window.notReloaded = true")

    page.select_option("#id_class_label", "解决采纳")
    expect(panel).not_to_contain_text("请选择办理结果类别")
    page.fill("#id_contact_phone", "021-23456789")
    expect(panel).not_to_contain_text("联系电话不完整")

    expect(panel).to_contain_text("会办单位意见尚未送达且未逾期：上海市卫生健康委员会")
    expect(panel.get_by_role("button", name="送领导审核签发")).to_be_disabled()
    assert page.evaluate("window.notReloaded") is True
