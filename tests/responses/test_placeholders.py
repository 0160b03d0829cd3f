"""A letter whose body still holds a template's unfilled parts ("一、……", a bare "……") does
not go up: the pre-flight lists it as ✗ and 送审 refuses it in the same words; any other
"……" is a warning for the drafter to check."""

import pytest

from responses.actions import save_letter, start_opinion, start_reply, submit_letter
from responses.models import LetterState
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db

TEMPLATE_BODY = "结合我单位职能，提出会办意见如下：\n一、……\n二、……\n……\n特此函复。"
FILLED_BODY = "结合我单位职能，提出会办意见如下：\n一、支持设立专项资金。\n二、加强人才培养。"


def opinion_for(office, kewei):
    item = factories.filed(office)
    weijian = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    co_clerk = factories.member(weijian, "clerk")
    _lead, co = assign_proposal(item, office, lead=kewei, co=[weijian])
    accept_assignment(co, co_clerk)
    return start_opinion(co, co_clerk), co_clerk


def blockers(letter):
    return [str(f) for f in letter.preflight() if f.blocks]


def warnings(letter):
    return [str(f) for f in letter.preflight() if not f.blocks]


def test_an_opinion_with_the_templates_unfilled_lines_is_listed_and_refused(office, kewei):
    opinion, co_clerk = opinion_for(office, kewei)
    opinion = save_letter(opinion, co_clerk, body=TEMPLATE_BODY)
    (message,) = blockers(opinion)
    assert "模板未填写" in message and "“一、……”" in message and "“二、……”" in message
    with pytest.raises(ActionRefused) as refused:
        submit_letter(opinion, co_clerk)
    assert refused.value.message == message
    assert opinion.__class__.objects.get(pk=opinion.pk).state == LetterState.DRAFT
    opinion = save_letter(opinion, co_clerk, body=FILLED_BODY)
    assert blockers(opinion) == [] and not any("省略号" in w for w in warnings(opinion))
    assert submit_letter(opinion, co_clerk).state == LetterState.SUBMITTED


@pytest.mark.parametrize("line", ["（一）……", "1. ……", "……", "  二、……  "])
def test_each_numbering_of_a_placeholder_line_blocks(office, clerk, kewei, line):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = save_letter(
        start_reply(assignment, clerk),
        clerk,
        body=f"您提出的提案收悉，现答复如下：\n{line}\n谢谢。",
        class_label="解决采纳",
    )
    assert any("模板未填写" in b for b in blockers(reply))


def test_an_ellipsis_within_a_sentence_is_only_a_warning(office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = save_letter(
        start_reply(assignment, clerk),
        clerk,
        body="您提出的提案收悉。正如您所说“科技创新……”，我们将认真研究。",
        class_label="解决采纳",
    )
    assert blockers(reply) == []
    assert "正文含有省略号“……”，请确认没有未填写的内容。" in warnings(reply)
    assert submit_letter(reply, clerk).state == LetterState.SUBMITTED


def test_the_editor_panel_shows_the_unfilled_template(client, office, kewei):
    opinion, co_clerk = opinion_for(office, kewei)
    opinion = save_letter(opinion, co_clerk, body=TEMPLATE_BODY)
    client.force_login(co_clerk)
    page = client.get(f"/letters/opinion/{opinion.pk}/").content.decode()
    assert "正文仍有模板未填写的部分" in page
