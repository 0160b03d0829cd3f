"""What a proposer sees: their own and co-signed items, of the handling only what was sent to
them; every other item is not there (404). A proposer's session reaches no staff page, and
a staff account reaches no proposer page."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from responses.actions import save_letter, start_reply
from responses.links import feedback_url
from responses.models import Feedback
from responses.proposer_selectors import items_of
from tests import factories
from workflow.actions import record_contact

from .helpers import as_proposer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(office, clerk, leader, kewei, person, cosigner, shanghai):
    """Two proposers' joint item, replied; an item of someone else; a second unit's draft."""
    reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[person, cosigner])
    item = reply.assignment.proposal
    stranger = factories.proposer("鲁民", phone="13600000000", jurisdiction=shanghai)
    other = factories.filed(office, proposers=[stranger], title="关于他人事项的提案")
    return {"reply": reply, "item": item, "other": other}


def test_the_rule_is_own_and_cosigned_items_only(world, person, cosigner):
    assert list(items_of(person)) == [world["item"]]
    assert list(items_of(cosigner)) == [world["item"]]


def test_my_items_lists_own_and_cosigned_in_plain_words(world, person, cosigner, client):
    as_proposer(client, cosigner)
    page = client.get(reverse("portal-home")).content.decode()
    assert world["item"].title in page and "已答复，请提出您的意见" in page
    assert "联名" in page and "关于他人事项的提案" not in page


@pytest.mark.parametrize("name", ["portal-item"])
def test_another_proposers_item_is_not_there(world, person, client, name):
    as_proposer(client, person)
    assert client.get(reverse(name, args=[world["other"].pk])).status_code == 404
    assert client.get(reverse(name, args=[world["item"].pk])).status_code == 200


def test_the_course_shows_what_was_sent_and_not_others_contacts(
    office, clerk, kewei, person, cosigner, client
):
    assignment = factories.accepted(office, clerk, kewei, proposers=[person, cosigner])
    for who, summary in ((person, "电话听取文彬委员意见"), (cosigner, "走访章毅委员")):
        record_contact(
            assignment,
            clerk,
            contacted_on=date(2024, 4, 2),
            method="visit",
            summary=summary,
            proposer=who,
        )
    as_proposer(client, person)
    page = client.get(reverse("portal-item", args=[assignment.proposal_id])).content.decode()
    assert "上海市科学技术委员会" in page and "承办单位正在办理" in page
    assert "电话听取文彬委员意见" in page and "走访章毅委员" not in page
    assert "13987654321" not in page  # the co-signer's mobile


def test_a_sent_reply_is_listed_to_rate(world, person, client):
    as_proposer(client, person)
    page = client.get(reverse("portal-item", args=[world["item"].pk])).content.decode()
    assert world["reply"].doc_number in page and "待您评价" in page


def test_a_draft_reply_is_not_there(office, clerk, kewei, person, client):
    assignment = factories.accepted(office, clerk, kewei, proposers=[person])
    draft = save_letter(start_reply(assignment, clerk), clerk, body="内部草稿：尚未定稿")
    as_proposer(client, person)
    page = client.get(reverse("portal-item", args=[assignment.proposal_id])).content.decode()
    assert "内部草稿" not in page and "尚未答复" in page
    assert client.get(reverse("portal-reply", args=[draft.pk])).status_code == 404


def test_each_co_proposer_rates_the_reply_and_the_emailed_link_still_works(
    world, person, cosigner, client
):
    reply = world["reply"]
    as_proposer(client, person)
    page = client.get(reverse("portal-reply", args=[reply.pk]))
    assert page.status_code == 200 and reply.title in page.content.decode()
    rated = client.post(
        reverse("portal-reply", args=[reply.pk]),
        {"handling": "satisfied", "result": "basic", "comment": "感谢"},
    )
    assert rated.status_code == 302
    mine = Feedback.objects.get(reply=reply, proposer=person)
    assert (mine.handling_rating, mine.result_rating, mine.entered_by) == (
        "satisfied",
        "basic",
        None,
    )
    again = client.get(reverse("portal-reply", args=[reply.pk])).content.decode()
    assert "提交意见" not in again and "基本满意" in again
    client.logout()
    link = client.post(
        feedback_url(reply, cosigner), {"handling": "satisfied", "result": "satisfied"}
    )
    assert link.status_code == 200
    assert Feedback.objects.filter(reply=reply).count() == 2


def test_a_proposer_session_reaches_no_staff_page(world, person, client):
    as_proposer(client, person)
    for path in ("/", reverse("item", args=[world["item"].pk]), "/work/", "/account/two-factor/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("portal-home"), path
    assert client.get("/api/proposals/").status_code == 403


def test_a_staff_account_reaches_no_proposer_page(world, office, clerk, client):
    for staff in (office, clerk):
        client.force_login(staff)
        assert client.get(reverse("portal-home")).status_code == 403
        assert client.get(reverse("portal-item", args=[world["item"].pk])).status_code == 403


def test_a_proposer_cannot_use_the_staff_sign_in(person, client, office, texts):
    user = as_proposer(client, person)
    user.set_password("Wenbin-2024-pass")
    user.save()
    client.logout()
    page = client.post(
        reverse("login"), {"username": user.username, "password": "Wenbin-2024-pass"}
    )
    assert page.status_code == 200 and "_auth_user_id" not in client.session


def test_the_office_invites_from_the_item_page(world, office, person, client, texts):
    client.force_login(office)
    page = client.get(reverse("item", args=[world["item"].pk])).content.decode()
    assert reverse("portal-invite", args=[person.pk]) in page
    client.post(reverse("portal-invite", args=[person.pk]), {"channel": "sms"})
    from portal.models import Invitation

    assert Invitation.objects.filter(proposer=person, invited_by=office).exists()


def test_a_group_contact_follows_the_groups_items(office, shanghai, client):
    from portal.actions import add_contact_person
    from proposals.models import Proposer
    from workflow.roles import must_use_second_factor

    group = factories.proposer("民盟上海市委", kind=Proposer.Kind.PARTY, jurisdiction=shanghai)
    item = factories.filed(office, proposers=[group], title="关于完善社区养老服务的提案")
    contact = add_contact_person(group, office, name="李联络", mobile="13900001111")
    as_proposer(client, group, contact)
    assert not must_use_second_factor(contact.user)  # the SMS code is their factor
    page = client.get(reverse("portal-home")).content.decode()
    assert "关于完善社区养老服务的提案" in page and "民盟上海市委" in page
    assert client.get(reverse("portal-item", args=[item.pk])).status_code == 200


def test_an_idle_proposer_is_sent_back_to_their_own_sign_in(person, client):
    as_proposer(client, person)
    session = client.session
    session["banli_last_seen"] = 0  # long ago
    session.save()
    response = client.get(reverse("portal-home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal-signin")
    assert "_auth_user_id" not in client.session


def test_the_office_finds_and_invites_a_proposer_with_no_item_yet(
    office,
    shanghai,
    client,
    texts,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    """提出人名册: a deputy who has filed nothing is found by name and invited from there;
    another jurisdiction's proposers are not listed, and the page's queries do not grow."""
    newcomer = factories.proposer("文彬", phone="13912345678", jurisdiction=shanghai)
    elsewhere = factories.proposer("外地代表", jurisdiction=factories.jurisdiction("北京市"))
    for n in range(5):
        factories.proposer(f"代表{n}", phone=f"1391234000{n}", jurisdiction=shanghai)
    from portal.actions import add_contact_person
    from proposals.models import Proposer

    group = factories.proposer("民盟上海市委", kind=Proposer.Kind.PARTY, jurisdiction=shanghai)
    add_contact_person(group, office, name="李联络", mobile="13900001111")
    client.force_login(office)
    with django_assert_max_num_queries(13):  # whatever the number of proposers
        page = client.get(reverse("portal-proposers")).content.decode()
    assert "文彬" in page and "未邀请" in page and elsewhere.name not in page
    assert "李联络 13900001111" in page  # a group's named contact, as on the item page
    page = client.get(reverse("portal-proposers"), {"q": "文"}).content.decode()
    assert reverse("portal-invite", args=[newcomer.pk]) in page and "代表0" not in page
    next_page = reverse("portal-proposers") + f"#proposer-{newcomer.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("portal-invite", args=[newcomer.pk]), {"channel": "sms", "next": next_page}
        )
    assert answer.url == next_page
    page = client.get(reverse("portal-proposers"), {"q": "文彬"}).content.decode()
    assert "已邀请，尚未登录" in page
    assert texts[-1][0] == "13912345678" and "/me/welcome/" in texts[-1][1]


def test_my_items_stop_asking_for_an_opinion_once_given(world, person, cosigner, client):
    """The joint item is 已答复 until both have rated: the one who has is told their opinion
    arrived, the other is still asked for theirs."""
    from responses.actions import record_feedback

    record_feedback(world["reply"], person, handling="satisfied", result="basic")
    as_proposer(client, person)
    page = client.get(reverse("portal-home")).content.decode()
    assert "已答复，您的意见已收到" in page and "请提出您的意见" not in page
    item = client.get(reverse("portal-item", args=[world["item"].pk])).content.decode()
    assert "已答复，您的意见已收到" in item
    as_proposer(client, cosigner)
    assert "已答复，请提出您的意见" in client.get(reverse("portal-home")).content.decode()


def test_an_english_page_names_the_item_in_english(world, person, client):
    """Around the data the page is English: the item's reference too (the letter stays
    Chinese)."""
    as_proposer(client, person)
    client.cookies["django_language"] = "en"
    item = world["item"]
    with translation.override("en"):
        shown = item.shown_reference
        for url in (
            reverse("portal-home"),
            reverse("portal-item", args=[item.pk]),
            reverse("portal-reply", args=[world["reply"].pk]),
        ):
            assert shown in client.get(url).content.decode(), url
    assert ", proposal No." in shown
