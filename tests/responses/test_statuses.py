"""Pages say where each letter stands and offer only what the verbs accept (issue 21): a sent
opinion says 已发出 (publication is a reply's); an opinion has no result class or disclosure
where those head only the published reply; a letter with the leader is not offered for
editing; 催办 only where the unit still owes its letter, worded as its deadline stands; the
holiday notice links only for those who can load the calendar; the leader's queue names the
changed fields, shows the return comment, the deadline and the attachments, in a constant
number of queries."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.classification import Scheme
from responses.actions import (
    attach_file,
    return_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from responses.models import LetterState
from tests import factories
from workflow import aging
from workflow.actions import accept_assignment, assign_proposal, urge
from workflow.audit import ActionRefused
from workflow.models import CalendarYear

pytestmark = pytest.mark.django_db


def not_awaiting_opinions(patch, reply):
    patch.setattr(
        type(reply),
        "blocking_opinions",
        lambda self, today=None: self.outstanding_opinions().none(),
    )


def co_handled(office, lead_unit, clerk, where=None):
    """An item led by `lead_unit`, co-handled by a second unit whose clerk and leader are
    returned with the co-handler's assignment, both accepted."""
    name, code = (
        ("上海市卫生健康委员会", "沪卫") if where is None else ("云南省卫生健康委员会", "云卫")
    )
    co_unit = factories.unit(name, where, organ_code=code)
    co_clerk, co_leader = factories.member(co_unit, "clerk"), factories.member(co_unit, "leader")
    item = factories.filed(office, sess=factories.session(where) if where else None)
    lead, co = assign_proposal(item, office, lead=lead_unit, co=[co_unit])
    accept_assignment(lead, clerk)
    accept_assignment(co, co_clerk)
    return item, lead, co, co_clerk, co_leader


def sent_opinion(co, co_clerk, co_leader, **fields):
    opinion = save_letter(start_opinion(co, co_clerk), co_clerk, body="会办意见正文", **fields)
    submit_letter(opinion, co_clerk)
    sign_letter(opinion, co_leader)
    return send_letter(opinion, co_clerk)


# ---- 1. a sent opinion says 已发出 ---------------------------------------------------------
def test_a_sent_opinion_says_sent_not_withheld(client, office, kewei, clerk):
    """Where an opinion bears a disclosure mark (seed 003's style) and it is 不予公开, it is
    still 已发出 to everyone: publication is a reply's."""
    yunnan = factories.jurisdiction("云南省", level="province", scheme=Scheme.LOCAL)
    yn_office = factories.office_user(yunnan)
    yn_lead = factories.unit("云南省科学技术厅", yunnan, organ_code="云科")
    yn_clerk = factories.member(yn_lead, "clerk")
    item, _lead, co, co_clerk, co_leader = co_handled(yn_office, yn_lead, yn_clerk, where=yunnan)
    opinion = sent_opinion(
        co, co_clerk, co_leader, disclosure="withheld", withheld_reason="internal"
    )
    assert opinion.state == LetterState.SENT
    client.force_login(co_clerk)
    page = client.get(reverse("item", args=[item.pk])).content.decode()
    assert "已发出" in page and "不公开" not in page.split("办理过程")[0]
    letter_page = client.get(reverse("letter", args=["opinion", opinion.pk])).content.decode()
    assert '<small class="tag">已发出</small>' in letter_page


# ---- 2. an opinion has no result class or disclosure where they head the reply ---------------
def test_the_opinion_editor_has_no_result_or_disclosure_in_shanghai(client, office, kewei, clerk):
    _item, _lead, co, co_clerk, _co_leader = co_handled(office, kewei, clerk)
    opinion = start_opinion(co, co_clerk)
    client.force_login(co_clerk)
    url = reverse("letter", args=["opinion", opinion.pk])
    page = client.get(url).content.decode()
    assert 'id="id_body"' in page
    for name in ("class_label", "disclosure", "withheld_reason", "summary"):
        assert f'id="id_{name}"' not in page
    assert "公开属性：" not in page  # nor does its layout print the reply's head lines
    with pytest.raises(ActionRefused):
        save_letter(opinion, co_clerk, class_label="解决采纳")
    with pytest.raises(ActionRefused):
        save_letter(opinion, co_clerk, disclosure="withheld")
    # A crafted post of them is not taken either.
    client.post(url, {"title": opinion.title, "body": "意见", "disclosure": "withheld"})
    opinion.refresh_from_db()
    assert opinion.body == "意见" and opinion.disclosure == "full"


def test_the_reply_editor_still_has_them(client, office, kewei, clerk):
    reply = start_reply(factories.accepted(office, clerk, kewei), clerk)
    client.force_login(clerk)
    page = client.get(reverse("letter", args=["reply", reply.pk])).content.decode()
    assert 'id="id_class_label"' in page and 'id="id_disclosure"' in page


# ---- 3. a letter with the leader is not offered for editing --------------------------------
def test_a_submitted_reply_is_not_offered_for_editing_until_returned(
    client, office, kewei, clerk, leader
):
    lead = factories.accepted(office, clerk, kewei)
    factories.contacted(lead, clerk)
    reply = save_letter(start_reply(lead, clerk), clerk, body="答复", class_label="解决采纳")
    reply = submit_letter(reply, clerk)
    client.force_login(clerk)
    item_url = reverse("item", args=[lead.proposal_id])
    page = client.get(item_url).content.decode()
    assert "继续编辑" not in page
    assert 'data-action="start_letter"' not in page
    assert "待签发" in page  # the letter's link says where it stands
    with pytest.raises(ActionRefused):
        start_letter(lead, clerk)
    return_letter(reply, leader, "请补充")
    page = client.get(item_url).content.decode()
    assert "继续编辑" in page
    assert start_letter(lead, clerk).pk == reply.pk


# ---- 4 and 5. 催办 only where the unit still owes its letter, worded as its deadline stands ----
def test_urge_is_offered_and_accepted_only_before_the_units_letter_is_sent(
    client, office, kewei, clerk, leader
):
    item, _lead, co, co_clerk, co_leader = co_handled(office, kewei, clerk)
    client.force_login(office)
    page = client.get(reverse("item", args=[item.pk])).content.decode()
    assert page.count('action="/office/urge"') == 2
    sent_opinion(co, co_clerk, co_leader)
    page = client.get(reverse("item", args=[item.pk])).content.decode()
    assert page.count('action="/office/urge"') == 1  # the lead only
    with pytest.raises(ActionRefused, match="无需催办"):
        urge(office, co.unit, "请抓紧", proposal=item)
    assert urge(office, kewei, "请抓紧", proposal=item)


def test_the_urge_starts_worded_as_the_deadline_stands():
    due = date(2024, 6, 30)
    assert "已于" in str(aging.urge_text("第1号提案", due, due + timedelta(days=1)))
    assert "前答复" in str(aging.urge_text("第1号提案", due, due))
    assert "前答复" in str(aging.urge_text("第1号提案", due, due - timedelta(days=3)))


def test_the_item_page_prefills_the_urge_from_the_selector(client, office, kewei, clerk):
    lead = factories.accepted(office, clerk, kewei)
    client.force_login(office)
    page = client.get(reverse("item", args=[lead.proposal_id]))
    (shown,) = page.context["urgeable"]
    assert shown.urge_text in page.content.decode()


# ---- 6. the holiday notice ------------------------------------------------------------------
def test_the_holiday_notice_links_only_for_those_who_load_the_calendar(
    client, office, kewei, clerk
):
    lead = factories.accepted(office, clerk, kewei)
    CalendarYear.objects.filter(year=lead.due_on.year).delete()
    admin_link = reverse("admin:workflow_calendarday_changelist")
    url = reverse("item", args=[lead.proposal_id])
    client.force_login(clerk)
    page = client.get(url).content.decode()
    assert "节假日和调休安排尚未" not in page and admin_link not in page  # nothing to act on
    client.force_login(office)  # the office of every jurisdiction there is
    page = client.get(url).content.decode()
    assert admin_link in page
    assert client.get(admin_link).status_code == 200  # where it is done, not a dead end
    factories.jurisdiction("浙江省", level="province")  # now the office is not everywhere:
    # it cannot change the calendar every jurisdiction shares, so it is told who can
    page = client.get(url).content.decode()
    assert "请系统管理员载入" in page and admin_link not in page


# ---- 7 and 8. the leader's queue ------------------------------------------------------------
def resubmitted(office, clerk, leader, kewei, n, comment="请修改标题"):
    lead = factories.accepted(office, clerk, kewei, number=f"R{n}")
    factories.contacted(lead, clerk)
    reply = save_letter(start_reply(lead, clerk), clerk, body="答复", class_label="解决采纳")
    attach_file(reply, clerk, SimpleUploadedFile(f"附件{n}.pdf", b"%PDF-1.7\n%%EOF\n"))
    with pytest.MonkeyPatch.context() as patch:
        not_awaiting_opinions(patch, reply)
        reply = submit_letter(reply, clerk)
        return_letter(reply, leader, comment)
        reply = save_letter(
            reply, clerk, title=f"新标题{n}", disclosure="on_request", show_signer=True
        )
        return submit_letter(reply, clerk)


def test_the_queue_names_changed_fields_and_shows_the_return_comment(
    client, office, kewei, clerk, leader
):
    resubmitted(office, clerk, leader, kewei, 1)
    client.force_login(leader)
    page = client.get("/review/").content.decode()
    assert "<strong>标题</strong>" in page and "title：" not in page
    assert "<strong>公开属性</strong>" in page and "依申请公开" in page
    assert "<strong>标注签发人</strong>" in page and "<del>否</del> → <ins>是</ins>" in page
    assert "上次退回意见：" in page and "请修改标题" in page


def test_the_queue_shows_deadline_and_attachments_in_constant_queries(
    client, office, kewei, clerk, leader
):
    first = resubmitted(office, clerk, leader, kewei, 1)
    client.force_login(leader)
    factories.just_active(client)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/review/").content.decode()
    assert "附件1.pdf" in page
    attachment = first.attachments.get()
    assert reverse("attachment", args=[attachment.pk]) in page
    assert 'class="badge' in page and "办理期限" in page
    for n in range(2, 6):
        resubmitted(office, clerk, leader, kewei, n)
    factories.just_active(client)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/review/").content.decode()
    assert all(f"附件{n}.pdf" in page for n in range(1, 6))
    # 14: the replies' own commitments, read for the pre-flight whatever their class
    assert len(few) == len(many) <= 14, (len(few), len(many))
