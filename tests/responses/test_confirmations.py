"""Issue 21 (6): the steps that cannot be undone (签发并发出, 发出, 公开, 撤回公开) first show
what they will do (the number, who the reply reaches and how, what the public will see) and
happen only when that page's button posts them again, confirmed; with or without htmx."""

import re
from datetime import date

import pytest
from django.utils import timezone

from responses.actions import (
    add_commitment,
    publish_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from responses.models import Reply
from tests import factories
from workflow import deadlines
from workflow.actions import accept_assignment, assign_proposal

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def text(response):
    return response.content.decode()


def hidden_fields(page):
    """What the confirm button posts: the hidden inputs of the confirming form."""
    form = page.split('class="actions confirm-step"')[1].split("</form>")[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


@pytest.fixture
def people():
    """Three proposers: one by email and text, one by text, one with only a postal address."""
    return [
        factories.proposer("章毅", email="zhangyi@example.org", phone="13912345678"),
        factories.proposer("张远波", phone="13800001234"),
        factories.proposer("姚成岭", address="上海市人民大道200号"),
    ]


def drafted(office, clerk, kewei, proposers, **fields):
    assignment = factories.accepted(office, clerk, kewei, proposers=proposers)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    body = {"body": "现将办理情况答复如下……", "class_label": "解决采纳"} | fields
    return submit_letter(save_letter(reply, clerk, **body), clerk)


def test_sending_says_number_recipients_and_publication_before_anything_happens(
    client, office, clerk, leader, kewei, people
):
    reply = sign_letter(drafted(office, clerk, kewei, people), leader)
    item = f"/items/{reply.assignment.proposal_id}/"
    year = timezone.localdate().year
    client.force_login(clerk)
    asked = client.post(f"/letters/reply/{reply.pk}/send", {"next": item})
    page = text(asked)
    assert asked.status_code == 200 and Reply.objects.get(pk=reply.pk).state == "signed"
    assert f"按顺序编号，预计为 沪科提复〔{year}〕1号" in page and "顺延" in page
    assert "章毅</strong>：电子邮件：z***@example.org；短信：139****5678" in page
    assert "张远波</strong>：短信：138****1234" in page
    assert "姚成岭</strong>：需登记纸质送达" in page
    assert "zhangyi@example.org" not in page and "13912345678" not in page
    assert "该件变为“已答复”" in page and "征询意见期限（15个工作日）" in page
    due = deadlines.publication_due(timezone.localdate(), cal=deadlines.WorkingCalendar())
    assert "主动公开·全文" in page and f"最迟于 {due:%Y-%m-%d}" in page
    assert f'href="{item}"' in page  # 取消
    fields = hidden_fields(page)
    assert fields["confirmed"] == "1" and fields["next"] == item

    sent = client.post(f"/letters/reply/{reply.pk}/send", fields, follow=True)
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.state == "sent" and reply.doc_number == f"沪科提复〔{year}〕1号"
    assert f"已发出，文号 {reply.doc_number}" in text(sent)


def test_sending_a_promising_reply_says_its_commitments_start_to_be_tracked(
    client, office, clerk, leader, kewei, people
):
    assignment = factories.accepted(office, clerk, kewei, proposers=people[:1])
    factories.contacted(assignment, clerk)
    reply = save_letter(
        start_reply(assignment, clerk), clerk, body="现答复如下……", class_label="正在解决"
    )
    for what in ("建成平台", "出台细则"):
        add_commitment(reply, clerk, what=what, due_kind="year", promised_on=date(2030, 1, 1))
    reply = submit_letter(reply, clerk)
    client.force_login(leader)
    data = {"send": "1", "revision": "1", "next": "/review/"}
    asked = text(client.post(f"/letters/reply/{reply.pk}/sign", data, headers=HTMX))
    assert "确认签发并发出" in asked and "2项承诺事项开始跟踪" in asked


def test_a_number_given_at_sign_off_is_named_as_it_is(
    client, office, clerk, leader, kewei, shanghai
):
    shanghai.number_at = "sign"
    shanghai.save()
    reply = sign_letter(drafted(office, clerk, kewei, None), leader)
    client.force_login(clerk)
    page = text(client.post(f"/letters/reply/{reply.pk}/send"))
    assert reply.doc_number and reply.doc_number in page and "预计" not in page


def test_a_withheld_reply_says_it_stays_off_the_public_site(
    client, office, clerk, leader, kewei, people
):
    reply = drafted(office, clerk, kewei, people, disclosure="withheld", withheld_reason="privacy")
    reply = sign_letter(reply, leader)
    client.force_login(clerk)
    page = text(client.post(f"/letters/reply/{reply.pk}/send"))
    assert "不予公开" in page and "不在公开网站显示" in page and "涉及个人隐私" in page
    assert Reply.objects.get(pk=reply.pk).state == "signed"


def test_sign_and_send_in_the_queue_asks_in_place_then_signs_and_sends(
    client, office, clerk, leader, kewei, people
):
    reply = drafted(office, clerk, kewei, people)
    client.force_login(leader)
    data = {"send": "1", "revision": "1", "next": "/review/"}
    asked = text(client.post(f"/letters/reply/{reply.pk}/sign", data, headers=HTMX))
    assert "<html" not in asked and 'class="card confirm"' in asked
    assert "确认签发并发出" in asked and 'hx-target="closest .confirm"' in asked
    assert "预计为 沪科提复" in asked and "章毅" in asked
    assert 'href="/review/"' in asked
    assert Reply.objects.get(pk=reply.pk).state == "submitted"

    done = text(client.post(f"/letters/reply/{reply.pk}/sign", hidden_fields(asked), headers=HTMX))
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.state == "sent" and "queue-item done" in done and reply.doc_number in done


def test_sign_alone_is_not_asked(client, office, clerk, leader, kewei, people):
    reply = drafted(office, clerk, kewei, people)
    client.force_login(leader)
    client.post(f"/letters/reply/{reply.pk}/sign", {"revision": "1"}, headers=HTMX)
    assert Reply.objects.get(pk=reply.pk).state == "signed"


def test_an_opinion_names_the_lead_unit(client, office, clerk, kewei, shanghai):
    health = factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    health_clerk = factories.member(health, "clerk")
    item = factories.filed(office)
    lead, co = assign_proposal(item, office, lead=kewei, co=[health])
    accept_assignment(co, health_clerk)
    opinion = save_letter(start_opinion(co, health_clerk), health_clerk, body="会办意见")
    opinion = sign_letter(submit_letter(opinion, health_clerk), factories.member(health, "leader"))
    client.force_login(health_clerk)
    page = text(client.post(f"/letters/opinion/{opinion.pk}/send"))
    assert "主办单位上海市科学技术委员会" in page and "已送会办意见" in page
    assert "预计为 沪卫" in page


def test_publishing_says_what_the_public_will_see(client, office, clerk, leader, kewei, people):
    full = factories.sent_reply(office, clerk, leader, kewei)
    summary = send_letter(
        sign_letter(
            drafted(office, clerk, kewei, people, disclosure="summary", summary="已建立协调机制"),
            leader,
        ),
        clerk,
    )
    client.force_login(office)
    whole = text(client.post(f"/letters/reply/{full.pk}/publish", {"next": "/office/publication/"}))
    assert "全文" in whole and "向所有人公开" in whole and 'href="/office/publication/"' in whole
    page = text(client.post(f"/letters/reply/{summary.pk}/publish"))
    assert "以下摘要" in page and "已建立协调机制" in page and "正文不公开" in page
    assert set(Reply.objects.values_list("state", flat=True)) == {"sent"}

    published = client.post(f"/letters/reply/{full.pk}/publish", hidden_fields(whole))
    assert published["Location"] == "/office/publication/"
    assert Reply.objects.get(pk=full.pk).state == "published"


def test_withdrawing_names_the_reason_and_needs_one(client, office, clerk, leader, kewei):
    reply = publish_letter(factories.sent_reply(office, clerk, leader, kewei), clerk)
    client.force_login(office)
    url = f"/letters/reply/{reply.pk}/withdraw"
    refused = text(client.post(url, {"reason": " "}, follow=True, headers={"referer": "/"}))
    assert "撤回公开必须说明理由" in refused
    page = text(client.post(url, {"reason": "涉及个人信息"}))
    assert "从公开网站撤下" in page and "涉及个人信息" in page
    assert Reply.objects.get(pk=reply.pk).state == "published"
    client.post(url, hidden_fields(page))
    assert Reply.objects.get(pk=reply.pk).state == "withheld"


def test_the_way_back_never_leaves_the_site(client, office, clerk, leader, kewei):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    client.force_login(office)
    page = text(
        client.post(f"/letters/reply/{reply.pk}/publish", {"next": "https://evil.example/"})
    )
    assert f'href="/items/{reply.assignment.proposal_id}/"' in page
    assert 'href="https://evil.example/"' not in page
