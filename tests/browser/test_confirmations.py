"""Issue 21 (6) in Chromium: the steps that cannot be undone ask first, on a page that fits a
phone, with JavaScript (the office's 公开 and 撤回公开) and without it (签发并发出)."""

import pytest
from playwright.sync_api import expect

from responses.actions import save_letter, start_reply, submit_letter
from responses.models import Reply
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390


def fits_a_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways on a phone ({width}px)"


@pytest.fixture
def submitted(office, clerk, kewei):
    people = [
        factories.proposer("章毅", email="zhangyi@example.org", phone="13912345678"),
        factories.proposer("姚成岭", address="上海市黄浦区人民大道200号市政协提案委员会"),
    ]
    assignment = factories.accepted(office, clerk, kewei, proposers=people)
    factories.contacted(assignment, clerk)
    reply = save_letter(
        start_reply(assignment, clerk), clerk, body="现将办理情况答复如下……", class_label="解决采纳"
    )
    return submit_letter(reply, clerk)


def test_sign_and_send_asks_first_without_javascript(
    browser, live_server, submitted, leader, shots
):
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 900}, locale="zh-CN", java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, live_server.url, "leader", "pw-Banli-2024")
        page.goto(f"{live_server.url}/review/")
        page.locator(".queue-item").first.locator("button:has-text('签发并发出')").click()
        asked = page.locator(".confirm")
        expect(asked).to_contain_text("预计为 沪科提复")
        expect(asked).to_contain_text("z***@example.org")
        expect(asked).to_contain_text("姚成岭：需登记纸质送达")
        fits_a_phone(page)
        shots(page, "confirm-sign-and-send-phone")
        assert Reply.objects.get(pk=submitted.pk).state == "submitted"
        page.click("button:has-text('确认签发并发出')")
        expect(page.locator(".messages")).to_contain_text("已签发并发出")
        assert Reply.objects.get(pk=submitted.pk).state == "sent"
    finally:
        context.close()


def test_the_office_publishes_and_withdraws_after_being_told_what_the_public_sees(
    open_as, live_server, office, clerk, leader, kewei
):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    page = open_as("office", width=PHONE_WIDTH)
    page.goto(f"{live_server.url}/office/publication/")
    page.get_by_role("button", name="公开", exact=True).click()
    expect(page.locator(".confirm")).to_contain_text("向所有人公开")
    fits_a_phone(page)
    page.click("text=取消")
    expect(page.locator("h1")).to_contain_text("公开与反馈")
    assert Reply.objects.get(pk=reply.pk).state == "sent"

    page.get_by_role("button", name="公开", exact=True).click()
    page.click("button:has-text('确认公开')")
    expect(page.locator(".messages")).to_contain_text("已公开")
    page.fill("input[name=reason]", "含有提出人的个人信息")
    page.click("button:has-text('撤回公开')")
    expect(page.locator(".confirm")).to_contain_text("含有提出人的个人信息")
    fits_a_phone(page)
    assert Reply.objects.get(pk=reply.pk).state == "published"
    page.click("button:has-text('确认撤回公开')")
    expect(page.locator(".messages")).to_contain_text("已撤回公开")
    assert Reply.objects.get(pk=reply.pk).state == "withheld"
