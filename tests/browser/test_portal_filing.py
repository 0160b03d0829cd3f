"""Issue 22, filing online on a phone (390 px): a deputy drafts a suggestion, seeing a similar
earlier item while typing its title, and asks a co-signer, who confirms from their home page;
the lead submits; the office returns it for revision on its item page; the lead reads the
comments, revises and resubmits, and the item is in 我的提案/建议 with where it stands. Every
proposer page passes axe-core as the staff pages do, and none is wider than the phone."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from portal.actions.accounts import account_for
from portal.selectors import Signer
from proposals.models import Proposer, Session
from responses.actions import publish_letter
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import summary, violations
from workflow.models import FilingDraft, FilingDraftState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "Banli-filing-2024"
TITLE = "关于延伸地铁十八号线至临港新城的建议"


def deputy(name, mobile, where):
    person = factories.proposer(name, kind=Proposer.Kind.DEPUTY, phone=mobile, jurisdiction=where)
    with transaction.atomic():
        user = account_for(Signer(person))
    user.set_password(PASSWORD)
    user.save()
    return person


@pytest.fixture
def filing(office, clerk, leader, kewei, shanghai):
    session = factories.session(shanghai, body=Session.Body.NPC)
    opens = timezone.localdate() - timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(filing_opens_on=opens)
    earlier = factories.sent_reply(
        office,
        clerk,
        leader,
        kewei,
        title="关于延伸地铁十八号线的建议",
        kind="suggestion",
        proposers=[factories.proposer("老代表", kind=Proposer.Kind.DEPUTY, jurisdiction=shanghai)],
    )
    publish_letter(earlier, clerk)
    return deputy("文彬", "13912345678", shanghai), deputy("章毅", "13987654321", shanghai)


class Phone:
    """A proposer on their phone, signed in with their mobile and password; each page they
    open is checked with axe-core and for its width."""

    def __init__(self, browser, url, mobile, found):
        self.context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.url, self.found = url, found
        self.page.goto(f"{url}/me/sign-in/")
        self.page.click("details summary")
        self.page.fill("#id_pw_mobile", mobile)
        self.page.fill("#id_pw_password", PASSWORD)
        self.page.click("details button.primary")
        self.page.wait_for_load_state()
        assert self.page.url.endswith("/me/")

    def check(self):
        self.page.wait_for_load_state()
        self.found[self.page.url] = violations(self.page)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{self.page.url} is {width}px wide"

    def click(self, text):
        self.page.get_by_text(text, exact=True).first.click()
        self.check()


def test_draft_cosign_submit_return_resubmit_on_a_phone(browser, live_server, filing, shots):
    lead, cosigner = filing
    found = {}
    me = Phone(browser, live_server.url, "13912345678", found)
    me.click("我的草稿与新建提案/建议")
    me.click("新建提案/建议")
    me.page.fill("#id_title", TITLE)
    me.page.wait_for_selector("#similar >> text=关于延伸地铁十八号线的建议")  # as they type
    me.check()
    shots(me.page, "portal-new-draft-390")
    me.page.fill("#id_body", "建议将地铁十八号线向南延伸。")
    me.click("保存草稿")
    me.click("邀请联名人")
    me.page.get_by_text("+ 章毅").click()
    me.check()
    me.click("发出联名邀请")
    assert "已邀请联名人确认" in me.page.content()

    other = Phone(browser, live_server.url, "13987654321", found)
    assert "待我确认的联名" in other.page.content()
    other.check()
    other.click(TITLE)
    shots(other.page, "portal-cosign-390")
    other.click("确认联名")
    assert "已确认联名" in other.page.content()
    other.context.close()

    me.page.reload()
    me.check()
    assert "已确认" in me.page.content()
    me.page.get_by_role("button", name="提交", exact=True).click()
    me.check()
    draft = FilingDraft.objects.get()
    assert draft.state == FilingDraftState.SUBMITTED

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    office_page = desk.new_page()
    sign_in(office_page, live_server.url, "office", "pw-Banli-2024")
    office_page.goto(f"{live_server.url}/items/{draft.proposal_id}/")
    office_page.get_by_label("审查结果").select_option("return")
    office_page.fill("#id_reason", "请写明延伸的站点")
    office_page.get_by_role("button", name="记录审查结果").click()
    office_page.wait_for_load_state()
    desk.close()

    me.page.goto(f"{live_server.url}/me/drafts/{draft.pk}/")
    me.check()
    assert "请写明延伸的站点" in me.page.content()
    me.page.fill("#id_body", "建议将地铁十八号线向南延伸，经航头、新场至临港新城。")
    me.click("保存")
    me.page.get_by_role("button", name="重新提交").click()
    me.check()
    shots(me.page, "portal-resubmitted-390")
    me.page.goto(f"{live_server.url}/me/")
    me.check()
    item = me.page.locator("ul.items li").filter(has_text=TITLE)
    assert "已收到" in item.inner_text() and "领衔" in item.inner_text()
    me.context.close()

    draft.refresh_from_db()
    assert draft.state == FilingDraftState.RESUBMITTED
    assert [s.proposer for s in draft.proposal.signatories.order_by("position")] == [
        lead,
        cosigner,
    ]
    problems = {(url, 390): v for url, v in found.items() if v}
    assert not problems, "axe found serious or critical violations:\n" + summary(problems)
