"""Issue 22 on a phone (390 px): the office invites a proposer, who sets a password through
the link; the co-signer signs in with the code sent by SMS; each opens the reply of their
joint item and rates it. Every proposer page passes axe-core as the staff pages do."""

import re

import pytest

from portal import actions
from tests import factories
from tests.browser.test_accessibility import summary, violations
from workflow.sms import MemoryBackend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def joint_reply(settings, office, clerk, leader, kewei, shanghai):
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    MemoryBackend.outbox = []
    lead = factories.proposer("文彬", phone="13912345678", jurisdiction=shanghai)
    cosigner = factories.proposer("章毅", phone="13987654321", jurisdiction=shanghai)
    reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[lead, cosigner])
    return reply, lead, cosigner


def phone_page(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def rate(page, found, shots, name):
    """Open the item, then its reply, and rate it on both axes."""
    page.click("ul.items a.title")
    found[page.url] = violations(page)
    page.click("ul.steps a >> nth=0")
    found[page.url] = violations(page)
    shots(page, name)
    page.check("input[name=handling][value=satisfied]")
    page.check("input[name=result][value=basic]")
    page.click("#rate button.primary")
    page.wait_for_load_state()
    assert "您的意见" in page.content() and "基本满意" in page.content()


def test_invite_sign_in_and_rate_on_a_phone(browser, live_server, joint_reply, office, shots):
    reply, lead, cosigner = joint_reply
    token = actions.invite_proposer(lead, office, channel="sms")
    found = {}

    context, page = phone_page(browser, live_server)
    page.goto(f"{live_server.url}/me/welcome/{token}/")
    found[page.url] = violations(page)
    page.fill("#id_new_password1", "Wenbin-2024-pass")
    page.fill("#id_new_password2", "Wenbin-2024-pass")
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.url.endswith("/me/")
    found[page.url] = violations(page)
    rate(page, found, shots, "portal-reply-390")
    context.close()

    context, page = phone_page(browser, live_server)
    page.goto(f"{live_server.url}/me/sign-in/")
    found[page.url] = violations(page)
    page.fill("#id_mobile", "139 8765 4321")
    page.click("button.primary >> nth=0")
    page.wait_for_load_state()
    code = re.search(r"验证码为(\d{6})", MemoryBackend.outbox[-1][1]).group(1)
    page.fill("#id_code", code)
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.url.endswith("/me/") and reply.assignment.proposal.title in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rate(page, found, shots, "portal-cosigner-390")
    context.close()

    problems = {(url, 390): v for url, v in found.items() if v}
    assert not problems, "axe found serious or critical violations:\n" + summary(problems)
    assert reply.feedback.count() == 2


def test_a_shared_mobile_chooses_its_identity_on_a_phone(browser, live_server, settings, shanghai):
    """A couple of deputies at one mobile: after the code, a choice of names only, each a
    full-width button; the page passes axe-core and fits the phone."""
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    MemoryBackend.outbox = []
    factories.proposer("文彬", phone="13912345678", jurisdiction=shanghai)
    factories.proposer("林静", phone="13912345678", jurisdiction=shanghai)
    context, page = phone_page(browser, live_server)
    page.goto(f"{live_server.url}/me/sign-in/")
    page.fill("#id_mobile", "13912345678")
    page.click("button.primary >> nth=0")
    page.wait_for_load_state()
    code = re.search(r"验证码为(\d{6})", MemoryBackend.outbox[-1][1]).group(1)
    page.fill("#id_code", code)
    page.click("button.primary")
    page.wait_for_load_state()
    assert "选择身份" in page.content() and "13912345678" not in page.content()
    problems = violations(page)
    assert not problems, summary({(page.url, 390): problems})
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.get_by_role("button", name=re.compile("林静")).bounding_box()
    assert box["height"] >= 44
    page.get_by_role("button", name=re.compile("林静")).click()
    page.wait_for_load_state()
    assert page.url.endswith("/me/")
    context.close()
