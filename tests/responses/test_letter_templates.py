"""Unit templates know which letters they are for (提案 or 建议, 答复函 or 会办意见), fill their
placeholders for either kind, and a new reply addresses its proposers by the seeds' rule."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from proposals.models import Proposal, Proposer
from responses.actions import apply_template, start_opinion, start_reply
from responses.letter_text import addressee_for
from responses.models import LetterTemplate
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db

SHARED = (
    "【主送】：\n【您】提出的第【案号】号【类别】“【案由】”收悉。"
    "感谢【提出人】【称谓】对【办理单位】工作的关心。"
)


def deputy(name="文彬"):
    return factories.proposer(name, kind=Proposer.Kind.DEPUTY)


def suggestion_reply(office, clerk, kewei, proposers=None, number="0345"):
    assignment = factories.accepted(
        office,
        clerk,
        kewei,
        kind=Proposal.Kind.SUGGESTION,
        number=number,
        title="关于支持生物医药创新，推动产业高质量发展的建议",
        proposers=proposers or [deputy()],
    )
    return start_reply(assignment, clerk)


def proposal_reply(office, clerk, kewei, proposers=None, number="1136"):
    assignment = factories.accepted(office, clerk, kewei, number=number, proposers=proposers)
    return start_reply(assignment, clerk)


def template(unit, role="reply", kind="", name="模板", body="【案由】"):
    return LetterTemplate.objects.create(unit=unit, role=role, kind=kind, name=name, body=body)


# ---- which templates a letter is offered, and which the verb accepts ---------------------


def test_a_proposal_template_is_neither_offered_nor_applied_to_a_suggestion(
    client, office, clerk, kewei
):
    for_proposals = template(
        kewei, kind="proposal", name="提案答复", body="【提出人】委员：提案收悉。"
    )
    for_both = template(kewei, name="通用答复", body=SHARED)
    for_suggestions = template(kewei, kind="suggestion", name="建议答复", body="代表建议收悉。")
    template(kewei, role="opinion", name="会办意见", body="会办意见。")
    reply = suggestion_reply(office, clerk, kewei)

    assert set(LetterTemplate.objects.for_letter(reply)) == {for_both, for_suggestions}
    client.force_login(clerk)
    editor = client.get(reverse("letter", args=["reply", reply.pk])).content.decode()
    assert "通用答复" in editor and "建议答复" in editor
    assert "提案答复" not in editor and "会办意见</option>" not in editor

    with pytest.raises(ActionRefused, match="适用于提案的答复函"):
        apply_template(reply, clerk, for_proposals)
    response = client.post(
        reverse("letter-template", args=["reply", reply.pk]),
        {"template": for_proposals.pk},
        follow=True,
    )
    assert "适用于提案的答复函" in response.content.decode()
    reply.refresh_from_db()
    assert "委员" not in reply.body

    reply = apply_template(reply, clerk, for_suggestions)
    assert reply.body == "代表建议收悉。"


def test_a_reply_template_is_not_applied_to_an_opinion(office, clerk, kewei):
    health = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    item = factories.filed(office)
    _lead, co = assign_proposal(item, office, lead=health, co=[kewei])
    co = accept_assignment(co, clerk)
    reply_text = template(kewei, name="通用答复", body=SHARED)
    opinion_text = template(
        kewei, role="opinion", name="会办意见", body="现对第【案号】号【类别】提出以下会办意见："
    )
    opinion = start_opinion(co, clerk)

    assert opinion.body == f"现对第{item.number}号提案提出以下会办意见："  # its role's template
    assert list(LetterTemplate.objects.for_letter(opinion)) == [opinion_text]
    with pytest.raises(ActionRefused, match="答复函"):
        apply_template(opinion, clerk, reply_text)


def test_a_new_draft_starts_from_the_template_for_its_kind(office, clerk, kewei):
    template(kewei, kind="proposal", name="提案答复", body="【主送】：提案收悉。")
    template(kewei, kind="suggestion", name="建议答复", body="【主送】：建议收悉。")
    assert suggestion_reply(office, clerk, kewei).body == "文彬代表：建议收悉。"
    assert proposal_reply(office, clerk, kewei).body == "章毅委员：提案收悉。"


# ---- placeholders --------------------------------------------------------------------------


def test_one_template_fills_for_a_proposal_and_for_a_suggestion(office, clerk, kewei):
    shared = template(kewei, name="通用答复", body=SHARED)
    members = [factories.proposer(n) for n in ("章毅", "张远波")]
    reply = apply_template(proposal_reply(office, clerk, kewei, members), clerk, shared)
    assert reply.body == (
        "章毅、张远波委员：\n你们提出的第1136号提案“关于进一步扶持干细胞治疗产业发展的提案”收悉。"
        "感谢章毅、张远波委员对上海市科学技术委员会工作的关心。"
    )
    reply = apply_template(suggestion_reply(office, clerk, kewei), clerk, shared)
    assert reply.body == (
        "文彬代表：\n您提出的第0345号建议“关于支持生物医药创新，推动产业高质量发展的建议”收悉。"
        "感谢文彬代表对上海市科学技术委员会工作的关心。"
    )


def test_filling_is_one_pass_and_leaves_unknown_brackets_visible(office, clerk, kewei):
    reply = proposal_reply(office, clerk, kewei)
    reply.assignment.proposal.title = "关于【办理单位】与{称谓}的提案"
    text = LetterTemplate(body="【案由】；【附件一】；{0}{称谓}；【类别】").fill(reply)
    assert text == "关于【办理单位】与{称谓}的提案；【附件一】；{0}{称谓}；提案"


def test_a_template_with_an_unknown_placeholder_is_refused_at_save(kewei):
    typo = LetterTemplate(unit=kewei, role="reply", name="笔误", body="【提出人】【称呼】：")
    with pytest.raises(ValidationError, match="【称呼】"):
        typo.full_clean()
    LetterTemplate(unit=kewei, role="reply", name="正确", body="【提出人】【称谓】：").full_clean()


def test_the_admin_lists_the_placeholders_where_templates_are_edited(admin_client, kewei):
    page = admin_client.get(reverse("admin:responses_lettertemplate_add")).content.decode()
    for name in ("【主送】", "【称谓】", "【类别】", "【您】", "【提出人】", "【案由】"):
        assert name in page
    assert "提案为“委员”，建议为“代表”" in page


# ---- the migration's classification -------------------------------------------------------

MIGRATION = importlib.import_module("responses.migrations.0012_letter_template_kind_and_role")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("【提出人】委员：\n你们提出的提案收悉。你们的建议具有很强的针对性。", "proposal"),
        ("感谢您对政协工作的关心。", "proposal"),
        ("【提出人】代表：\n您提出的建议收悉。", "suggestion"),
        ("您提出的建议收悉，经研究，现答复如下：", "suggestion"),
        ("【提出人】：\n您的来函收悉，上海市科学技术委员会经认真研究，现答复如下：", ""),
        ("该意见具有代表性，现答复如下：", ""),
        ("【提出人】委员、代表：来函收悉。", ""),
    ],
)
def test_the_migration_reads_the_kind_from_the_text(body, kind):
    assert MIGRATION.kind_by_wording(body) == kind


def test_the_migration_classifies_stored_templates_and_keeps_their_role(kewei):
    rows = {
        "提案": template(kewei, body="【提出人】委员：提案收悉。"),
        "建议": template(kewei, body="【提出人】代表：建议收悉。"),
        "通用": template(kewei, body="【提出人】：来函收悉。"),
        "会办": template(kewei, role="opinion", body="现对【案号】号提案提出会办意见："),
    }
    MIGRATION.classify(apps, None)
    kinds = {key: LetterTemplate.objects.get(pk=row.pk) for key, row in rows.items()}
    assert {key: (row.kind, row.role) for key, row in kinds.items()} == {
        "提案": ("proposal", "reply"),
        "建议": ("suggestion", "reply"),
        "通用": ("", "reply"),
        "会办": ("proposal", "opinion"),
    }


# ---- the addressee of a new reply -----------------------------------------------------------


def test_few_proposers_are_all_named_without_deng(office, clerk, kewei):
    seed_000 = [factories.proposer(n) for n in ("章毅", "张远波", "朱军红")]
    assert proposal_reply(office, clerk, kewei, seed_000).addressee == "章毅、张远波、朱军红委员"
    one = [factories.proposer("姚成岭")]
    assert proposal_reply(office, clerk, kewei, one, "13010345").addressee == "姚成岭委员"
    assert suggestion_reply(office, clerk, kewei).addressee == "文彬代表"
    two_deputies = [deputy("文彬"), deputy("龚喆")]
    assert (
        suggestion_reply(office, clerk, kewei, two_deputies, "0346").addressee == "文彬、龚喆代表"
    )


def test_more_proposers_are_the_first_three_and_deng(office, clerk, kewei):
    four = [factories.proposer(n) for n in ("章毅", "张远波", "朱军红", "姚成岭")]
    assert proposal_reply(office, clerk, kewei, four).addressee == "章毅、张远波、朱军红等委员"


def test_a_group_is_addressed_by_its_name(office, clerk, kewei):
    party = factories.proposer("民盟上海市委", kind=Proposer.Kind.PARTY)
    sector = factories.proposer("科技界别", kind=Proposer.Kind.SECTOR)
    item = factories.filed(office, proposers=[party])
    assert addressee_for(item) == "民盟上海市委"
    item = factories.filed(office, proposers=[sector, factories.proposer("章毅")])
    assert addressee_for(item) == "科技界别"
    shared = template(kewei, name="通用答复", body=SHARED)
    reply = apply_template(proposal_reply(office, clerk, kewei, [party]), clerk, shared)
    assert reply.body.startswith("民盟上海市委：\n你们提出的")
    assert "感谢民盟上海市委对" in reply.body


def test_the_demo_templates_use_only_placeholders_and_serve_both_kinds(office, clerk, kewei):
    from demo.data import LETTER_TEMPLATES

    for role, kind, name, body in LETTER_TEMPLATES:
        LetterTemplate(unit=kewei, role=role, kind=kind, name=name, body=body).full_clean()
        if kind == "":
            assert not any(word in body for word in ("委员", "代表", "提案", "建议。")), name
    general = next(body for role, kind, name, body in LETTER_TEMPLATES if name == "通用答复")
    shared = template(kewei, name="通用答复", body=general)
    reply = apply_template(suggestion_reply(office, clerk, kewei), clerk, shared)
    assert reply.body.startswith("您提出的“关于支持生物医药创新，推动产业高质量发展的建议”")
    assert "第0345号建议" in reply.body and "【" not in reply.body
