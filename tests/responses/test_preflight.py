"""送审前检查: every rule that stops 送审 is listed on the editor's panel, in the words the verb
refuses with (one home: Letter.submit_blockers); the wording warnings; and each autosave's
answer carries the refreshed panel."""

import re

import pytest

from responses.actions import save_letter, start_opinion, start_reply, submit_letter
from responses.models import LetterState
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db

COMPLETE = {"body": "您提出的提案收悉，现答复如下……", "class_label": "解决采纳"}


def reply_for(office, clerk, kewei, contacted=True, kind="proposal", proposers=None, **fields):
    assignment = factories.accepted(office, clerk, kewei, kind=kind, proposers=proposers)
    if contacted:
        factories.contacted(assignment, clerk)
    return save_letter(start_reply(assignment, clerk), clerk, **(COMPLETE | fields))


def blockers(letter):
    return [str(f) for f in letter.preflight() if f.blocks]


def refused_with(letter, actor):
    with pytest.raises(ActionRefused) as refused:
        submit_letter(letter, actor)
    return refused.value.message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": ""}, "请填写正文。"),
        ({"title": " "}, "请填写标题。"),
        ({"addressee": ""}, "请填写主送。"),
        ({"class_label": ""}, "请选择办理结果类别。"),
        ({"disclosure": "withheld"}, "选择“不予公开”时必须说明理由。"),
        ({"disclosure": "summary", "summary": ""}, "选择“主动公开·摘要”时必须填写公开摘要。"),
    ],
)
def test_each_element_rule_is_listed_and_refused_in_the_same_words(
    office, clerk, kewei, fields, message
):
    reply = reply_for(office, clerk, kewei, **fields)
    assert blockers(reply) == [message]
    assert refused_with(reply, clerk) == message
    assert reply.__class__.objects.get(pk=reply.pk).state == LetterState.DRAFT


def test_a_missing_contact_with_the_proposer_is_listed_and_refused(office, clerk, kewei):
    reply = reply_for(office, clerk, kewei, contacted=False)
    (message,) = blockers(reply)
    assert "沟通（办前面商）" in message and "记录沟通" in message
    assert refused_with(reply, clerk) == message
    assert [f.on_item for f in reply.preflight() if f.blocks] == [True]


def test_no_contact_needed_where_the_jurisdiction_does_not_ask_it(office, clerk, kewei, shanghai):
    shanghai.contact_required = False
    shanghai.save()
    reply = reply_for(office, clerk, kewei, contacted=False)
    assert blockers(reply) == []
    assert submit_letter(reply, clerk).state == LetterState.SUBMITTED


def test_a_pending_co_handler_opinion_is_listed_and_refused(office, clerk, kewei):
    item = factories.filed(office)
    weijian = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    lead, _co = assign_proposal(item, office, lead=kewei, co=[weijian])
    accept_assignment(lead, clerk)
    factories.contacted(lead, clerk)
    reply = save_letter(start_reply(lead, clerk), clerk, body="", class_label="")
    found = blockers(reply)
    assert any("会办单位意见尚未送达且未逾期：上海市卫生健康委员会" in f for f in found)
    assert "请填写正文。" in found and "请选择办理结果类别。" in found
    assert refused_with(reply, clerk) == " ".join(found)


def test_an_opinion_needs_a_body_but_no_result_class(office, clerk, kewei):
    item = factories.filed(office)
    weijian = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    co_clerk = factories.member(weijian, "clerk")
    _lead, co = assign_proposal(item, office, lead=kewei, co=[weijian])
    accept_assignment(co, co_clerk)
    opinion = save_letter(start_opinion(co, co_clerk), co_clerk, body="", class_label="")
    assert blockers(opinion) == ["请填写正文。"]
    assert refused_with(opinion, co_clerk) == "请填写正文。"
    opinion = save_letter(opinion, co_clerk, body="我委意见如下……")
    assert blockers(opinion) == []
    assert submit_letter(opinion, co_clerk).state == LetterState.SUBMITTED


def test_a_letter_dated_later_may_go_up_but_is_warned(office, clerk, kewei):
    from datetime import timedelta

    from django.utils import timezone

    reply = reply_for(office, clerk, kewei, letter_date=timezone.localdate() + timedelta(days=2))
    assert blockers(reply) == []
    assert "成文日期晚于今天：该日期之前不能签发。" in [
        str(f) for f in reply.preflight() if not f.blocks
    ]


# ---- wording: the wrong kind's words, another item's title --------------------------------
def warnings(letter):
    return [str(f) for f in letter.preflight() if not f.blocks]


def test_a_suggestion_reply_calling_the_deputy_a_member_is_warned(office, clerk, kewei):
    reply = reply_for(
        office,
        clerk,
        kewei,
        kind="suggestion",
        proposers=[factories.proposer("文彬", kind="deputy")],
        addressee="文彬委员",
        body="文彬委员：\n您提出的关于加强科普的提案收悉，现答复如下……",
    )
    (warning,) = [w for w in warnings(reply) if "称谓和文种" in w]
    assert "本件是建议" in warning and "“委员”“提案”" in warning
    right = {
        "addressee": "文彬代表",
        "body": "文彬代表：\n您提出的关于加强科普的建议收悉。会上政协委员谈了提案工作。",
    }
    assert not any("称谓和文种" in w for w in warnings(save_letter(reply, clerk, **right)))


def test_a_proposal_reply_may_quote_a_member_in_its_body(office, clerk, kewei):
    """Only the salutation and the opening are read: 代表 later in the text is no error."""
    reply = reply_for(
        office,
        clerk,
        kewei,
        body="章毅委员：\n您提出的提案收悉。会上人大代表和委员都谈了意见建议。",
    )
    assert not any("称谓和文种" in w for w in warnings(reply))
    reply = save_letter(reply, clerk, body="章毅代表：\n您提出的建议收悉。")
    (warning,) = [w for w in warnings(reply) if "称谓和文种" in w]
    assert "本件是提案" in warning and "“代表”“建议”" in warning


def test_a_quoted_title_of_another_item_is_warned_but_not_a_law(office, clerk, kewei):
    reply = reply_for(office, clerk, kewei)
    own = reply.assignment.proposal.title
    reply = save_letter(
        reply,
        clerk,
        body=f"您提出的《{own}》收悉。根据《上海市促进科技成果转化条例》，现答复如下。",
    )
    assert not any("请核对案由" in w for w in warnings(reply))
    reply = save_letter(reply, clerk, body="您提出的《关于加强城市绿化的提案》收悉。")
    (warning,) = [w for w in warnings(reply) if "请核对案由" in w]
    assert "关于加强城市绿化的提案" in warning and own in warning


# ---- the editor: drawn on the page, refreshed by every autosave -----------------------------
def form_data(letter, **changes):
    from responses.selectors import letter_initial

    data = {k: ("" if v is None else v) for k, v in letter_initial(letter).items()}
    data.pop("show_signer")
    return data | changes


def panel(html):
    match = re.search(r'<section id="preflight".*?</section>', html, re.S)
    assert match, html
    return match.group(0)


def test_the_autosave_answer_carries_the_refreshed_panel(client, office, clerk, kewei):
    reply = reply_for(office, clerk, kewei, class_label="")
    url = f"/letters/reply/{reply.pk}/"
    client.force_login(clerk)
    page = panel(client.get(url).content.decode())
    assert "请选择办理结果类别。" in page and "disabled" in page
    answer = client.post(url, form_data(reply, class_label="解决采纳"), HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert 'id="saved"' in html
    refreshed = panel(html)
    assert 'hx-swap-oob="true"' in refreshed
    assert "请选择办理结果类别" not in refreshed and "disabled" not in refreshed
    assert "必填要素已齐全" in refreshed


def test_without_javascript_the_saved_page_shows_the_current_panel(client, office, clerk, kewei):
    reply = reply_for(office, clerk, kewei, class_label="")
    url = f"/letters/reply/{reply.pk}/"
    client.force_login(clerk)
    answer = client.post(url, form_data(reply, class_label="解决采纳"), follow=True)
    assert "请选择办理结果类别" not in panel(answer.content.decode())


def test_the_leader_queue_reads_the_same_check(client, office, clerk, leader, kewei):
    reply = reply_for(office, clerk, kewei, cc="")
    submit_letter(reply, clerk)
    client.force_login(leader)
    queue = client.get("/review/").content.decode()
    assert "△ 抄送栏为空。" in queue
