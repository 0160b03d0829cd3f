"""Issue 20 end to end in Chromium: the office registers an item with its proposers' contacts,
the unit answers it, the reply goes out by email and text as the worker sends it, and a
proposer rates it through the link in their mail; every step's notice reaches its people."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from responses.models import Delivery, LetterFile, Reply
from tests import factories
from workflow.sms import MemoryBackend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390


@pytest.fixture
def outboxes(settings, live_server):
    """Mail and texts kept in memory, and personal links that point at the live server."""
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    settings.SITE_URL = live_server.url
    mail.outbox = []
    MemoryBackend.outbox.clear()
    yield mail.outbox, MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def fits_a_phone(page):
    """The page at phone width, with nothing spilling sideways."""
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 900})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways on a phone ({width}px)"
    page.set_viewport_size({"width": 1280, "height": 900})


def register_and_assign(page, url, unit):
    page.goto(f"{url}/office/proposals/new")
    page.select_option("#id_kind", "proposal")
    page.select_option("#id_session", index=1)
    page.fill("#id_number", "3101")
    page.fill("#id_title", "关于完善科技成果转化激励机制的提案")
    page.select_option("#id_proposer_kind", "member")
    page.fill("#id_p0-name", "章毅")
    page.fill("#id_p0-email", "zhangyi@example.org")
    page.select_option("#id_p0-preferred_channel", "email")
    page.fill("#id_p1-name", "张远波")
    page.fill("#id_p1-phone", "13912345678")
    page.fill("#id_body", "建议完善激励机制。")
    fits_a_phone(page)
    page.click("button.primary:has-text('登记')")
    expect(page.locator(".messages")).to_contain_text("已登记")
    page.click("form[data-action=review] button:has-text('提交审查')")
    page.select_option("#id_verb", "file")
    page.click("button:has-text('记录审查结果')")
    page.fill("#unit-filter", "科学技术")
    page.select_option("#id_lead", label=unit.name)
    page.click("form.assign button:has-text('交办')")
    expect(page.locator(".messages")).to_contain_text("已交办 1 个单位")
    return re.search(r"/items/(\d+)/", page.url).group(1)


def draft_and_submit(page, url, item):
    page.goto(f"{url}/notifications/")
    expect(page.locator(".notifications")).to_contain_text("新交办")
    fits_a_phone(page)
    page.goto(f"{url}/items/{item}/")
    page.click("button:has-text('签收')")
    expect(page.locator(".messages")).to_contain_text("已签收")
    page.click("summary:has-text('记录沟通')")
    page.fill("#id_contacted_on", "2024-03-01")
    page.select_option("#id_method", "phone")
    page.fill("#id_summary", "电话联系章毅委员，沟通办理思路")
    page.click("button:has-text('保存沟通记录')")
    expect(page.locator(".timeline")).to_contain_text("电话联系章毅委员")
    page.click("button:has-text('起草答复')")
    page.fill("#id_body", "你们提出的提案收悉，现答复如下：\n一、完善成果转化激励政策。")
    page.select_option("#id_class_label", "解决采纳")
    page.click("button:has-text('保存')")
    page.click("button:has-text('送领导审核签发')")
    expect(page.locator(".messages")).to_contain_text("已送审")


def sign_and_send(page, url):
    page.goto(f"{url}/notifications/")
    expect(page.locator(".notifications")).to_contain_text("待签发")
    page.goto(f"{url}/review/")
    page.locator(".queue-item").first.locator("button:has-text('签发并发出')").click()
    asked = page.locator(".confirm")
    expect(asked).to_contain_text("z***@example.org")  # each proposer, their contacts masked
    expect(asked).to_contain_text("139****5678")
    fits_a_phone(page)
    page.click("button:has-text('确认签发并发出')")
    expect(page.locator(".queue-item.done")).to_contain_text(re.compile(r"沪科提复〔\d{4}〕\d+号"))


def the_mail_to(outbox, address):
    """The reply's own mail (it carries the proposer's feedback link); the proposer is also
    told of the item's receipt, 立案 and 交办."""
    (message,) = [m for m in outbox if m.to == [address] and "/feedback/" in m.body]
    return message


def test_intake_with_contacts_to_sending_to_the_proposers_mail_to_rating(
    open_as, live_server, office, kewei, clerk, leader, outboxes, shots
):
    url = live_server.url
    factories.session()
    mails, texts = outboxes
    office_page = open_as("office")
    item = register_and_assign(office_page, url, kewei)

    desk = open_as("clerk")
    draft_and_submit(desk, url, item)
    # Sending queues a delivery per proposer; once it commits the worker's task runs (eagerly
    # here, in the live server's thread) and sends each one.
    sign_and_send(open_as("leader"), url)
    reply = Reply.objects.get(assignment__proposal_id=item)
    assert sorted(Delivery.objects.filter(reply=reply).values_list("channel", "state")) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]

    letter = the_mail_to(mails, "zhangyi@example.org")
    link = re.search(r"http\S+/feedback/\S+", letter.body).group(0)
    assert reply.doc_number in letter.subject and "完善成果转化激励政策" in letter.body
    (html, kind), *_ = letter.alternatives
    assert kind == "text/html" and link in html and "完善成果转化激励政策" in html
    pdfs = [a for a in letter.attachments if a[2] == "application/pdf"]
    assert len(pdfs) == LetterFile.objects.filter(reply=reply, format="pdf").count()
    ((phone, text),) = [t for t in texts if "/feedback/" in t[1]]  # the reply's own text
    assert phone == "13912345678" and reply.doc_number in text and "/feedback/" in text
    assert link not in text  # each proposer has their own link

    proposer = open_as()
    proposer.goto(link)
    expect(proposer.locator("h1")).to_contain_text("征询意见表")
    proposer.check("input[name=handling][value=satisfied]")
    proposer.check("input[name=result][value=satisfied]")
    proposer.fill("textarea[name=comment]", "答复及时，措施具体")
    fits_a_phone(proposer)
    proposer.click("button:has-text('提交意见')")
    expect(proposer.locator(".ok")).to_contain_text("感谢您的反馈")

    desk.goto(f"{url}/notifications/")
    expect(desk.locator(".notifications")).to_contain_text("收到征询意见")
    desk.goto(f"{url}/items/{item}/")
    card = desk.locator("ul.deliveries")
    expect(card.locator("li.delivery.reached")).to_have_count(2)
    expect(card).to_contain_text("章毅")
    expect(card).to_contain_text("张远波")
    expect(card.locator("li.unreached")).to_have_count(0)
    fits_a_phone(desk)
    shots(desk, "clerk-item-delivered")
    for path in ("undelivered/", "proposers/duplicates/"):
        office_page.goto(f"{url}/office/{path}")
        fits_a_phone(office_page)
    for path in ("/notifications/", "/notifications/settings/"):
        office_page.goto(url + path)
        fits_a_phone(office_page)
