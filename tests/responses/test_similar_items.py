"""While drafting, the item page and the letter editor show the most similar other items and
the replies the user may read: the three stem-cell seeds (000 Shanghai, 002 Shandong, 003
Yunnan) find each other; an unrelated item does not come up."""

import json

import pytest

from demo.data import FIXTURES
from demo.loader import Demo
from proposals.models import Proposal
from responses import textsearch
from responses.actions import (
    publish_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.roles import Roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    world = Demo()
    world.base()
    for seed in json.loads((FIXTURES / "seed_letters.json").read_text())["letters"]:
        world.seed_letter(seed)
    return world


def item(number):
    return Proposal.objects.get(number=number)


SEEDS = {"000": "1136", "002": "13010345", "003": "120300622"}


@pytest.mark.parametrize(
    ("user", "seed"), [("clerk", "000"), ("sd_clerk", "002"), ("yn_clerk", "003")]
)
def test_the_stem_cell_seeds_find_each_other(demo, user, seed):
    roles = Roles.of(demo.users[user])
    found = textsearch.similar_items(item(SEEDS[seed]), roles)
    numbers = {s["item"].number for s in found}
    assert numbers == {n for k, n in SEEDS.items() if k != seed}
    assert all(0 < s["score"] <= 100 for s in found)
    assert all(s["replies"] for s in found)  # each with a letter the user may read


def test_the_panel_is_on_the_item_page_and_in_the_letter_editor(client, demo):
    client.force_login(demo.users["clerk"])
    page = client.get(f"/items/{item('1136').pk}/").content.decode()
    assert "相似的往年件" in page
    assert "关于加快推进我省干细胞产业发展的建议" in page
    assert "关于成立建设山东省干细胞与再生医学创新创业共同体的建议" in page
    assert "关于支持生物医药创新" not in page.split("相似的往年件")[1]


def test_replies_shown_are_the_own_units_and_published_ones(office, kewei, clerk, leader):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    other_clerk = factories.member(other, "clerk")
    other_leader = factories.member(other, "leader")
    withheld_item = factories.accepted(office, other_clerk, other, title="关于干细胞库建设的提案")
    factories.contacted(withheld_item, other_clerk)
    hidden = start_reply(withheld_item, other_clerk)
    hidden = save_letter(
        hidden,
        other_clerk,
        body="不公开",
        class_label="留作参考",
        disclosure="withheld",
        withheld_reason="privacy",
    )
    submit_letter(hidden, other_clerk)
    sign_letter(hidden, other_leader)
    send_letter(hidden, other_clerk)
    own = factories.sent_reply(office, clerk, leader, kewei, title="关于干细胞临床研究的提案")
    current = factories.filed(office, title="关于干细胞治疗临床转化的提案")
    assign_proposal(current, office, lead=kewei)
    found = textsearch.similar_items(current, Roles.of(clerk))
    by_title = {s["item"].title: s for s in found}
    assert [r.pk for r in by_title["关于干细胞临床研究的提案"]["replies"]] == [own.pk]
    # another unit's withheld reply: neither the item nor the letter is offered
    assert "关于干细胞库建设的提案" not in by_title


def test_the_letter_editor_shows_the_panel(client, demo):
    clerk, office = demo.users["clerk"], demo.users["office"]
    unit = clerk.unit_memberships.get().unit
    current = factories.filed(
        office, sess=item("1136").session, number="S2001", title="关于干细胞治疗临床转化的提案"
    )
    (assignment,) = assign_proposal(current, office, lead=unit)
    accept_assignment(assignment, clerk)
    draft = start_reply(assignment, clerk)
    client.force_login(clerk)
    page = client.get(f"/letters/reply/{draft.pk}/").content.decode()
    similar = page.split('<div class="card similar">')[1]
    # 1136 is of the same session: listed as a likely duplicate, with its reply
    same = similar.split("同届相似件（可能重复，可考虑并案）")[1].split("相似的往年件")[0]
    assert "关于进一步扶持干细胞治疗产业发展的提案" in same
    assert "对市政协十四届二次会议第1136号提案的答复" in same  # its reply, to learn from


def test_a_proposer_typing_a_title_sees_only_published_replies(office, kewei, clerk, leader):
    """网上提交: the check while a proposer types, before any item exists. They work in no
    office or unit: only items with a published letter come up, with those letters."""
    published = factories.sent_reply(office, clerk, leader, kewei, title="关于干细胞临床研究的提案")
    publish_letter(published, clerk)
    unpublished = factories.sent_reply(office, clerk, leader, kewei, title="关于干细胞库建设的提案")
    factories.filed(office, title="关于干细胞产业园区的提案")  # no letter at all
    found = textsearch.similar_for_title("关于干细胞治疗临床转化的提案")
    assert [s["item"].title for s in found] == ["关于干细胞临床研究的提案"]
    assert [r.pk for r in found[0]["replies"]] == [published.pk]
    assert not found[0]["openable"]
    assert unpublished.assignment.proposal.title not in [s["item"].title for s in found]
    assert textsearch.similar_for_title("关于的建议") == []  # nothing but boilerplate


def test_a_same_session_look_alike_is_a_likely_duplicate_not_a_precedent(
    client, shanghai, office, kewei, clerk, leader
):
    earlier = factories.session(shanghai, year=2023, meeting=1)
    factories.sent_reply(
        office, clerk, leader, kewei, sess=earlier, title="关于干细胞临床研究监管的提案"
    )
    current = factories.filed(office, number="301", title="关于加强干细胞临床研究监管的提案")
    twin = factories.filed(office, number="302", title="关于加强干细胞临床研究监管的提案")
    client.force_login(office)
    page = client.get(f"/items/{current.pk}/").content.decode()
    panel = page.split('<div class="card similar">')[1]
    same, earlier_part = panel.split("相似的往年件")
    assert "同届相似件（可能重复，可考虑并案）" in same
    assert f"/items/{twin.pk}/" in same
    assert f"/items/{twin.pk}/" not in earlier_part
    assert "关于干细胞临床研究监管的提案" in earlier_part
