"""Acceptance: the lead unit's clerk, the co-handling unit's clerk and the unit's leader use
Banli on the demo data, on the journey day (see acceptance.py), through the pages only.

Each journey runs in full at 1366 px in Chinese; the same role's key pages are then passed
over on a 390 px phone in English (and the phone in Chinese for the screenshots people see).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.acceptance import (
    DAYS_LEFT,
    DESK,
    DUE_TODAY,
    OVERDUE,
    PHONE,
    demo_fixture,  # noqa: F401 (the `demo` fixture)
    fits,
    shot_name,
    visit_fixture,  # noqa: F401 (the `visit` fixture)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

RIVER = "关于加强河道水环境长效治理的建议"  # 0011, waiting for 签收 at the science commission
EV_CHARGING = "关于加快新能源汽车公共充电设施建设的提案"  # 0028, its reply with the leader


def test_lead_unit_clerk_accepts_contacts_drafts_attaches_and_submits(
    visit, demo, live_server, shots, tmp_path
):
    page = visit("clerk")
    expect(page.get_by_role("heading", level=1)).to_contain_text("办理工作台")
    # The inbox says how each deadline stands on the journey day.
    expect(page.get_by_text(OVERDUE).first).to_be_visible()
    expect(page.get_by_text(DUE_TODAY).first).to_be_visible()
    expect(page.get_by_text(DAYS_LEFT).first).to_be_visible()
    shots(page, shot_name("clerk", "inbox", DESK, "zh"))

    page.get_by_label("状态").select_option("pending")  # the list follows the filter
    expect(page.get_by_role("link", name=RIVER)).to_have_count(1)
    page.get_by_role("link", name=RIVER).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(RIVER)
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_text("已签收。")).to_be_visible()

    contact = page.locator("details", has_text="记录沟通（办前面商）")
    contact.get_by_text("记录沟通（办前面商）").click()
    contact.get_by_label("沟通日期").fill("2027-03-09")
    contact.get_by_label("方式").select_option(label="电话")
    contact.get_by_label("沟通情况").fill("电话联系领衔代表，沟通河道治理的办理思路")
    contact.get_by_role("button", name="保存沟通记录").click()
    expect(page.get_by_text("已记录沟通情况。")).to_be_visible()
    expect(page.get_by_text("电话联系领衔代表，沟通河道治理的办理思路").first).to_be_visible()
    shots(page, shot_name("clerk", "item", DESK, "zh"))

    page.get_by_role("button", name="起草答复").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("答复函")
    # The unit's general template started the draft, its placeholders filled in.
    body = page.get_by_label("正文")
    assert RIVER in body.input_value(), body.input_value()
    # Another of the unit's templates, chosen and applied (the page asks first).
    page.once("dialog", lambda dialog: dialog.accept())
    choice = page.get_by_label("模板").locator("option", has_text="答复（留作参考）")
    page.get_by_label("模板").select_option(choice.get_attribute("value"))
    page.get_by_role("button", name="套用").click()
    expect(page.get_by_text("已套用模板“答复（留作参考）”。")).to_be_visible()
    assert "目前尚不具备实施条件" in page.get_by_label("正文").input_value()
    written = "受河道权属和资金等条件所限，已建立河长制长效考核"
    page.get_by_label("正文").fill(
        page.get_by_label("正文").input_value().replace("受……等条件所限", written)
    )
    page.get_by_label("办理结果类别").select_option(label="留作参考")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    expect(page.locator(".sheet")).to_contain_text("已建立河长制长效考核")

    evidence = tmp_path / "河道巡查照片.pdf"
    evidence.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("附件").set_input_files(evidence)
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("附件已上传。")).to_be_visible()
    expect(page.get_by_role("link", name="河道巡查照片.pdf")).to_be_visible()
    shots(page, shot_name("clerk", "letter", DESK, "zh"))

    page.get_by_role("button", name="送领导审核签发").click()
    expect(page.get_by_text("已送审，等待领导签发。")).to_be_visible()

    # The same clerk's key pages on a phone, in English and in Chinese.
    for language in ("en", "zh"):
        phone = visit("clerk", width=PHONE, language=language)
        expect(phone.get_by_text(OVERDUE).first).to_be_visible()
        expect(phone.get_by_text(DUE_TODAY).first).to_be_visible()
        expect(phone.get_by_text(DAYS_LEFT).first).to_be_visible()
        fits(phone, PHONE)
        shots(phone, shot_name("clerk", "inbox", PHONE, language))
        phone.get_by_role("link", name=RIVER).first.click()
        expect(phone.get_by_role("heading", level=1)).to_contain_text(RIVER)
        fits(phone, PHONE)
        shots(phone, shot_name("clerk", "item", PHONE, language))


ELDERLY_CARE = "关于发展嵌入式社区养老服务的建议"  # 0013: the health commission co-handles it


def test_co_handling_clerk_writes_and_sends_the_opinion(visit, demo, live_server, shots):
    page = visit("wsjw_clerk")
    expect(page.get_by_role("heading", level=1)).to_contain_text("上海市卫生健康委员会")
    expect(page.get_by_text(OVERDUE).first).to_be_visible()
    page.get_by_role("link", name=ELDERLY_CARE).click()
    expect(page.get_by_text("会办").first).to_be_visible()
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_text("已签收。")).to_be_visible()
    page.get_by_role("button", name="撰写会办意见").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("会办意见")
    body = page.get_by_label("正文")
    assert "结合上海市卫生健康委员会职能" in body.input_value(), body.input_value()
    assert "第0013号建议" in body.input_value(), body.input_value()
    body.fill(
        body.input_value().replace("一、……", "一、将社区卫生服务中心纳入嵌入式养老服务网络。")
    )
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("已保存。")).to_be_visible()
    shots(page, shot_name("co-clerk", "opinion", DESK, "zh"))
    page.get_by_role("button", name="送领导审核签发").click()
    expect(page.get_by_text("已送审，等待领导签发。")).to_be_visible()

    # The unit's leader signs it; the clerk sends it (the number is given then).
    boss = visit("wsjw_leader")
    card = boss.locator("article", has_text="第0013号代表建议会办意见")
    card.get_by_role("button", name="签发", exact=True).click()
    expect(boss.get_by_text("已签发。")).to_be_visible()

    page.reload()  # back on the item, once the leader has signed
    expect(page.get_by_text("已签发").first).to_be_visible()
    page.get_by_role("button", name="发出（生成文号）").click()
    expect(page.get_by_text("此操作不能撤销")).to_be_visible()
    shots(page, shot_name("co-clerk", "confirm-send", DESK, "zh"))
    page.get_by_role("button", name="确认发出").click()
    expect(page.get_by_text("已发出，文号 沪卫")).to_be_visible()

    # The lead unit's clerk reads it on the item.
    lead = visit("clerk")
    lead.get_by_role("link", name=ELDERLY_CARE).first.click()
    lead.get_by_text("会办意见全文").click()
    expect(lead.get_by_text("将社区卫生服务中心纳入嵌入式养老服务网络")).to_be_visible()

    for language in ("en", "zh"):
        phone = visit("wsjw_clerk", width=PHONE, language=language)
        expect(phone.get_by_text(OVERDUE).first).to_be_visible()
        fits(phone, PHONE)
        shots(phone, shot_name("co-clerk", "inbox", PHONE, language))


def feedback_link_from_mail(outbox, live_server):
    """The link in the delivery email the proposer received, on this test's server."""
    for message in reversed(outbox):
        found = re.search(r"https?://[^/\s]+(/\S*feedback\S*)", message.body)
        if found:
            return message.to, live_server.url + found.group(1)
    raise AssertionError(f"no delivery email with a feedback link among {len(outbox)}")


def test_leader_returns_once_then_signs_and_sends_and_the_proposer_rates_it(
    visit, demo, live_server, shots, mailoutbox
):
    boss = visit("leader")
    expect(boss.get_by_role("heading", level=1)).to_contain_text("待签发")
    card = boss.locator("article", has_text="第0028号")
    expect(card).to_contain_text("上海市科学技术委员会")
    shots(boss, shot_name("leader", "queue", DESK, "zh"))
    card.get_by_label("退回意见").fill("请补充充电设施建设的时间安排")
    card.get_by_role("button", name="退回修改").click()
    expect(boss.get_by_text("已退回修改。")).to_be_visible()

    clerk = visit("clerk")
    clerk.get_by_role("link", name=EV_CHARGING).first.click()
    expect(clerk.get_by_text("领导退回意见：请补充充电设施建设的时间安排")).to_be_visible()
    clerk.get_by_role("button", name="继续编辑").click()
    body = clerk.get_by_label("正文")
    body.fill(body.input_value() + "\n二、2027年底前新建公共充电桩一千个。")
    clerk.get_by_role("button", name="保存", exact=True).click()
    expect(clerk.get_by_text("已保存。")).to_be_visible()
    clerk.get_by_role("button", name="送领导审核签发").click()
    expect(clerk.get_by_text("已送审，等待领导签发。")).to_be_visible()

    boss.reload()
    card = boss.locator("article", has_text="第0028号")
    expect(card).to_contain_text("2027年底前新建公共充电桩一千个")  # what changed since
    card.get_by_role("button", name="签发并发出").click()
    # The confirmation says what cannot be undone: the number it will get, who it reaches.
    expect(boss.get_by_text("此操作不能撤销")).to_be_visible()
    expect(boss.get_by_text("预计为 沪科提复")).to_be_visible()
    shots(boss, shot_name("leader", "confirm", DESK, "zh"))
    boss.get_by_role("button", name="确认签发并发出").click()
    signed = re.compile(r"已签发并发出，文号 沪科提复〔2027〕\d+号")
    expect(boss.get_by_text(signed)).to_be_visible()

    for language in ("en", "zh"):
        phone = visit("leader", width=PHONE, language=language)
        expect(phone.get_by_role("heading", level=1)).to_contain_text(
            "Awaiting sign-off" if language == "en" else "待签发"
        )
        fits(phone, PHONE)
        shots(phone, shot_name("leader", "queue", PHONE, language))

    # The proposer opens the link in the delivery email on a phone and rates the reply.
    to, link = feedback_link_from_mail(mailoutbox, live_server)
    glance = visit(width=DESK, language="en")
    glance.goto(link)
    expect(glance.get_by_role("heading", level=1)).to_contain_text("Feedback form")
    shots(glance, shot_name("proposer", "feedback", DESK, "en"))
    phone = visit(width=PHONE)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("征询意见表")
    expect(phone.get_by_text(EV_CHARGING).first).to_be_attached()
    phone.get_by_role("group", name="对办理工作").get_by_label("满意", exact=True).check()
    phone.get_by_role("group", name="对办理结果").get_by_label("基本满意").check()
    phone.get_by_label("意见建议").fill("答复具体，希望按时落实")
    fits(phone, PHONE)
    shots(phone, shot_name("proposer", "feedback", PHONE, "zh"))
    phone.get_by_role("button", name="提交意见").click()
    expect(phone.get_by_text("感谢您的反馈")).to_be_visible()
    phone.goto(link)  # the same link again: already answered
    expect(phone.get_by_text("您已对本次答复提交过意见")).to_be_visible()
