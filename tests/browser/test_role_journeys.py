"""Each role's main journey, end to end in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from proposals.models import Proposal
from responses.links import feedback_url
from responses.models import Feedback, Reply
from tests import factories
from workflow.actions import assign_proposal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def item(office, kewei):
    person = factories.proposer("章毅")
    proposal = factories.filed(office, proposers=[person, factories.proposer("张远波")])
    assign_proposal(proposal, office, lead=kewei)
    return proposal


def test_clerk_drafts_leader_returns_clerk_fixes_leader_signs(
    open_as, live_server, item, clerk, leader, shots
):
    page = open_as("clerk")
    expect(page.locator("h1")).to_contain_text("办理工作台")
    shots(page, "clerk-inbox")
    page.click(f"text={item.title}")
    page.click("button:has-text('签收')")
    expect(page.locator(".messages")).to_contain_text("已签收")
    page.click("summary:has-text('记录沟通')")
    page.fill("#id_contacted_on", "2024-03-01")
    page.select_option("#id_method", "phone")
    page.fill("#id_summary", "电话联系章毅委员，沟通办理思路")
    page.click("button:has-text('保存沟通记录')")
    expect(page.locator(".timeline")).to_contain_text("电话联系章毅委员")
    shots(page, "clerk-item")
    page.click("button:has-text('起草答复')")
    expect(page.locator("#id_addressee")).to_have_value("章毅、张远波委员")
    page.fill("#id_body", "你们提出的提案收悉，现答复如下：\n一、加强政策支持。")
    page.select_option("#id_class_label", "解决采纳")
    page.click("button:has-text('保存')")
    expect(page.locator(".sheet")).to_contain_text("加强政策支持")
    shots(page, "clerk-letter-editor")
    page.click("button:has-text('送领导审核签发')")
    expect(page.locator(".messages")).to_contain_text("已送审")

    boss = open_as("leader")
    boss.goto(f"{live_server.url}/review/")
    card = boss.locator(".queue-item").first
    card.locator("input[name=comment]").fill("请补充下一步工作打算")
    card.locator("button:has-text('退回修改')").click()
    expect(boss.locator(".queue-item.done")).to_contain_text("已退回修改")

    page.goto(f"{live_server.url}/items/{item.pk}/")
    expect(page.locator(".callout.warn")).to_contain_text("请补充下一步工作打算")
    page.click("button:has-text('继续编辑')")
    page.fill(
        "#id_body", "你们提出的提案收悉，现答复如下：\n一、加强政策支持。\n二、下一步将持续推进。"
    )
    page.click("button:has-text('保存')")
    page.click("button:has-text('送领导审核签发')")

    boss.goto(f"{live_server.url}/review/")
    expect(boss.locator(".diff")).to_contain_text("下一步将持续推进")
    # The layout loads when the leader opens it.
    boss.locator(".queue-item").first.locator("summary:has-text('查看全文')").click()
    expect(boss.locator(".queue-item .sheet").first).to_contain_text("下一步将持续推进")
    shots(boss, "leader-queue")
    boss.locator(".queue-item").first.locator("button:has-text('签发并发出')").click()
    # The card asks first: the number it will get and who it reaches.
    expect(boss.locator(".confirm")).to_contain_text("预计为 沪科提复")
    boss.click("button:has-text('确认签发并发出')")
    expect(boss.locator(".queue-item.done")).to_contain_text(re.compile(r"沪科提复〔\d{4}〕1号"))
    assert Reply.objects.get(assignment__proposal=item).state == "sent"


def test_office_registers_assigns_and_watches_the_monitor(
    open_as, live_server, office, kewei, shots
):
    factories.session()
    page = open_as("office")
    expect(page.locator("h1")).to_contain_text("逾期监控")
    page.goto(f"{live_server.url}/office/proposals/new")
    page.select_option("#id_kind", "proposal")
    page.select_option("#id_session", index=1)
    page.fill("#id_number", "3001")
    page.fill("#id_title", "关于加快建设科技创新走廊的提案")
    page.fill("#id_p0-name", "李明")
    page.fill("#id_p0-phone", "13912345678")
    page.fill("#id_p1-name", "王芳")
    page.fill("#id_p1-email", "wangfang@example.org")
    page.select_option("#id_proposer_kind", "member")
    page.fill("#id_body", "建议加快建设。")
    page.click("button.primary:has-text('登记')")
    expect(page.locator(".messages")).to_contain_text("已登记")
    page.click("form[data-action=review] button:has-text('提交审查')")
    page.select_option("#id_verb", "file")
    page.click("button:has-text('记录审查结果')")
    page.fill("#unit-filter", "科学技术")
    page.select_option("#id_lead", label=kewei.name)
    page.click("form.assign button:has-text('交办')")
    expect(page.locator(".messages")).to_contain_text("已交办 1 个单位")
    shots(page, "office-item")
    assert Proposal.objects.get(number="3001").state == "assigned"
    page.goto(f"{live_server.url}/office/monitor/")
    expect(page.locator("table.counts")).to_contain_text(kewei.name)
    shots(page, "office-monitor")


def test_proposer_rates_through_the_link_and_the_public_reads_it(
    open_as, live_server, office, kewei, clerk, leader, shots
):
    from responses.actions import publish_letter

    person = factories.proposer("姚成岭")
    reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[person])
    publish_letter(reply, clerk)
    page = open_as()
    page.goto(live_server.url + feedback_url(reply, person))
    expect(page.locator("h1")).to_contain_text("征询意见表")
    page.check("input[name=handling][value=satisfied]")
    page.check("input[name=result][value=basic]")
    page.fill("textarea[name=comment]", "答复具体，感谢")
    shots(page, "proposer-feedback")
    page.click("button:has-text('提交意见')")
    expect(page.locator(".ok")).to_contain_text("感谢您的反馈")
    assert Feedback.objects.get(reply=reply).comment == "答复具体，感谢"

    page.goto(f"{live_server.url}/public/")
    expect(page.locator("table.list")).to_contain_text(reply.doc_number)
    shots(page, "public-list")
    page.click(f"text={reply.title}")
    expect(page.locator(".sheet .number")).to_contain_text(reply.doc_number)
    shots(page, "public-reply")


def test_pages_work_on_a_tablet(open_as, live_server, item, clerk, shots):
    page = open_as("clerk", width=820)
    page.goto(f"{live_server.url}/items/{item.pk}/")
    expect(page.locator("button:has-text('签收')")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the page scrolls sideways on a tablet ({width}px)"
    shots(page, "tablet-item")
