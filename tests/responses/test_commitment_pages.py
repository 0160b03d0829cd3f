"""承诺事项 through the staff's pages: the clerk finds, confirms, edits, deletes and adds the
commitments of a 正在解决 reply in the editor (plain posts and htmx), the leader reads them
before 签发, the unit notes progress and asks to drop one on the item page, the office
decides, a follow-up reply reports them delivered and the office converts the reply."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from proposals.classification import Bucket
from proposals.models import ProposalState
from responses.actions import (
    add_commitment,
    decide_drop,
    record_feedback,
    report_commitment,
    request_drop,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    start_reply,
    submit_letter,
    suggest_commitments,
)
from responses.models import Commitment, CommitmentState, Feedback, Reply
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.models import AssignmentState

pytestmark = pytest.mark.django_db

BODY = (
    "经研究，现答复如下。二、下一步工作。我局计划于2025年底前完成全部改造；"
    "下一步将继续加强宣传和引导工作。"
)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    # Drafted and written on a fixed day: the promised years are read against it.
    written = date(2024, 5, 6)
    reply = start_reply(assignment, clerk, at=timezone.make_aware(datetime(2024, 5, 6, 10)))
    return save_letter(reply, clerk, body=BODY, class_label="正在解决", letter_date=written)


def editor(draft):
    return f"/letters/reply/{draft.pk}/"


def fields(commitment, **typed):
    """What the panel's form of this commitment posts, as shown, with `typed` over it."""
    values = {
        "what": commitment.what,
        "unit": commitment.unit_id,
        "due_kind": commitment.due_kind,
        "promised_on": commitment.promised_on.isoformat() if commitment.promised_on else "",
    }
    return {f"c{commitment.pk}-{name}": value for name, value in (values | typed).items()}


def test_the_clerk_finds_confirms_and_deletes_promises_without_script(client, clerk, draft):
    client.force_login(clerk)
    page = client.get(editor(draft)).content.decode()
    assert 'id="commitments"' in page and "从正文中查找承诺" in page
    assert 'href="#commitments"' in page  # the pre-flight blocker leads to the panel
    answer = client.post(f"/letters/reply/{draft.pk}/commitments/suggest")
    assert answer.status_code == 302 and answer["Location"].endswith("#commitments")
    page = client.get(editor(draft)).content.decode()
    assert "我局计划于2025年底前完成全部改造" in page and "尚有2项候选待确认" in page
    dated, vague = Commitment.objects.order_by("position")
    refused = client.post(f"/commitments/{vague.pk}/confirm", fields(vague, what="加强宣传"))
    assert refused.status_code == 400
    form = refused.context["panel"]["rows"][1]["form"]
    assert form.errors == {"promised_on": ["请填写承诺完成时间。"]}
    assert 'value="加强宣传"' not in refused.content.decode()  # a textarea keeps it inside
    assert "加强宣传</textarea>" in refused.content.decode()
    client.post(f"/commitments/{dated.pk}/confirm", fields(dated))
    client.post(f"/commitments/{vague.pk}/reject")
    dated.refresh_from_db()
    assert dated.state == CommitmentState.OPEN and dated.due_on == date(2025, 12, 31)
    assert not Commitment.objects.filter(pk=vague.pk).exists()
    page = client.get(editor(draft)).content.decode()
    assert "保存修改" in page and "尚有" not in page


def test_htmx_gets_the_panel_and_the_preflight_check(client, clerk, draft):
    client.force_login(clerk)
    answer = client.post(f"/letters/reply/{draft.pk}/commitments/suggest", **HTMX)
    page = answer.content.decode()
    assert answer.status_code == 200 and "<html" not in page
    assert page.count('id="commitments"') == 1 and "找到2项承诺" in page
    assert 'id="preflight"' in page and 'hx-swap-oob="true"' in page
    assert "尚有2项承诺事项候选未确认" in page  # the pre-flight check, refreshed
    vague = Commitment.objects.order_by("position").last()
    refused = client.post(
        f"/commitments/{vague.pk}/confirm", fields(vague, due_kind="year"), **HTMX
    )
    assert refused.status_code == 200 and "请填写承诺完成时间" in refused.content.decode()
    assert 'value="year" selected' in refused.content.decode()  # what was chosen stays
    dated = Commitment.objects.order_by("position").first()
    confirmed = client.post(f"/commitments/{dated.pk}/confirm", fields(dated), **HTMX)
    # confirmed in a draft: not yet 落实中, which only a sent reply's commitment is
    assert "已确认承诺事项" in confirmed.content.decode()
    assert '<span class="tag">已确认</span>' in confirmed.content.decode()
    edited = client.post(f"/commitments/{dated.pk}/confirm", fields(dated, what="完成改造"), **HTMX)
    assert "已修改承诺事项" in edited.content.decode()


def test_a_commitment_added_by_hand_and_the_errors_beside_its_fields(client, clerk, draft):
    client.force_login(clerk)
    url = f"/letters/reply/{draft.pk}/commitments/add"
    empty = {"new-what": "", "new-unit": draft.assignment.unit_id, "new-due_kind": "date"}
    refused = client.post(url, empty | {"new-promised_on": "2025-06-30"})
    assert refused.status_code == 400
    assert refused.context["panel"]["add_form"].errors == {"what": ["请填写承诺内容。"]}
    assert 'value="2025-06-30"' in refused.content.decode()
    typed = empty | {"new-what": "6月底前建成平台", "new-promised_on": "2025-06-30"}
    assert client.post(url, typed).status_code == 302
    (made,) = Commitment.objects.all()
    assert made.state == CommitmentState.OPEN and made.due_on == date(2025, 6, 30)
    client.post(f"/letters/reply/{draft.pk}/commitments/suggest")
    for candidate in Commitment.objects.filter(state=CommitmentState.CANDIDATE):
        client.post(f"/commitments/{candidate.pk}/reject")
    answer = client.post(f"/letters/reply/{draft.pk}/submit")
    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "submitted"


def test_a_reply_in_another_class_shows_no_panel(client, clerk, office, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    reply = save_letter(start_reply(assignment, clerk), clerk, body=BODY, class_label="解决采纳")
    client.force_login(clerk)
    page = client.get(editor(reply)).content.decode()
    assert "从正文中查找承诺" not in page
    assert 'id="commitments" hx-get=' in page  # an empty slot, filled if the class changes


def test_the_leader_sees_the_commitments_before_signing(client, clerk, leader, draft):
    factories_commitment(draft, clerk)
    submit_letter(draft, clerk)
    client.force_login(leader)
    queue = client.get("/review/").content.decode()
    assert "承诺事项" in queue and "年底前完成全部改造" in queue
    page = client.get(editor(draft)).content.decode()
    assert "年底前完成全部改造" in page and "保存修改" not in page and "删除" not in page


def factories_commitment(reply, clerk):
    return add_commitment(
        reply,
        clerk,
        what="年底前完成全部改造",
        due_kind="year",
        # the year after the reply's: for the draft above, 2025
        promised_on=date(timezone.localdate(reply.created_at).year + 1, 3, 1),
    )


@pytest.fixture
def sent(office, clerk, leader, kewei, draft):
    commitment = factories_commitment(draft, clerk)
    reply = send_letter(sign_letter(submit_letter(draft, clerk), leader), clerk)
    commitment.refresh_from_db()
    return reply, commitment


def item_page(client, reply):
    return client.get(f"/items/{reply.assignment.proposal_id}/")


def test_the_unit_notes_progress_and_asks_to_drop(client, clerk, office, sent):
    reply, commitment = sent
    client.force_login(clerk)
    page = item_page(client, reply).content.decode()
    assert f'id="commitment-{commitment.pk}"' in page and "落实中" in page
    assert '<br><a href="#commitments">承诺事项</a>' in page  # from the reply's row
    assert 'class="badge' in page and "2025年12月31日" in page
    assert "起草跟踪办理答复" in page and "转为已解决" not in page
    url = f"/commitments/{commitment.pk}/progress"
    refused = client.post(url, {"text": "  "})
    assert refused.status_code == 400 and "请填写进展情况" in refused.content.decode()
    # without script the whole page comes back: it lands on the field with the error
    assert (
        f'id="progress-{commitment.pk}" rows="2" maxlength="2000" autofocus'
        in refused.content.decode()
    )
    assert client.post(url, {"text": "已完成招标"}).status_code == 302
    assert "已完成招标" in item_page(client, reply).content.decode()
    refused = client.post(f"/commitments/{commitment.pk}/drop", {"reason": ""}, **HTMX)
    assert refused.status_code == 200 and "申请撤销须写明理由" in refused.content.decode()
    client.post(f"/commitments/{commitment.pk}/drop", {"reason": "政策调整，不再实施"})
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.DROP_REQUESTED
    client.force_login(office)
    decide = f"/commitments/{commitment.pk}/decide"
    refused = client.post(decide, {"approve": "0", "comment": ""})
    assert refused.status_code == 400 and "不同意撤销时请写明意见" in refused.content.decode()
    answer = client.post(decide, {"approve": "0", "comment": "应继续落实"}, **HTMX)
    assert answer.status_code == 200 and "<html" not in answer.content.decode()
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.OPEN


def test_another_unit_cannot_reach_the_commitment(client, sent):
    reply, commitment = sent
    outsider = factories.member(factories.unit("上海市交通委员会", organ_code="沪交"))
    client.force_login(outsider)
    assert item_page(client, reply).status_code == 403
    for step, data in [("progress", {"text": "x"}), ("drop", {"reason": "x"})]:
        assert client.post(f"/commitments/{commitment.pk}/{step}", data).status_code == 404
    assert client.post(f"/commitments/{commitment.pk}/confirm", {}).status_code == 404
    follow_up = client.post(f"/work/assignments/{reply.assignment_id}/follow-up")
    assert follow_up.status_code == 403
    commitment.refresh_from_db()
    assert commitment.state == CommitmentState.OPEN and not commitment.notes.exists()


def test_a_follow_up_reply_reports_and_the_office_converts(client, clerk, leader, office, sent):
    reply, commitment = sent
    client.force_login(clerk)
    answer = client.post(f"/work/assignments/{reply.assignment_id}/follow-up")
    follow_up = Reply.objects.get(kind=Reply.Kind.FOLLOW_UP)
    assert answer["Location"] == f"/letters/reply/{follow_up.pk}/"
    page = client.get(answer["Location"]).content.decode()
    assert "年底前完成全部改造" in page and "不报告" in page and "已落实" in page
    url = f"/letters/reply/{follow_up.pk}/commitments/{commitment.pk}/report"
    typed = {f"r{commitment.pk}-outcome": "delivered", f"r{commitment.pk}-note": "改造已完成"}
    assert client.post(url, typed, **HTMX).status_code == 200
    commitment.refresh_from_db()
    assert commitment.follow_up == follow_up and commitment.outcome == "delivered"
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下：改造已完成。")
    follow_up = submit_letter(follow_up, clerk)
    client.force_login(leader)
    queue = client.get("/review/").content.decode()  # no result class, no reply deadline
    assert "跟踪办理答复 · 主动公开" in queue and "类别 —" not in queue and "办理期限" not in queue
    client.force_login(clerk)
    follow_up = sign_letter(follow_up, leader)
    page = item_page(client, reply).content.decode()
    assert "发出跟踪办理答复" in page
    send = f"/letters/reply/{follow_up.pk}/send"
    asked = client.post(send)  # 发出 is confirmed first, as for a reply
    assert asked.status_code == 200 and 'name="confirmed"' in asked.content.decode()
    assert "所报告的承诺事项办结：年底前完成全部改造（已落实）" in asked.content.decode()
    assert client.post(send, {"confirmed": "1"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.state == "sent" and follow_up.doc_number
    client.force_login(office)
    page = item_page(client, reply).content.decode()
    assert "已落实" in page and "转为已解决" in page
    assert client.post(f"/replies/{reply.pk}/solved").status_code == 302
    reply.refresh_from_db()
    assert reply.result_bucket == Bucket.SOLVED and reply.converted_on


def test_an_unsatisfied_rating_of_a_follow_up_reopens_nothing(clerk, leader, office, sent):
    reply, commitment = sent
    proposer = reply.assignment.proposal.proposers.get()
    record_feedback(reply, proposer, handling="satisfied", result="satisfied")
    proposal = reply.assignment.proposal
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.CLOSED
    follow_up = start_follow_up(reply.assignment, clerk)
    report_commitment(follow_up, commitment, clerk, outcome="partly", note="完成一半")
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下。")
    follow_up = send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)
    record_feedback(
        follow_up, proposer, handling="unsatisfied", result="unsatisfied", comment="进度太慢"
    )
    proposal.refresh_from_db()
    assignment = reply.assignment
    assignment.refresh_from_db()
    assert proposal.state == ProposalState.CLOSED and proposal.round == 1
    assert assignment.state == AssignmentState.DONE
    assert Feedback.objects.get(reply=follow_up).comment == "进度太慢"


def test_the_follow_up_rating_is_shown_on_the_item_page(client, clerk, leader, sent):
    reply, commitment = sent
    follow_up = start_follow_up(reply.assignment, clerk)
    report_commitment(follow_up, commitment, clerk, outcome="delivered")
    follow_up = save_letter(follow_up, clerk, body="现将跟踪办理情况答复如下。")
    follow_up = send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)
    proposer = reply.assignment.proposal.proposers.get()
    record_feedback(follow_up, proposer, handling="unsatisfied", result="basic", comment="太慢")
    client.force_login(clerk)
    page = item_page(client, reply).content.decode()
    assert "太慢" in page and "已落实" in page


def test_the_admin_shows_an_office_its_own_commitments(client, office, sent):
    reply, commitment = sent
    elsewhere = factories.office_user(factories.jurisdiction("云南省", level="province"))
    client.force_login(office)
    listing = client.get("/admin/responses/commitment/")
    assert listing.status_code == 200 and "年底前完成全部改造" in listing.content.decode()
    assert client.get(f"/admin/responses/commitment/{commitment.pk}/change/").status_code == 200
    client.force_login(elsewhere)
    listing = client.get("/admin/responses/commitment/")
    assert "年底前完成全部改造" not in listing.content.decode()
    answer = client.post(f"/admin/responses/commitment/{commitment.pk}/change/", {"what": "改了"})
    assert answer.status_code in (302, 403)
    commitment.refresh_from_db()
    assert commitment.what == "年底前完成全部改造"


def test_the_item_page_reads_the_same_whatever_the_commitments(client, clerk, sent):
    reply, commitment = sent
    client.force_login(clerk)

    def count():
        factories.just_active(client)
        with CaptureQueriesContext(connection) as queries:
            assert item_page(client, reply).status_code == 200
        return len(queries)

    at_one = count()
    for n in range(6):
        Commitment.objects.create(
            reply=reply,
            unit=commitment.unit,
            what=f"第{n}项",
            due_kind="date",
            promised_on=date(2025, 1, 1),
            due_on=date(2025, 1, 2),
            state="open",
        )
    for c in Commitment.objects.all():
        c.notes.create(text="进展", author=clerk)
    assert count() == at_one


def test_the_leaders_queue_reads_the_same_whatever_the_promising_replies(
    client, office, clerk, leader, kewei
):
    """The queue prefetches the commitments of its 正在解决 replies: none asked per row."""

    def submitted(n):
        for _ in range(n):
            assignment = factories.accepted(office, clerk, kewei)
            factories.contacted(assignment, clerk)
            reply = save_letter(start_reply(assignment, clerk), clerk, body=BODY)
            reply = save_letter(reply, clerk, class_label="计划解决")
            factories_commitment(reply, clerk)
            submit_letter(reply, clerk)

    def count():
        factories.just_active(client)
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/review/")
        assert page.content.decode().count("年底前完成全部改造") >= 2
        return len(queries)

    client.force_login(leader)
    submitted(2)
    at_two = count()
    submitted(5)
    assert count() == at_two


def test_a_drafts_commitments_stay_in_its_units_timeline(client, office, clerk, kewei):
    """The timeline names each commitment's steps; another unit of the item reads none of a
    draft's (a draft never leaves its unit)."""
    co_unit = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    co_clerk = factories.member(co_unit)
    item = factories.filed(office)
    lead, co = assign_proposal(item, office, lead=kewei, co=[co_unit])
    accept_assignment(lead, clerk)
    accept_assignment(co, co_clerk)
    reply = save_letter(start_reply(lead, clerk), clerk, body=BODY, class_label="正在解决")
    factories_commitment(reply, clerk)
    suggest_commitments(reply, clerk)
    client.force_login(clerk)
    own = client.get(f"/items/{item.pk}/").content.decode()
    assert "确认承诺事项" in own and "年底前完成全部改造" in own
    # each step by its name, never the verb's (a found candidate is a commitment's row)
    assert "添加承诺事项" in own and "从正文中查找承诺" in own
    assert "add_commitment" not in own and "suggest_commitments" not in own
    client.force_login(co_clerk)
    other = client.get(f"/items/{item.pk}/").content.decode()
    assert "确认承诺事项" not in other and "年底前完成全部改造" not in other


def test_a_letter_started_from_the_english_page_is_titled_in_chinese(
    client, office, clerk, kewei, sent
):
    """A letter is a Chinese document: its title is not the page's language."""
    reply, _commitment = sent
    client.force_login(clerk)
    client.cookies["django_language"] = "en"
    with translation.override("en"):  # and back to what was active, once the page is done
        client.post(f"/work/assignments/{reply.assignment_id}/follow-up")
    follow_up = Reply.objects.get(assignment=reply.assignment, kind=Reply.Kind.FOLLOW_UP)
    assert follow_up.title.startswith("关于") and follow_up.title.endswith("办理情况的跟踪答复")
    other = factories.accepted(office, clerk, kewei)
    with translation.override("en"):
        fresh = start_reply(other, clerk)
    assert fresh.title.startswith("对") and fresh.title.endswith("的答复")


def test_the_office_is_told_why_a_reply_with_a_dropped_promise_is_not_converted(
    client, clerk, office, sent
):
    reply, commitment = sent
    request_drop(commitment, clerk, "政策调整，不再实施")
    decide_drop(commitment, office, approve=True)
    client.force_login(office)
    page = item_page(client, reply).content.decode()
    assert "其中有经批准撤销的，因此不能转为已解决" in page
    assert 'data-action="mark_solved"' not in page
