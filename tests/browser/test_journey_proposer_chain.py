"""Issue 22's whole chain through the pages, as each person meets it: the office finds a deputy
who has filed nothing yet in its 提出人名册 and invites them by text; the deputy sets a
password through the link on their phone (390 px), drafts a suggestion in the open window
(similar earlier items show while the title is typed) and asks a co-signer, who signs in with
the code texted to them and confirms; the lead submits; the office (1366 px) finds it among the
items filed online, returns it with a comment; the lead revises and resubmits; the office files
it (立案) and assigns it (交办); the unit's clerk drafts the reply and the leader signs and sends
it; each proposer signs in on their phone and rates the reply on both axes, and the office sees
both ratings. Nothing but the starting data is made by calling the verbs: every step is a
click. Each proposer page passes axe-core and fits the phone; the lead's pages are read once
in English too."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from proposals.models import Proposer, Session
from responses.actions import publish_letter
from tests import factories
from tests.browser.acceptance import switch_to_english
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import summary, violations
from workflow.sms import MemoryBackend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
A_MOBILE, B_MOBILE = "13912345678", "13987654321"
A_PASSWORD = "Wenbin-filing-2026"
TITLE = "关于延伸地铁十八号线至临港新城的建议"
EARLIER = "关于延伸地铁十八号线的建议"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chain(settings, live_server, office, clerk, leader, kewei, shanghai):
    """The starting data: a people's congress session open for filing, the office and the
    science commission's clerk and leader, last year's answered item on the same line, and
    two deputies the office registered (no account, no item)."""
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    settings.SITE_URL = live_server.url
    MemoryBackend.outbox.clear()
    earlier = factories.sent_reply(
        office,
        clerk,
        leader,
        kewei,
        title=EARLIER,
        kind="suggestion",
        proposers=[factories.proposer("老代表", kind=Proposer.Kind.DEPUTY, jurisdiction=shanghai)],
    )
    publish_letter(earlier, clerk)
    session = factories.session(shanghai, body=Session.Body.NPC, term=16, meeting=3, year=2026)
    opened = timezone.localdate() - timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(filing_opens_on=opened)
    deputy = Proposer.Kind.DEPUTY
    a = factories.proposer("文彬", kind=deputy, phone=A_MOBILE, jurisdiction=shanghai)
    b = factories.proposer("章毅", kind=deputy, phone=B_MOBILE, jurisdiction=shanghai)
    yield a, b
    MemoryBackend.outbox.clear()


def last_text(mobile):
    return [text for to, text in MemoryBackend.outbox if to == mobile][-1]


class Phone:
    """A proposer's phone: every page it shows is checked by axe-core and for its width."""

    def __init__(self, browser, url, found):
        self.context = browser.new_context(
            viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, bypass_csp=True
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.url, self.found = url, found

    def look(self):
        self.page.wait_for_load_state()
        if problems := violations(self.page):
            self.found[(f"{self.page.url} ({len(self.found) + 1})", PHONE["width"])] = problems
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{self.page.url} is {width}px wide on a phone"

    def go(self, path):
        self.page.goto(self.url + path)
        self.look()

    def tap(self, name, role="link"):
        self.page.get_by_role(role, name=name, exact=True).first.click()
        self.look()

    def sign_in_by_code(self, mobile):
        """登录 with the mobile and the code the text brings."""
        self.go("/me/sign-in/")
        self.page.locator("#id_mobile").fill(mobile[:3] + " " + mobile[3:])
        self.tap("获取验证码", "button")
        sent = self.page.get_by_role("status")
        expect(sent).to_contain_text(f"如 {mobile[:3]}****{mobile[-4:]} 已登记，验证码已发送")
        code = re.search(r"验证码为(\d{6})", last_text(mobile)).group(1)
        self.page.get_by_label("短信验证码").fill(code)
        self.tap("登录", "button")
        assert self.page.url.endswith("/me/")

    def rate(self, title, handling, result, stands):
        """Open the item from 我的提案/建议, then its reply, and rate it on both axes."""
        expect(self.page.locator("ul.items li").filter(has_text=title)).to_contain_text(
            "已答复，请提出您的意见"
        )
        self.tap(title)
        self.page.get_by_role("link", name="待您评价").click()
        self.look()
        reply_path = self.page.url.removeprefix(self.url).split("#")[0]
        expect(self.page.locator(".sheet")).to_contain_text("经研究")
        for axis, rating in (("对办理工作", handling), ("对办理结果", result)):
            group = self.page.get_by_role("group", name=axis)
            group.get_by_role("radio", name=rating, exact=True).check()
        self.tap("提交意见", "button")
        expect(self.page.locator(".messages")).to_contain_text("感谢您的反馈")
        expect(self.page.locator("ul.steps").last).to_contain_text(
            f"您的意见：{handling} / {result}"
        )
        expect(self.page.locator("main")).to_contain_text(f"办理进度：{stands}")
        return reply_path


def desk(browser, url, username):
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, url, username, "pw-Banli-2024")
    return page


def office_invites(page, url, name):
    """提出人名册 → find the deputy → 邀请登录 by text."""
    page.goto(f"{url}/office/proposals/")
    page.get_by_role("link", name="提出人名册").click()
    page.get_by_label("姓名或单位").fill(name)
    page.get_by_role("button", name="查找").click()
    row = page.locator("table.list tbody tr").filter(has_text=name)
    expect(row).to_contain_text("未邀请")
    row.locator("summary", has_text="邀请登录").click()
    row.get_by_role("button", name="短信邀请").click()
    expect(page.locator(".messages")).to_contain_text(f"已向{name}发送登录邀请")
    expect(page.locator("table.list tbody tr").filter(has_text=name)).to_contain_text("已邀请")


def a_accepts_and_drafts(a, invitation):
    """The link sets a password; then a new draft, similar items showing as the title is typed."""
    a.page.goto(invitation)
    a.look()
    expect(a.page.locator("h1")).to_have_text("设置密码")
    a.page.get_by_label(re.compile("^新密码[:：]?$")).fill(A_PASSWORD)
    a.page.get_by_label("新密码确认").fill(A_PASSWORD)
    a.tap("设置密码并登录", "button")
    expect(a.page.locator(".messages")).to_contain_text("密码已设置")
    expect(a.page.locator("ul.items")).to_contain_text("您还没有提出或联名的提案（建议）")
    a.tap("我的草稿与新建提案/建议")
    expect(a.page.locator("main")).to_contain_text("正在接受网上提交")
    a.tap("新建提案/建议")
    a.page.get_by_label("案由").press_sequentially("关于延伸地铁十八号线", delay=20)
    expect(a.page.locator("#similar")).to_contain_text(EARLIER)  # while typing
    a.look()
    a.page.get_by_label("案由").fill(TITLE)
    a.page.get_by_label("正文").fill("建议将地铁十八号线向南延伸至临港新城。")
    a.page.get_by_label("上海市科学技术委员会").check()
    a.tap("保存草稿", "button")
    expect(a.page.locator(".messages")).to_contain_text("已保存草稿")
    expect(a.page.locator("h1")).to_have_text("编辑草稿")
    expect(a.page.locator("p.muted .tag")).to_have_text("起草中")


def a_invites_b(a):
    """Returns the draft's page."""
    draft_path = a.page.url.removeprefix(a.url)
    a.tap("邀请联名人")
    a.tap("+ 章毅")
    expect(a.page.locator("ol.signers")).to_contain_text("章毅")
    a.tap("发出联名邀请", "button")
    expect(a.page.locator(".messages")).to_contain_text("已邀请联名人确认")
    expect(a.page.locator("ol.signers")).to_contain_text("待确认")
    return draft_path


def b_confirms(b):
    """B has no account yet: the text tells them of the invitation and where to sign in."""
    told = last_text(B_MOBILE)
    assert f"文彬邀请您联名：{TITLE}" in told and f"{b.url}/me/sign-in/" in told
    b.sign_in_by_code(B_MOBILE)
    invited = b.page.locator("#filing")
    expect(invited).to_contain_text("待我确认的联名")
    expect(invited).to_contain_text("文彬邀请")
    b.tap(TITLE)
    expect(b.page.locator(".sheet")).to_contain_text("向南延伸至临港新城")
    b.tap("确认联名", "button")
    expect(b.page.locator(".messages")).to_contain_text("已确认联名")
    expect(b.page.locator("#cosigners")).to_contain_text("您的答复：已确认")


def open_notice(phone, title):
    """The header's 通知 (under 菜单 on a phone) shows one unread; the notice leads on."""
    phone.page.locator("label.menu-button").click()
    phone.tap(re.compile(r"^通知\s*1$"))
    notice = phone.page.locator("ul.notices li.unread")
    expect(notice).to_contain_text(title)
    notice.get_by_role("link").click()
    phone.look()


def a_submits(a):
    a.go("/me/")
    open_notice(a, f"联名人均已答复：{TITLE}")
    expect(a.page.locator("ol.signers li").nth(1)).to_contain_text("已确认")
    expect(a.page.locator("#file")).to_contain_text("顺序如下：文彬、章毅")
    a.tap("提交", "button")
    expect(a.page.locator(".messages")).to_contain_text("已提交")
    a.tap("查看办理进度")
    expect(a.page.locator("main")).to_contain_text("办理进度：")
    expect(a.page.locator("p.muted").first).to_contain_text("文彬、章毅")


def office_returns(page, url):
    """Among the items filed online, received; returned with a comment."""
    page.goto(f"{url}/office/proposals/")
    page.get_by_label("登记渠道").select_option(label="线上提交")
    row = page.locator("table.list tbody tr").filter(has_text=TITLE)
    expect(row).to_contain_text("已收到")
    expect(row).to_contain_text("文彬、章毅")
    row.get_by_role("link", name=TITLE).click()
    expect(page.locator(".online-filing")).to_contain_text("已提交")
    page.get_by_label("审查结果").select_option(label="退回修改")
    page.get_by_label("理由").fill("请写明延伸段的站点")
    page.get_by_role("button", name="记录审查结果").click()
    expect(page.locator(".messages")).to_contain_text("审查结果已记录")
    expect(page.locator(".online-filing")).to_contain_text("请写明延伸段的站点")


def a_revises(a):
    """Told in 通知; on 我的提案/建议 the item says so and leads to the draft to revise."""
    a.go("/me/")
    expect(a.page.locator("label.menu-button")).to_contain_text("1")
    expect(a.page.locator("ul.items li").filter(has_text=TITLE)).to_contain_text("已退回修改")
    a.tap(TITLE)
    a.tap("查看退回意见并修改")
    expect(a.page.locator(".notice")).to_contain_text("退回意见：请写明延伸段的站点")
    a.page.get_by_label("正文").fill("建议将地铁十八号线向南延伸，经航头、新场至临港新城。")
    a.tap("保存", "button")
    expect(a.page.locator(".messages")).to_contain_text("已保存")
    a.tap("重新提交", "button")
    expect(a.page.locator(".messages")).to_contain_text("已重新提交")


def office_files_and_assigns(page, url, unit):
    page.reload()
    expect(page.locator(".online-filing")).to_contain_text("已重新提交")
    expect(page.locator("main")).to_contain_text("经航头、新场")
    page.get_by_label("审查结果").select_option(label="立案")
    page.get_by_role("button", name="记录审查结果").click()
    expect(page.locator(".messages")).to_contain_text("审查结果已记录")
    page.fill("#unit-filter", "科学技术")
    page.select_option("#id_lead", label=unit.name)
    page.click("form.assign button:has-text('交办')")
    expect(page.locator(".messages")).to_contain_text("已交办 1 个单位")


def unit_answers(clerk_page, leader_page, url, item_url):
    clerk_page.goto(url + item_url)
    clerk_page.click("button:has-text('签收')")
    expect(clerk_page.locator(".messages")).to_contain_text("已签收")
    clerk_page.click("summary:has-text('记录沟通')")
    clerk_page.fill("#id_contacted_on", timezone.localdate().isoformat())
    clerk_page.select_option("#id_method", "phone")
    clerk_page.fill("#id_summary", "电话联系文彬代表，沟通延伸方案")
    clerk_page.click("button:has-text('保存沟通记录')")
    clerk_page.click("button:has-text('起草答复')")
    clerk_page.fill("#id_body", "经研究，现答复如下：\n一、十八号线南延伸段已纳入规划研究。")
    clerk_page.select_option("#id_class_label", "解决采纳")
    clerk_page.click("button:has-text('保存')")
    clerk_page.click("button:has-text('送领导审核签发')")
    expect(clerk_page.locator(".messages")).to_contain_text("已送审")
    leader_page.goto(f"{url}/review/")
    leader_page.locator(".queue-item").first.locator("button:has-text('签发并发出')").click()
    leader_page.click("button:has-text('确认签发并发出')")
    expect(leader_page.locator(".queue-item.done")).to_contain_text("已签发并发出，文号 沪科建复")


def strip_data(text):
    """What people wrote or named (the title, names) taken out of a text of the page's."""
    for written in (TITLE, "文彬", "章毅", "上海市科学技术委员会"):
        text = text.replace(written, "")
    return text


def own_words(page):
    """The page's own words (headings, labels, buttons, states), without what people wrote."""
    return [
        text
        for text in page.eval_on_selector_all(
            "main :is(h1, h2, h3, label, legend, button, th, summary, .tag, .notice, .ok)"
            ":not(.units label, .sheet *)",  # the units' names; the letter as sent
            "nodes => nodes.map(n => n.cloneNode(true)).map(n => {"
            " n.querySelectorAll('small, a.title').forEach(x => x.remove());"
            " return n.textContent.trim(); })",
        )
        if CJK.search(strip_data(text))
    ]


def read_in_english(phone, paths):
    """A proposer's pages once in English, then signing out to the sign-in page: the page's
    own words are English; what people wrote stays as written."""
    switch_to_english(phone.page)
    for path in paths:
        phone.go(path)
        assert not own_words(phone.page), f"{path} in English says {own_words(phone.page)}"
    phone.page.locator("label.menu-button").click()
    phone.tap("Sign out", "button")
    expect(phone.page.locator("h1")).to_have_text("Proposer sign-in")
    assert not own_words(phone.page), f"the sign-in page says {own_words(phone.page)}"


def test_the_whole_filing_chain_through_the_pages(browser, live_server, chain, kewei, time_machine):
    url, found = live_server.url, {}
    office = desk(browser, url, "office")
    office_invites(office, url, "文彬")
    invitation = re.search(r"http\S+/me/welcome/\S+/", last_text(A_MOBILE)).group(0)

    a = Phone(browser, url, found)
    a_accepts_and_drafts(a, invitation)
    draft_path = a_invites_b(a)
    b = Phone(browser, url, found)
    b_confirms(b)
    a_submits(a)
    item_path = a.page.url.removeprefix(url)

    office_returns(office, url)
    a_revises(a)
    office_files_and_assigns(office, url, kewei)
    a.go("/me/")
    mine = a.page.locator("ul.items li").filter(has_text=TITLE)
    expect(mine).to_contain_text("领衔")
    expect(mine).to_contain_text(kewei.name)
    a.go(item_path)
    expect(a.page.locator("ul.steps").first).to_contain_text(f"主办 {kewei.name}")

    item_url = office.url.removeprefix(url).split("#")[0]
    unit_answers(desk(browser, url, "clerk"), desk(browser, url, "leader"), url, item_url)

    a.context.close()
    b.context.close()
    for mobile, ratings, stands in (
        (A_MOBILE, ("满意", "基本满意"), "已答复，您的意见已收到"),  # B has not rated yet
        (B_MOBILE, ("基本满意", "满意"), "已办结"),  # both have: the item is closed
    ):
        # Later (codes for one mobile are a minute apart at least): signed in again, by code
        time_machine.move_to(timezone.now() + timedelta(minutes=2), tick=True)
        phone = Phone(browser, url, found)
        phone.sign_in_by_code(mobile)
        reply_path = phone.rate(TITLE, *ratings, stands)

    office.goto(url + item_url)
    rated = office.locator("td[data-label='反馈']")
    expect(rated).to_contain_text("文彬：满意/基本满意")
    expect(rated).to_contain_text("章毅：基本满意/满意")

    phone.go(draft_path)  # the co-signer who confirmed follows the item from the draft too
    expect(phone.page.get_by_role("link", name="查看办理进度")).to_be_visible()
    mine = ("/me/", "/me/drafts/", "/me/drafts/new/", draft_path, item_path, reply_path)
    read_in_english(phone, (*mine, "/me/notices/", "/me/settings/"))
    assert not found, "axe found serious or critical violations:\n" + summary(found)
