"""The pages each role works in, driven as a browser would (forms, HTMX requests)."""

from datetime import date, timedelta
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from proposals.models import Proposal
from responses.actions import (
    add_commitment,
    publish_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from responses.links import feedback_url
from responses.models import Feedback, LetterRevision, Reply
from tests import factories
from workflow.actions import accept_assignment, assign_proposal, request_extension, request_transfer
from workflow.models import Assignment, Urge

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def text(response):
    return response.content.decode()


def test_clerk_accepts_contacts_drafts_and_submits(client, office, kewei, clerk):
    item = factories.filed(office, proposers=[factories.proposer("章毅", phone="13800000000")])
    (assignment,) = assign_proposal(item, office, lead=kewei)
    client.force_login(clerk)
    inbox = text(client.get("/work/"))
    assert item.title in inbox and "待签收" in inbox
    page = text(client.get(f"/items/{item.pk}/"))
    assert "签收" in page and "13800000000" in page  # handling units see contact details
    client.post(f"/work/assignments/{assignment.pk}/accept")
    assert Assignment.objects.get(pk=assignment.pk).state == "accepted"
    proposer = item.proposers.get()
    client.post(
        f"/work/assignments/{assignment.pk}/contact",
        {
            "contacted_on": "2024-03-01",
            "method": "phone",
            "proposer": proposer.pk,
            "summary": "电话沟通",
            "with_whom": "",
        },
    )
    assert assignment.contacts.count() == 1
    response = client.post(f"/work/assignments/{assignment.pk}/letter")
    reply = Reply.objects.get(assignment=assignment)
    assert response.url == f"/letters/reply/{reply.pk}/"
    editor = text(client.get(response.url))
    assert "章毅委员" in editor and "送审前检查" in editor
    fields = {
        "title": reply.title,
        "addressee": reply.addressee,
        "body": "现答复如下。",
        "class_label": "解决采纳",
        "disclosure": "full",
        "signing_organ": kewei.name,
        "contact_person": "王大宽",
        "contact_phone": "23119524",
    }
    saved = client.post(f"/letters/reply/{reply.pk}/", fields, headers=HTMX)
    assert saved["HX-Trigger"] == "letter-saved" and "已自动保存" in text(saved)
    preview = text(client.get(f"/letters/reply/{reply.pk}/preview"))
    assert "现答复如下。" in preview and "办理结果：解决采纳" in preview
    client.post(f"/letters/reply/{reply.pk}/submit")
    assert Reply.objects.get(pk=reply.pk).state == "submitted"


def test_leader_returns_with_a_diff_then_signs_and_sends(client, office, kewei, clerk, leader):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="第一稿", class_label="解决采纳")
    submit_letter(reply, clerk)
    client.force_login(leader)
    queue = text(client.get("/review/"))
    assert reply.title in queue and "签发" in queue
    returned = client.post(
        f"/letters/reply/{reply.pk}/return", {"comment": "请补充措施"}, headers=HTMX
    )
    assert "已退回修改" in text(returned)
    reply = save_letter(
        Reply.objects.get(pk=reply.pk), clerk, body="第二稿", class_label="正在解决"
    )
    # 正在解决 is submitted with its commitments (承诺事项), which the leader reads too.
    add_commitment(
        reply, clerk, what="年底前出台措施", due_kind="year", promised_on=date(2030, 6, 1)
    )
    submit_letter(reply, clerk)
    queue = text(client.get("/review/"))
    assert "第2次送审" in queue and "第一稿" in queue and "第二稿" in queue and "正在解决" in queue
    assert "承诺事项" in queue and "年底前出台措施" in queue
    assert LetterRevision.objects.filter(reply=reply).count() == 2
    signed = client.post(
        f"/letters/reply/{reply.pk}/sign", {"send": "1", "confirmed": "1"}, headers=HTMX
    )
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.state == "sent" and reply.doc_number in text(signed)


def test_leader_is_told_why_they_cannot_sign_their_own_draft(client, office, kewei, leader):
    assignment = factories.accepted(office, leader, kewei)
    factories.contacted(assignment, leader)
    reply = start_reply(assignment, leader)
    save_letter(reply, leader, body="答复", class_label="解决采纳")
    submit_letter(reply, leader)
    client.force_login(leader)
    response = client.post(
        f"/letters/reply/{reply.pk}/sign", follow=True, headers={"referer": "/review/"}
    )
    assert "不能签发自己撰写的函件" in text(response)


def test_office_registers_reviews_and_assigns(client, office, kewei, shanghai):
    session = factories.session()
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    client.force_login(office)
    response = client.post(
        "/office/proposals/new",
        {
            "kind": "proposal",
            "session": session.pk,
            "number": "2001",
            "title": "关于建设科创走廊的提案",
            "proposer_names": "李四、王五",
            "proposer_kind": "member",
            "body": "正文",
        },
    )
    item = Proposal.objects.get(number="2001")
    assert response.url == f"/items/{item.pk}/"
    assert [p.name for p in item.proposers.order_by("signatures__position")] == ["李四", "王五"]
    client.post(f"/office/proposals/{item.pk}/review", {"verb": "start_review"})
    client.post(f"/office/proposals/{item.pk}/review", {"verb": "file"})
    client.post(f"/office/proposals/{item.pk}/assign", {"lead": kewei.pk, "co": [other.pk]})
    assert {(a.unit_id, a.role) for a in item.assignments.all()} == {
        (kewei.pk, "lead"),
        (other.pk, "co"),
    }
    refused = client.post(
        f"/office/proposals/{item.pk}/assign",
        {"lead": other.pk},
        follow=True,
        headers={"referer": f"/items/{item.pk}/"},
    )
    assert "已有主办单位" in text(refused)


def test_monitor_counts_match_the_lists_and_export(client, office, kewei, clerk):
    with time_machine.travel(date(2024, 1, 10)):
        for _ in range(3):
            factories.accepted(office, clerk, kewei)  # due 2024-04-10
    client.force_login(office)
    with time_machine.travel(date(2024, 4, 25)):  # 15 days overdue
        page = client.get("/office/monitor/")
        row = next(r for r in page.context["by_unit"] if r["unit_id"] == kewei.pk)
        assert row["over_8_30"] == 3 and row["overdue"] == 3
        drill = client.get(f"/office/monitor/?unit={kewei.pk}&band=over_8_30")
        assert drill.context["page"].paginator.count == 3
        assert (
            client.get(f"/office/monitor/?unit={kewei.pk}&band=over_1_7")
            .context["page"]
            .paginator.count
            == 0
        )
        export = client.get(f"/office/monitor/export.xlsx?unit={kewei.pk}&band=over_8_30")
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet.max_row == 4 and sheet["K2"].value == "逾期15日"


def test_urge_reaches_the_timeline(client, office, kewei, clerk):
    assignment = factories.accepted(office, clerk, kewei)
    client.force_login(office)
    client.post(
        "/office/urge",
        {"unit": kewei.pk, "proposal": assignment.proposal_id, "message": "请抓紧办理"},
    )
    assert Urge.objects.filter(unit=kewei).exists()
    client.force_login(clerk)
    assert "请抓紧办理" in text(client.get(f"/items/{assignment.proposal_id}/"))


def test_other_handling_units_never_see_a_draft(client, office, kewei, clerk):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    other_clerk = factories.member(other, "clerk")
    item = factories.filed(office)
    lead, co = assign_proposal(item, office, lead=kewei, co=[other])
    accept_assignment(lead, clerk)
    reply = start_reply(lead, clerk)
    save_letter(reply, clerk, body="内部草稿内容", class_label="解决采纳")
    client.force_login(other_clerk)
    page = text(client.get(f"/items/{item.pk}/"))
    assert "内部草稿内容" not in page and reply.title not in page
    assert client.get(f"/letters/reply/{reply.pk}/").status_code in (302, 403)
    stranger = factories.member(factories.unit("上海市民政局", organ_code="沪民"), "clerk")
    client.force_login(stranger)
    assert client.get(f"/items/{item.pk}/").status_code == 403


def test_public_site_honours_disclosure(client, office, kewei, clerk, leader):
    person = factories.proposer("文彬", phone="13912345678")
    full = factories.sent_reply(office, clerk, leader, kewei, proposers=[person])
    publish_letter(full, clerk)
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    summary = start_reply(assignment, clerk)
    summary = save_letter(
        summary,
        clerk,
        body="全文不公开的部分",
        class_label="解决采纳",
        disclosure="summary",
        summary="只公开这段摘要",
    )
    submit_letter(summary, clerk)
    sign_letter(summary, leader)
    publish_letter(send_letter(summary, clerk), clerk)
    withheld_assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(withheld_assignment, clerk)
    withheld = start_reply(withheld_assignment, clerk)
    withheld = save_letter(
        withheld,
        clerk,
        body="涉密",
        class_label="解决采纳",
        disclosure="withheld",
        withheld_reason="privacy",
    )
    submit_letter(withheld, clerk)
    sign_letter(withheld, leader)
    send_letter(withheld, clerk)

    listing = text(client.get("/public/"))
    assert full.doc_number in listing and "13912345678" not in listing
    assert client.get(f"/public/replies/{withheld.pk}/").status_code == 404
    shown = text(client.get(f"/public/replies/{summary.pk}/"))
    assert "只公开这段摘要" in shown and "全文不公开的部分" not in shown
    assert "13912345678" not in text(client.get(f"/public/replies/{full.pk}/"))


def test_proposer_link_rates_once_and_explains_problems(client, office, kewei, clerk, leader):
    person = factories.proposer("姚成岭")
    reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[person])
    url = feedback_url(reply, person)
    assert "征询意见表" in text(client.get(url))
    done = client.post(url, {"handling": "satisfied", "result": "basic", "comment": "谢谢"})
    assert "感谢您的反馈" in text(done)
    assert Feedback.objects.get(reply=reply).result_rating == "basic"
    assert Proposal.objects.get(pk=reply.assignment.proposal_id).state == "closed"
    again = client.get(url)
    assert again.status_code == 409 and "已对本次答复提交过意见" in text(again)
    tampered = client.get(url.replace(url.split("/")[-2][:5], "AAAAA"))
    assert tampered.status_code == 400 and "无效" in text(tampered)
    with time_machine.travel("2099-01-01"):
        assert client.get(url).status_code == 410


def test_english_pages_render(client, clerk, office, kewei):
    factories.accepted(office, clerk, kewei)
    client.force_login(clerk)
    client.post("/i18n/setlang/", {"language": "en", "next": "/work/"})
    page = text(client.get("/work/"))
    assert 'lang="en"' in page


def test_sent_reply_mails_each_proposer_their_own_link(
    office, kewei, clerk, leader, mailoutbox, django_capture_on_commit_callbacks, client
):
    people = [
        factories.proposer("章毅", email="a@example.org"),
        factories.proposer("张远波", email="b@example.org"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        reply = factories.sent_reply(office, clerk, leader, kewei, proposers=people)
    # The reply's own mails (the proposers were also told of receipt, filing and assignment).
    replies = [m for m in mailoutbox if reply.doc_number in m.subject]
    assert sorted(m.to[0] for m in replies) == ["a@example.org", "b@example.org"]
    links = [m.body.split("\n")[-1] for m in replies]
    assert links[0] != links[1] and all("/feedback/" in link for link in links)
    path = links[0].split("127.0.0.1:8000")[1]
    assert client.get(path).status_code == 200


def test_attachments_are_checked_by_content_and_kept_in_the_unit(client, office, kewei, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assignment = factories.accepted(office, clerk, kewei)
    reply = start_reply(assignment, clerk)
    client.force_login(clerk)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client.post(
        f"/letters/reply/{reply.pk}/attach",
        {"file": fake},
        follow=True,
        headers={"referer": f"/letters/reply/{reply.pk}/"},
    )
    assert "只能上传PDF" in text(refused) and not reply.attachments.exists()
    real = SimpleUploadedFile(
        "附件一.pdf", b"%PDF-1.7\n%...\n", content_type="application/octet-stream"
    )
    client.post(f"/letters/reply/{reply.pk}/attach", {"file": real})
    attachment = reply.attachments.get()
    assert attachment.kind == "pdf" and attachment.name == "附件一.pdf"
    assert client.get(f"/attachments/{attachment.pk}").status_code == 200
    stranger = factories.member(factories.unit("上海市民政局", organ_code="沪民"), "clerk")
    client.force_login(stranger)
    assert client.get(f"/attachments/{attachment.pk}").status_code == 403


def test_office_decides_transfers_and_extensions_from_the_requests_page(
    client, office, kewei, clerk
):
    other = factories.unit("上海市经济和信息化委员会", organ_code="沪经信")
    assignment = factories.accepted(office, clerk, kewei)
    transfer = request_transfer(assignment, clerk, "职责属经信委", suggested_unit=other)
    second = factories.accepted(office, clerk, kewei)
    extension = request_extension(second, clerk, second.due_on + timedelta(days=30), "协调")
    client.force_login(office)
    page = client.get("/office/requests/").content.decode()
    assert "职责属经信委" in page and "协调" in page
    client.post(f"/office/transfers/{transfer.pk}/decide", {"approve": "yes", "new_unit": other.pk})
    client.post(
        f"/office/extensions/{extension.pk}/decide", {"approve": "no", "comment": "不符合条件"}
    )
    assert Assignment.objects.get(pk=assignment.pk).state == "transferred"
    assert Assignment.objects.current().get(proposal=assignment.proposal).unit == other
    assert type(extension).objects.get(pk=extension.pk).state == "rejected"
    assert Assignment.objects.get(pk=second.pk).due_on == second.due_on
