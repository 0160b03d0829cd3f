"""网上提交 on the proposer's pages: the lead drafts in a session open to them (or is told
when the next window opens), sees similar earlier items while typing the title, asks
co-signers, and submits with the confirmed names, lead first; a co-signer confirms from the
home page; a returned item is revised and resubmitted. Another proposer's draft is not
there (404), staff never use these pages, and a group's named contact acts for the group."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from portal.actions import add_contact_person
from proposals.models import Channel, Proposer, Session
from tests import factories
from workflow import actions
from workflow.models import CoSignatureState, FilingDraft, FilingDraftState, TransitionLog

from .helpers import as_proposer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def in_chinese():
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def session(shanghai):
    session = factories.session(shanghai)
    Session.objects.filter(pk=session.pk).update(filing_opens_on=TODAY - timedelta(days=3))
    session.refresh_from_db()
    return session


def draft_of(lead, session, title="关于加快建设社区养老服务中心的提案", **extra):
    user = lead.user or as_account(lead)
    return actions.start_draft(user, session=session, lead=lead, title=title, **extra)


def as_account(proposer):
    from portal.actions.accounts import account_for
    from portal.selectors import Signer

    account_for(Signer(proposer))
    proposer.refresh_from_db()
    return proposer.user


def test_new_draft_in_an_open_session(client, person, session, kewei):
    as_proposer(client, person)
    page = client.get(reverse("portal-drafts")).content.decode()
    assert "新建提案/建议" in page and str(session) in page
    response = client.post(
        reverse("portal-new-draft"),
        {
            "session": session.pk,
            "title": "关于加快建设社区养老服务中心的提案",
            "body": "建议如下。",
            "units": [kewei.pk],
        },
    )
    draft = FilingDraft.objects.get()
    assert response.url == reverse("portal-draft", args=[draft.pk])
    assert draft.lead == person and list(draft.suggested_units.all()) == [kewei]
    page = client.get(reverse("portal-drafts")).content.decode()
    assert draft.title in page and "起草中" in page


def test_no_session_open_says_when_the_next_window_opens(client, person, shanghai):
    later = factories.session(shanghai, meeting=3, year=2025)
    opens = TODAY + timedelta(days=20)
    Session.objects.filter(pk=later.pk).update(filing_opens_on=opens)
    as_proposer(client, person)
    for name in ("portal-drafts", "portal-new-draft"):
        page = client.get(reverse(name)).content.decode()
        assert "目前没有可以网上提交的会议" in page and "新建提案/建议" not in page
        assert str(later) in page and "开始接受网上提交" in page


def test_a_deputy_is_not_offered_a_cppcc_session(client, shanghai, session):
    deputy = factories.proposer("李明", kind=Proposer.Kind.DEPUTY, jurisdiction=shanghai)
    as_proposer(client, deputy)
    page = client.get(reverse("portal-drafts")).content.decode()
    assert "目前没有可以网上提交的会议" in page


def test_an_empty_title_is_refused_with_what_was_typed_kept(client, person, session):
    draft = draft_of(person, session)
    as_proposer(client, person)
    url = reverse("portal-draft", args=[draft.pk])
    page = client.post(url, {"title": " ", "body": "新的正文"}).content.decode()
    assert "新的正文" in page
    draft.refresh_from_db()
    assert draft.body == ""


def test_the_editor_saves_and_attaches_through_the_verbs(client, person, session):
    draft = draft_of(person, session)
    as_proposer(client, person)
    url = reverse("portal-draft", args=[draft.pk])
    client.post(url, {"title": "关于社区养老的提案", "body": "第二稿"})
    draft.refresh_from_db()
    assert (draft.title, draft.body) == ("关于社区养老的提案", "第二稿")
    upload = SimpleUploadedFile("调研报告.pdf", b"%PDF-1.7\n%%EOF\n")
    client.post(reverse("portal-draft-attach", args=[draft.pk]), {"file": upload})
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00")
    response = client.post(reverse("portal-draft-attach", args=[draft.pk]), {"file": bad})
    page = client.get(response.url).content.decode()
    assert "调研报告.pdf" in page and draft.attachments.count() == 1
    attachment = draft.attachments.get()
    got = client.get(reverse("portal-draft-attachment", args=[draft.pk, attachment.pk]))
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"


def test_similar_earlier_items_while_typing_the_title(
    client, person, session, office, clerk, leader, kewei
):
    from responses.actions import publish_letter

    reply = factories.sent_reply(
        office, clerk, leader, kewei, title="关于加快建设社区养老服务中心的提案"
    )
    publish_letter(reply, clerk)
    as_proposer(client, person)
    url = reverse("portal-similar") + "?title=社区养老服务中心建设"
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "相似的往年件" in partial and reply.title in partial and "<html" not in partial
    assert reverse("public-reply", args=[reply.pk]) in partial
    page = client.get(url).content.decode()  # the real href: a page of its own
    assert "<html" in page and reply.title in page
    new = client.get(reverse("portal-new-draft")).content.decode()
    assert 'hx-get="/me/drafts/similar/"' in new and "delay:600ms" in new


@pytest.fixture
def cosigner_account(cosigner):
    as_account(cosigner)
    return cosigner


def test_co_signers_asked_in_order_confirm_and_the_item_is_submitted_lead_first(
    client, person, cosigner_account, shanghai, session
):
    third = factories.proposer("张远波", jurisdiction=shanghai)
    draft = draft_of(person, session)
    as_proposer(client, person)
    url = reverse("portal-draft-cosigners", args=[draft.pk])
    page = client.get(f"{url}?pick={third.pk}&pick={cosigner_account.pk}").content.decode()
    assert page.index("张远波") < page.index("章毅")  # in the order picked
    assert OTHER_MOBILE not in page  # no contact details of other proposers
    client.post(url, {"cosigners": [third.pk, cosigner_account.pk], "days": 5})
    draft.refresh_from_db()
    assert draft.state == FilingDraftState.AWAITING_COSIGNERS
    assert [c.proposer for c in draft.cosignatures.all()] == [third, cosigner_account]

    client.logout()
    as_proposer(client, cosigner_account)
    home = client.get(reverse("portal-home")).content.decode()
    assert "待我确认的联名" in home and draft.title in home
    page = client.get(reverse("portal-draft", args=[draft.pk])).content.decode()
    assert "确认联名" in page and 'name="title"' not in page  # reads, never edits
    client.post(reverse("portal-draft-answer", args=[draft.pk]), {"answer": "confirm"})
    assert draft.cosignatures.get(proposer=cosigner_account).state == CoSignatureState.CONFIRMED
    assert client.post(reverse("portal-draft-submit", args=[draft.pk])).status_code == 403

    client.logout()
    as_proposer(client, person)
    page = client.get(reverse("portal-draft", args=[draft.pk])).content.decode()
    assert "已确认" in page and "待确认" in page and "还有1位联名人未答复" in page
    client.post(reverse("portal-draft-submit", args=[draft.pk]))
    draft.refresh_from_db()
    item = draft.proposal
    assert item.channel == Channel.ONLINE
    assert [s.proposer for s in item.signatories.order_by("position")] == [
        person,
        cosigner_account,
    ]
    home = client.get(reverse("portal-home")).content.decode()
    assert item.title in home and "已收到" in home


OTHER_MOBILE = "13987654321"


def test_a_co_signer_declines(client, person, cosigner_account, session):
    draft = draft_of(person, session)
    actions.ask_cosigners(draft, person.user, [cosigner_account])
    as_proposer(client, cosigner_account)
    client.post(reverse("portal-draft-answer", args=[draft.pk]), {"answer": "decline"})
    assert draft.cosignatures.get().state == CoSignatureState.DECLINED
    page = client.get(reverse("portal-draft", args=[draft.pk])).content.decode()
    assert "已谢绝" in page and "确认联名" not in page


def test_the_lead_withdraws(client, person, session):
    draft = draft_of(person, session)
    as_proposer(client, person)
    client.post(reverse("portal-draft-withdraw", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == FilingDraftState.WITHDRAWN


def test_returned_the_lead_sees_the_comments_edits_and_resubmits(client, person, session, office):
    draft = actions.submit_draft(draft_of(person, session), person.user)
    actions.return_proposal(draft.proposal, office, reason="请补充调研数据")
    as_proposer(client, person)
    url = reverse("portal-draft", args=[draft.pk])
    item = client.get(reverse("portal-item", args=[draft.proposal_id])).content.decode()
    assert "已退回修改" in item and "查看退回意见并修改" in item and url in item  # the way back
    page = client.get(url).content.decode()
    assert "请补充调研数据" in page and "重新提交" in page and 'name="title"' in page
    client.post(url, {"title": "关于加快建设社区养老服务中心的提案", "body": "补充了数据"})
    client.post(reverse("portal-draft-resubmit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == FilingDraftState.RESUBMITTED
    assert draft.proposal.body == "补充了数据"


def test_another_proposers_draft_is_not_there(client, person, cosigner, session):
    draft = draft_of(person, session)
    upload = SimpleUploadedFile("调研报告.pdf", b"%PDF-1.7\n%%EOF\n")
    attachment = actions.attach_to_draft(draft, person.user, upload)
    as_proposer(client, cosigner)  # not invited
    for url in (
        reverse("portal-draft", args=[draft.pk]),
        reverse("portal-draft-cosigners", args=[draft.pk]),
        reverse("portal-draft-attachment", args=[draft.pk, attachment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for name in ("portal-draft-submit", "portal-draft-withdraw", "portal-draft-answer"):
        assert client.post(reverse(name, args=[draft.pk])).status_code == 404, name
    assert FilingDraft.objects.get().state == FilingDraftState.DRAFTING


@pytest.mark.parametrize(
    "name", ["portal-drafts", "portal-new-draft", "portal-similar", "portal-draft"]
)
def test_staff_never_use_the_filing_pages(client, office, person, session, name):
    draft = draft_of(person, session)
    client.force_login(office)
    args = [draft.pk] if name == "portal-draft" else []
    assert client.get(reverse(name, args=args)).status_code == 403


def test_a_groups_named_contact_acts_for_the_group(client, office, shanghai, session, cosigner):
    group = factories.proposer("民盟上海市委", kind=Proposer.Kind.PARTY, jurisdiction=shanghai)
    contact = add_contact_person(group, office, name="周敏", mobile="13700001111")
    as_proposer(client, group, contact)
    client.post(
        reverse("portal-new-draft"),
        {"session": session.pk, "title": "关于加强中小学心理健康教育的提案"},
    )
    draft = FilingDraft.objects.get()
    assert draft.lead == group
    client.post(reverse("portal-draft-submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == FilingDraftState.SUBMITTED
    assert TransitionLog.objects.filter(transition="submit", actor=contact.user).exists()
    # and as an invited co-signer, the group's contact answers for it
    other = draft_of(cosigner, session, title="关于优化公交线网的提案")
    actions.ask_cosigners(other, cosigner.user, [group])
    home = client.get(reverse("portal-home")).content.decode()
    assert "关于优化公交线网的提案" in home
    client.post(reverse("portal-draft-answer", args=[other.pk]), {"answer": "confirm"})
    assert other.cosignatures.get().state == CoSignatureState.CONFIRMED


def test_the_draft_list_and_editor_issue_a_fixed_number_of_queries(
    client, person, session, django_assert_max_num_queries, kewei
):
    for n in range(3):
        draft = draft_of(person, session, title=f"关于第{n}件事的提案", units=[kewei])
        actions.attach_to_draft(
            draft, person.user, SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n")
        )
    as_proposer(client, person)
    factories.just_active(client)
    for url, most in (
        (reverse("portal-drafts"), 8),
        (reverse("portal-draft", args=[draft.pk]), 11),  # the similar-case check included
        (reverse("portal-home"), 7),
    ):
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200


def test_the_one_rule_of_who_acts_for_a_proposer(office, shanghai, person, session):
    """Proposer.acted_for_by: the proposer's own account, or a named contact's of the group;
    the filing verbs' permissions (by_its_lead, by_the_invited) ask it and nothing else."""
    from workflow.models.filing import by_its_lead, by_the_invited

    group = factories.proposer("九三学社上海市委", kind=Proposer.Kind.PARTY, jurisdiction=shanghai)
    other = factories.proposer("民进上海市委", kind=Proposer.Kind.PARTY, jurisdiction=shanghai)
    contact = add_contact_person(group, office, name="周敏", mobile="13700001111")
    stranger = add_contact_person(other, office, name="吴刚", mobile="13700002222")
    assert list(Proposer.objects.acted_for_by(contact.user)) == [group]
    assert group.is_acted_for_by(contact.user) and not group.is_acted_for_by(stranger.user)
    assert not group.is_acted_for_by(office)
    draft = draft_of(person, session)
    actions.ask_cosigners(draft, person.user, [group])
    invitation = draft.cosignatures.get()
    assert by_the_invited(invitation, contact.user) and not by_the_invited(
        invitation, stranger.user
    )
    assert by_its_lead(draft, person.user) and not by_its_lead(draft, contact.user)
    assert list(FilingDraft.objects.seen_by(contact.user)) == [draft]
    assert not FilingDraft.objects.seen_by(stranger.user).exists()


def test_the_filing_pages_render_in_english(client, person, cosigner_account, session):
    """The same pages with the language switched (their English comes with the catalogue)."""
    draft = draft_of(person, session)
    actions.ask_cosigners(draft, person.user, [cosigner_account])
    as_proposer(client, person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (
        reverse("portal-home"),
        reverse("portal-drafts"),
        reverse("portal-new-draft"),
        reverse("portal-draft", args=[draft.pk]),
        reverse("portal-similar") + "?title=社区养老",
    ):
        response = client.get(url)
        assert response.status_code == 200 and 'lang="en"' in response.content.decode(), url


def offered(page, pk):
    """The lead's buttons on the draft's page, by the verb each posts to."""
    found = {"edit": 'name="title"' in page, "invite": f"/me/drafts/{pk}/cosigners/" in page}
    for verb in ("submit", "resubmit", "withdraw", "attachments"):
        found[verb] = f'action="/me/drafts/{pk}/{verb}"' in page
    return {verb for verb, shown in found.items() if shown}


def test_the_lead_is_offered_what_the_verbs_accept_in_each_state(
    client, person, cosigner_account, session, office
):
    as_proposer(client, person)
    draft = draft_of(person, session)

    def page():
        return client.get(reverse("portal-draft", args=[draft.pk])).content.decode()

    assert offered(page(), draft.pk) == {"edit", "invite", "submit", "withdraw", "attachments"}
    actions.ask_cosigners(draft, person.user, [cosigner_account])
    assert offered(page(), draft.pk) == {"submit", "withdraw"}
    actions.submit_draft(draft, person.user)
    assert offered(page(), draft.pk) == set()
    draft.refresh_from_db()
    actions.return_proposal(draft.proposal, office, reason="请补充")
    assert offered(page(), draft.pk) == {"edit", "resubmit", "attachments"}
    actions.resubmit_draft(draft, person.user)
    assert offered(page(), draft.pk) == set()


def test_a_cosigner_with_no_account_yet_is_told_by_text_and_reads_it_in_notices(
    client, person, cosigner, session, texts, settings, django_capture_on_commit_callbacks
):
    """Asked to co-sign before ever signing in (no account, so no notification centre), the
    co-signer is texted where to sign in; once in, the lead's notice of their answer is read
    under 通知 and leads to the draft, and is read from then on."""
    settings.SITE_URL = "https://banli.example.org"
    draft = draft_of(person, session)
    assert cosigner.user is None
    with django_capture_on_commit_callbacks(execute=True):
        actions.ask_cosigners(draft, person.user, [cosigner])
    (told,) = [text for to, text in texts if to == cosigner.mobile]
    assert "文彬邀请您联名：关于加快建设社区养老服务中心的提案" in told
    assert "https://banli.example.org/me/sign-in/" in told
    user = as_proposer(client, cosigner)
    row = draft.cosignatures.get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.answer_cosignature(row, user, confirm=True)
    as_proposer(client, person)
    page = client.get(reverse("portal-notices")).content.decode()
    assert "联名人均已答复：关于加快建设社区养老服务中心的提案" in page and "未读" in page
    notice = person.user.notifications.get()
    opened = client.get(reverse("portal-notice", args=[notice.pk]))
    assert opened.url == reverse("portal-draft", args=[draft.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    as_proposer(client, cosigner)
    assert client.get(reverse("portal-notice", args=[notice.pk])).status_code == 404
