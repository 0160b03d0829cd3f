"""送达, what the first review of issue 20 found: a refusal that asks for a proposer's contact
names where to record it, and the item page has that form (the office, and the clerks of a
unit answering the proposer); the leader is warned before signing a reply that cannot go
out; only a failed email or text is resent, and a resend that fails again is told again;
messages say what is wrong; contacts and round two's complaints only for those who handle
the reply."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from responses.actions import (
    record_feedback,
    resend_delivery,
    save_letter,
    send_letter,
    sign_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from responses.models import Delivery, DeliveryState, Rating, Reply
from tests import factories
from tests.responses.test_delivery import BrokenGateway, text
from workflow.actions import (
    accept_assignment,
    assign_proposal,
    decide_transfer,
    request_transfer,
    update_proposer_contacts,
)
from workflow.models import Notification

pytestmark = pytest.mark.django_db
CONFIRMED = {"confirmed": "1"}  # past the page that asks first

WHERE = "该件页面“提出人”栏该提出人名下的“登记联系方式”"


def item_page(client, reply):
    return text(client.get(f"/items/{reply.assignment.proposal_id}/"))


def contacts_url(reply, person):
    return f"/items/{reply.assignment.proposal_id}/proposers/{person.pk}/contacts"


def typed(person, **values):
    """The item page's contact form for `person`, as posted."""
    fields = {"phone": "", "email": "", "address": "", "preferred_channel": ""} | values
    return {f"c{person.pk}-{name}": value for name, value in fields.items()}


# ---- 1. the refusal names the form, and the form is there ------------------------------------
def test_send_refused_then_the_clerk_records_an_email_on_the_item_page_and_it_goes_out(
    office, clerk, leader, kewei, client
):
    nobody = factories.proposer("王二", email="")
    reply = factories.signed_reply(
        office, clerk, leader, kewei, [factories.proposer("章毅"), nobody]
    )
    client.force_login(clerk)
    refused = text(client.post(f"/letters/reply/{reply.pk}/send", CONFIRMED, follow=True))
    assert "王二没有任何联系方式" in refused and WHERE in refused
    page = item_page(client, reply)
    anchor = page.split(f'id="proposer-{nobody.pk}"')[1].split("</li>")[0]
    assert "登记联系方式" in anchor and 'data-action="update_proposer_contacts"' in anchor
    # A wrong email is refused beside its field; what was typed stays.
    answer = client.post(contacts_url(reply, nobody), typed(nobody, email="wang@", phone="1391"))
    assert answer.status_code == 400
    form = text(answer).split(f'id="proposer-{nobody.pk}"')[1].split("</details>")[0]
    assert "<details" in form and " open>" in form
    email_field = form.split("field-email")[1].split("field-address")[0]
    assert "电子邮箱格式不正确" in email_field and 'value="wang@"' in email_field
    assert "手机号码应为中国大陆手机号" in form.split("field-phone")[1].split("field-email")[0]
    assert Reply.objects.get(pk=reply.pk).state == "signed"
    # Right, it is saved and audited; the reply now goes out and the email is queued.
    answer = client.post(contacts_url(reply, nobody), typed(nobody, email="wang@example.org"))
    assert answer.status_code == 302 and answer["Location"].endswith(f"#proposer-{nobody.pk}")
    nobody.refresh_from_db()
    assert nobody.email == "wang@example.org"
    assert "wang@example.org" in item_page(client, reply)
    sent = text(client.post(f"/letters/reply/{reply.pk}/send", CONFIRMED, follow=True))
    assert "已发出" in sent
    row = Delivery.objects.get(proposer=nobody)
    assert (row.channel, row.state) == ("email", DeliveryState.QUEUED)


def test_a_contact_recorded_after_sending_goes_out_by_send_by(
    shanghai, office, clerk, leader, kewei, client, django_capture_on_commit_callbacks
):
    person = factories.proposer("王芳", address="上海市人民大道200号", jurisdiction=shanghai)
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_letter(reply, clerk)
    client.force_login(office)
    listing = text(client.get("/office/undelivered/"))
    link = f'href="/items/{reply.assignment.proposal_id}/#proposer-{person.pk}"'
    assert link in listing
    with pytest.raises(Exception, match="没有登记") as refused:
        resend_delivery(clerk, reply=reply, proposer=person, channel="email")
    assert WHERE in str(refused.value)
    client.force_login(clerk)
    client.post(contacts_url(reply, person), typed(person, email="wang@example.org"))
    page = item_page(client, reply)
    assert "发送电子邮件" in page
    client.post(f"/replies/{reply.pk}/proposers/{person.pk}/send", {"channel": "email"})
    row = Delivery.objects.get(proposer=person, channel="email")
    assert row.state == DeliveryState.QUEUED
    client.force_login(office)
    assert link not in text(client.get("/office/undelivered/"))  # an email may reach them now


def test_who_may_record_contacts_the_page_and_the_verb_agree(
    shanghai, office, clerk, leader, kewei, client
):
    co_unit = factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    co_clerk = factories.member(co_unit, "clerk")
    other_clerk = factories.member(factories.unit("上海市教育委员会", shanghai), "clerk")
    person = factories.proposer("王二", email="", phone="", jurisdiction=shanghai, address="某地")
    item = factories.filed(office, proposers=[person])
    lead, co = assign_proposal(item, office, lead=kewei, co=[co_unit])
    accept_assignment(lead, clerk)
    accept_assignment(co, co_clerk)
    url = f"/items/{item.pk}/proposers/{person.pk}/contacts"
    for outsider in (leader, co_clerk, other_clerk):
        with pytest.raises(PermissionDenied):
            update_proposer_contacts(outsider, person, email="x@example.org")
        client.force_login(outsider)
        response = client.get(f"/items/{item.pk}/")
        assert 'data-action="update_proposer_contacts"' not in text(response)
        assert client.post(url, typed(person, email="x@example.org")).status_code == 403
    for keeper in (office, clerk):
        client.force_login(keeper)
        assert 'data-action="update_proposer_contacts"' in text(client.get(f"/items/{item.pk}/"))
        assert client.post(url, typed(person, email=f"{keeper.pk}@example.org")).status_code == 302
    person.refresh_from_db()
    assert person.email == f"{clerk.pk}@example.org" and person.address == ""
    # The lead unit transferred away no longer keeps them.
    transfer = request_transfer(lead, clerk, "非本单位职责")
    decide_transfer(transfer, office, approve=True, comment="同意")
    with pytest.raises(PermissionDenied):
        update_proposer_contacts(clerk, person, email="y@example.org")


# ---- 2. the leader is warned before signing --------------------------------------------------
def test_the_leader_sees_the_blocker_on_the_letter_page_and_before_signing(
    office, clerk, leader, kewei, client
):
    assignment = factories.accepted(
        office, clerk, kewei, proposers=[factories.proposer("王二", email="")]
    )
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="答复如下……", class_label="解决采纳")
    submit_letter(reply, clerk)
    client.force_login(leader)
    letter = text(client.get(f"/letters/reply/{reply.pk}/"))
    assert "签发后也无法发出" in letter and "王二没有任何联系方式" in letter
    queue = text(client.get("/review/"))
    warning = queue.index("签发后也无法发出")
    assert warning < queue.index('data-action="sign"')
    assert 'data-action="sign_and_send"' not in queue
    signed = text(client.post(f"/letters/reply/{reply.pk}/sign", {"revision": 1}, follow=True))
    assert "已签发" in signed and "王二没有任何联系方式" in signed


# ---- 3. resend only what failed; a resend that fails again is told again ----------------------
def test_a_queued_row_is_not_resent_and_shows_no_resend_button(
    office, clerk, leader, kewei, client, settings
):
    settings.SMS_BACKEND = "workflow.sms.MemoryBackend"
    reply = factories.signed_reply(office, clerk, leader, kewei, [factories.proposer("章毅")])
    reply = send_letter(reply, clerk)  # the worker has not run: the row waits
    row = Delivery.objects.get()
    assert row.state == DeliveryState.QUEUED
    client.force_login(office)
    for _ in range(3):
        answer = text(client.post(f"/deliveries/{row.pk}/resend", follow=True))
        assert "仍在发送中" in answer
    assert Delivery.objects.get(pk=row.pk).resends == 0
    listing = text(client.get("/office/undelivered/"))
    assert "待发送（已尝试0次）" in listing and "重新发送" not in listing


def test_a_resend_that_fails_again_is_told_again(
    office, clerk, leader, kewei, client, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.responses.test_delivery.BrokenGateway"
    person = factories.proposer("张远波", phone="13912345678")
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    with django_capture_on_commit_callbacks(execute=True):
        send_letter(reply, clerk)
    unreached = Notification.objects.filter(event="proposer_unreached", recipient=office)
    assert unreached.count() == 1
    row = Delivery.objects.get()
    client.force_login(office)
    assert "重新发送" in text(client.get("/office/undelivered/"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/deliveries/{row.pk}/resend")
    row.refresh_from_db()
    assert (row.state, row.resends) == (DeliveryState.FAILED, 1)
    assert unreached.count() == 2
    assert "第1次重新发送后" in unreached.order_by("-pk")[0].title
    assert BrokenGateway  # the gateway the settings name


# ---- 4. messages say what is wrong ------------------------------------------------------------
def test_paper_and_send_by_refusals_name_the_real_problem(
    office, clerk, leader, kewei, client, django_capture_on_commit_callbacks
):
    person = factories.proposer("王芳", address="上海市人民大道200号")
    reply = factories.signed_reply(office, clerk, leader, kewei, [person])
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_letter(reply, clerk)
    client.force_login(clerk)
    paper = text(
        client.post(
            f"/replies/{reply.pk}/proposers/{person.pk}/paper",
            {"handed_on": timezone.localdate().isoformat(), "tracking_number": "S" * 51},
            follow=True,
        )
    )
    assert "邮件单号：" in paper and "请填写有效的交付或寄出日期" not in paper
    bogus = text(
        client.post(
            f"/replies/{reply.pk}/proposers/{person.pk}/send", {"channel": "bogus"}, follow=True
        )
    )
    assert "送达方式无效" in bogus and "纸质送达请登记" not in bogus
    assert not Delivery.objects.exists()


# ---- 5. scoping on the item page ---------------------------------------------------------------
def test_round_two_card_and_contacts_only_for_those_who_handle_the_reply(
    shanghai, office, clerk, leader, kewei, client, django_capture_on_commit_callbacks
):
    co_unit = factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    co_clerk = factories.member(co_unit, "clerk")
    co_leader = factories.member(co_unit, "leader")
    person = factories.proposer("章毅", phone="13912345678")
    item = factories.filed(office, proposers=[person])
    lead, co = assign_proposal(item, office, lead=kewei, co=[co_unit])
    accept_assignment(lead, clerk)
    accept_assignment(co, co_clerk)
    opinion = save_letter(start_opinion(co, co_clerk), co_clerk, body="会办意见")
    send_letter(sign_letter(submit_letter(opinion, co_clerk), co_leader), co_clerk)
    factories.contacted(lead, clerk)
    reply = start_reply(lead, clerk)
    reply = save_letter(reply, clerk, body="答复如下……", class_label="解决采纳")
    with django_capture_on_commit_callbacks(execute=True):
        reply = send_letter(sign_letter(submit_letter(reply, clerk), leader), clerk)
    record_feedback(
        reply, person, handling=Rating.BASIC, result=Rating.UNSATISFIED, comment="资金没有落实"
    )
    for who, sees in ((clerk, True), (office, True), (co_clerk, False)):
        client.force_login(who)
        page = text(client.get(f"/items/{item.pk}/"))
        card = page.split('class="card callout warn earlier-feedback"')
        assert (len(card) == 2 and "资金没有落实" in card[1]) is sees, who
        assert ("请针对以下意见修改答复" in page) is sees, who
        assert "13912345678" in page  # the co-handler is still current: it may call them
    # A unit the item was transferred away from no longer sees the proposer's contacts.
    other = factories.unit("上海市教育委员会", shanghai, organ_code="沪教")
    other_clerk = factories.member(other, "clerk")
    item2 = factories.filed(office, proposers=[person])
    (first,) = assign_proposal(item2, office, lead=other)
    accept_assignment(first, other_clerk)
    client.force_login(other_clerk)
    assert "13912345678" in text(client.get(f"/items/{item2.pk}/"))
    transfer = request_transfer(first, other_clerk, "非本单位职责")
    decide_transfer(transfer, office, approve=True, comment="同意", new_unit=kewei)
    page = client.get(f"/items/{item2.pk}/")
    assert page.status_code == 200 and "13912345678" not in text(page)
    client.force_login(clerk)
    assert "13912345678" in text(client.get(f"/items/{item2.pk}/"))
