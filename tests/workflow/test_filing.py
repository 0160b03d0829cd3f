"""网上提交 through its verbs: the session's window (and 闭会期间), the co-signers' answers in
time, the item received with its channel and its proposers in order, the office's return
and the lead's resubmission, the audit rows and who may do what."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from proposals.models import Channel, Proposal, ProposalState, Proposer, Session
from tests import factories
from workflow import actions, selectors
from workflow.actions.filing import next_online_number
from workflow.audit import ActionRefused
from workflow.models import (
    CoSignature,
    CoSignatureState,
    FilingDraft,
    FilingDraftState,
    Notification,
    TransitionLog,
)
from workflow.notices import Event
from workflow.tasks import close_cosigning

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_chinese():
    """The refusals are matched in the site's language, whatever a test before left active."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


TODAY = timezone.localdate()


def open_session(where, body=Session.Body.CPPCC, **window):
    session = factories.session(where, body=body)
    window = window or {"filing_opens_on": TODAY - timedelta(days=5)}
    Session.objects.filter(pk=session.pk).update(**window)
    session.refresh_from_db()
    return session


def member(name, where, kind=Proposer.Kind.MEMBER):
    """A proposer of `where` with an account of their own."""
    account = factories.user(name=name)
    return factories.proposer(name, kind=kind, jurisdiction=where, user=account)


@pytest.fixture
def session(shanghai):
    return open_session(shanghai)


@pytest.fixture
def lead(shanghai):
    return member("章毅", shanghai)


@pytest.fixture
def cosigners(shanghai):
    return [member("张远波", shanghai), member("朱军红", shanghai)]


def drafted(session, lead, **kw):
    return actions.start_draft(
        lead.user, session=session, lead=lead, title="关于扶持干细胞治疗产业发展的提案", **kw
    )


# ---- the window ------------------------------------------------------------------------------
def test_a_session_accepts_filing_only_within_its_window(shanghai):
    session = open_session(
        shanghai,
        filing_opens_on=TODAY - timedelta(days=3),
        filing_closes_on=TODAY + timedelta(days=3),
    )
    assert session.accepts_filing(TODAY)
    assert not session.accepts_filing(TODAY - timedelta(days=4))
    assert not session.accepts_filing(TODAY + timedelta(days=4))


def test_a_session_without_dates_takes_no_online_filing(shanghai, lead):
    session = factories.session(shanghai)
    assert not session.accepts_filing(TODAY)
    with pytest.raises(ActionRefused, match="未开放网上提交"):
        drafted(session, lead)


def test_recess_filing_goes_on_after_the_window_until_the_next_meeting_opens(shanghai):
    closed = {"filing_opens_on": date(2024, 1, 10), "filing_closes_on": date(2024, 1, 25)}
    session = open_session(shanghai, **closed, recess_filing=True)
    assert session.accepts_filing(date(2024, 6, 1))
    assert Session.objects.in_recess(date(2024, 6, 1)).filter(pk=session.pk).exists()
    nxt = factories.session(shanghai, meeting=3, year=2025)
    Session.objects.filter(pk=nxt.pk).update(filing_opens_on=date(2025, 1, 5))
    assert session.accepts_filing(date(2024, 12, 31))
    assert not session.accepts_filing(date(2025, 1, 6))
    assert nxt.accepts_filing(date(2025, 1, 6))


def test_without_recess_filing_the_window_closes_for_good(shanghai):
    session = open_session(
        shanghai, filing_opens_on=date(2024, 1, 10), filing_closes_on=date(2024, 1, 25)
    )
    assert not session.accepts_filing(date(2024, 6, 1))


def test_submission_after_the_window_closed_is_refused(session, lead):
    draft = drafted(session, lead)
    Session.objects.filter(pk=session.pk).update(
        filing_opens_on=TODAY - timedelta(days=9), filing_closes_on=TODAY - timedelta(days=1)
    )
    with pytest.raises(ActionRefused, match="未开放网上提交"):
        actions.submit_draft(draft, lead.user)
    assert not Proposal.objects.exists()


# ---- drafts ------------------------------------------------------------------------------------
def test_the_kind_follows_the_sessions_body(shanghai):
    npc = open_session(shanghai, body=Session.Body.NPC)
    deputy = member("文彬", shanghai, kind=Proposer.Kind.DEPUTY)
    draft = actions.start_draft(deputy.user, session=npc, lead=deputy, title="关于地铁延伸的建议")
    actions.submit_draft(draft, deputy.user)
    draft.refresh_from_db()
    assert draft.proposal.kind == Proposal.Kind.SUGGESTION


def test_a_member_cannot_file_in_a_peoples_congress(shanghai, lead):
    npc = open_session(shanghai, body=Session.Body.NPC)
    with pytest.raises(ActionRefused):
        actions.start_draft(lead.user, session=npc, lead=lead, title="关于地铁延伸的建议")


def test_suggested_units_must_be_the_jurisdictions_own(session, lead, kewei):
    elsewhere = factories.unit("山东省科学技术厅", factories.jurisdiction("山东省", "province"))
    with pytest.raises(ActionRefused, match="建议承办单位"):
        drafted(session, lead, units=[elsewhere])
    draft = drafted(session, lead, units=[kewei])
    assert list(draft.suggested_units.all()) == [kewei]


def test_attachments_are_checked_as_letters_are(session, lead):
    draft = drafted(session, lead)
    with pytest.raises(ActionRefused, match="只能上传"):
        actions.attach_to_draft(draft, lead.user, SimpleUploadedFile("x.pdf", b"<html>"))
    attachment = actions.attach_to_draft(
        draft, lead.user, SimpleUploadedFile("调研报告.html", b"%PDF-1.7\n%%EOF\n")
    )
    assert (attachment.kind, attachment.name) == ("pdf", "调研报告.pdf")


def test_only_the_lead_edits_the_draft(session, lead, cosigners, office):
    draft = drafted(session, lead)
    for someone in (cosigners[0].user, office):
        with pytest.raises(PermissionDenied):
            actions.edit_draft(draft, someone, title="别的案由")
    with pytest.raises(PermissionDenied):
        actions.start_draft(office, session=session, lead=lead, title="冒名")
    actions.edit_draft(draft, lead.user, title="关于扶持干细胞产业的提案", body="正文")
    draft.refresh_from_db()
    assert draft.title == "关于扶持干细胞产业的提案"


# ---- co-signers --------------------------------------------------------------------------------
def test_invited_cosigners_are_told_and_the_text_is_fixed(session, lead, cosigners):
    draft = actions.ask_cosigners(drafted(session, lead), lead.user, cosigners)
    assert draft.state == FilingDraftState.AWAITING_COSIGNERS
    told = Notification.objects.filter(event=Event.COSIGN_INVITED)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        p.user_id for p in cosigners
    )
    with pytest.raises(ActionRefused, match="不能再修改"):
        actions.edit_draft(draft, lead.user, title="改过的案由")


def test_cosigners_must_be_of_the_same_jurisdiction_and_body(session, lead, shanghai):
    stranger = member("李四", factories.jurisdiction("山东省", "province"))
    deputy = member("文彬", shanghai, kind=Proposer.Kind.DEPUTY)
    draft = drafted(session, lead)
    for person in (stranger, deputy, lead):
        with pytest.raises(ActionRefused):
            actions.ask_cosigners(draft, lead.user, [person])


def test_submitted_with_only_the_confirmed_in_order_the_lead_first(session, lead, shanghai):
    first, second, third = (member(n, shanghai) for n in ("张远波", "朱军红", "王五"))
    draft = actions.ask_cosigners(drafted(session, lead), lead.user, [first, second, third])
    rows = {row.proposer_id: row for row in draft.cosignatures.all()}
    actions.answer_cosignature(rows[third.pk], third.user, confirm=True)
    actions.answer_cosignature(rows[second.pk], second.user, confirm=False)
    actions.answer_cosignature(rows[first.pk], first.user, confirm=True)
    told = Notification.objects.get(event=Event.COSIGNS_ANSWERED)
    assert told.recipient_id == lead.user_id and "2位确认" in told.body
    draft = actions.submit_draft(draft, lead.user)
    names = [s.proposer.name for s in draft.proposal.signatories.select_related("proposer")]
    assert names == ["章毅", "张远波", "王五"]


def test_an_expired_invitation_counts_as_declined(session, lead, cosigners):
    draft = actions.ask_cosigners(drafted(session, lead), lead.user, cosigners)
    late = draft.cosignatures.get(proposer=cosigners[0])
    CoSignature.objects.filter(pk=late.pk).update(answer_by=timezone.now() - timedelta(hours=1))
    with pytest.raises(ActionRefused, match="已过确认截止时间"):
        actions.answer_cosignature(late, cosigners[0].user, confirm=True)
    on_time = draft.cosignatures.get(proposer=cosigners[1])
    actions.answer_cosignature(on_time, cosigners[1].user, confirm=True)
    # the last open invitation answered: the lead hears, though one expired unanswered
    assert Notification.objects.filter(event=Event.COSIGNS_ANSWERED).exists()
    draft = actions.submit_draft(draft, lead.user)
    assert [s.proposer for s in draft.proposal.signatories.all()] == [lead, cosigners[1]]
    late.refresh_from_db()
    assert late.state == CoSignatureState.LAPSED


def test_only_the_invited_answer(session, lead, cosigners, shanghai, office):
    draft = actions.ask_cosigners(drafted(session, lead), lead.user, cosigners[:1])
    row = draft.cosignatures.get()
    for someone in (member("王五", shanghai).user, lead.user, office):
        with pytest.raises(PermissionDenied):
            actions.answer_cosignature(row, someone, confirm=True)


def test_submission_closes_unanswered_invitations(session, lead, cosigners):
    draft = actions.ask_cosigners(drafted(session, lead), lead.user, cosigners)
    draft = actions.submit_draft(draft, lead.user)
    assert list(draft.proposal.proposers.all()) == [lead]
    assert set(draft.cosignatures.values_list("state", flat=True)) == {CoSignatureState.LAPSED}
    with pytest.raises(ActionRefused):
        actions.answer_cosignature(draft.cosignatures.first(), cosigners[0].user, confirm=True)


def test_withdrawn_drafts_file_nothing(session, lead, cosigners):
    draft = actions.ask_cosigners(drafted(session, lead), lead.user, cosigners)
    draft = actions.withdraw_draft(draft, lead.user)
    assert draft.state == FilingDraftState.WITHDRAWN
    with pytest.raises(ActionRefused):
        actions.submit_draft(draft, lead.user)
    assert not Proposal.objects.exists()


# ---- submission, return, resubmission ----------------------------------------------------------
def test_submission_creates_a_received_item_filed_online(session, lead, office):
    factories.proposal(office, sess=session, number="0345")
    draft = actions.submit_draft(drafted(session, lead, body="正文"), lead.user)
    item = draft.proposal
    assert (item.state, item.channel, item.number) == (ProposalState.RECEIVED, "online", "0346")
    assert item.kind == Proposal.Kind.PROPOSAL and item.body == "正文"
    assert draft.state == FilingDraftState.SUBMITTED
    assert Notification.objects.filter(event=Event.FILED_ONLINE, recipient=office).exists()
    logged = TransitionLog.objects.filter(proposal=item).values_list("transition", flat=True)
    assert "receive" in logged and "submit" in logged


def test_numbers_count_on_from_the_sessions_highest(session, office):
    assert next_online_number(session) == "1"
    factories.proposal(office, sess=session, number="9")
    factories.proposal(office, sess=session, number="临1")
    assert next_online_number(session) == "10"


def test_the_office_returns_and_the_lead_resubmits_the_same_item(session, lead, office):
    draft = actions.submit_draft(drafted(session, lead), lead.user)
    item = actions.return_proposal(draft.proposal, office, "请补充调研数据")
    assert item.state == ProposalState.RETURNED
    draft.refresh_from_db()
    assert (draft.state, draft.return_comment) == (FilingDraftState.RETURNED, "请补充调研数据")
    told = Notification.objects.get(event=Event.FILING_RETURNED)
    assert told.recipient_id == lead.user_id and "请补充调研数据" in told.body
    # the office cannot take it back into review itself: the proposer revises it
    with pytest.raises(ActionRefused):
        actions.start_review(item, office)
    actions.edit_draft(draft, lead.user, title="关于扶持干细胞治疗产业的提案（修改稿）")
    draft = actions.resubmit_draft(draft, lead.user)
    item.refresh_from_db()
    assert draft.state == FilingDraftState.RESUBMITTED
    assert (item.pk, item.state) == (draft.proposal_id, ProposalState.RECEIVED)
    assert item.title.endswith("（修改稿）") and item.title_pieces.grams.strip()
    assert Proposal.objects.count() == 1
    actions.start_review(item, office)  # and its review goes on


def test_a_suggestion_filed_online_is_returnable_from_receipt(shanghai, office):
    npc = open_session(shanghai, body=Session.Body.NPC)
    deputy = member("文彬", shanghai, kind=Proposer.Kind.DEPUTY)
    draft = actions.start_draft(deputy.user, session=npc, lead=deputy, title="关于地铁延伸的建议")
    draft = actions.submit_draft(draft, deputy.user)
    assert actions.return_proposal(draft.proposal, office, "请写明具体线路").state == "returned"


def test_a_paper_suggestion_is_not_returned_from_receipt(office):
    item = factories.proposal(office, kind=Proposal.Kind.SUGGESTION)
    assert item.channel == Channel.PAPER
    with pytest.raises(ActionRefused):
        actions.return_proposal(item, office, "请补充")


def test_only_the_office_returns_and_only_the_lead_resubmits(session, lead, cosigners, clerk):
    draft = actions.submit_draft(drafted(session, lead), lead.user)
    for someone in (lead.user, clerk):
        with pytest.raises(PermissionDenied):
            actions.return_proposal(draft.proposal, someone, "请补充")
    other_office = factories.office_user(factories.jurisdiction("山东省", "province"))
    with pytest.raises(PermissionDenied):
        actions.return_proposal(draft.proposal, other_office, "请补充")


def test_only_the_lead_resubmits(session, lead, cosigners, office):
    draft = actions.submit_draft(drafted(session, lead), lead.user)
    actions.return_proposal(draft.proposal, office, "请补充")
    for someone in (cosigners[0].user, office):
        with pytest.raises(PermissionDenied):
            actions.resubmit_draft(draft, someone)


def test_every_step_is_audited(session, lead, cosigners, office):
    draft = drafted(session, lead)
    actions.attach_to_draft(draft, lead.user, SimpleUploadedFile("a.pdf", b"%PDF-1.7\n%%EOF\n"))
    actions.ask_cosigners(draft, lead.user, cosigners)
    row = draft.cosignatures.get(proposer=cosigners[0])
    actions.answer_cosignature(row, cosigners[0].user, confirm=True)
    draft = actions.submit_draft(draft, lead.user)
    actions.return_proposal(draft.proposal, office, "请补充")
    actions.resubmit_draft(draft, lead.user)
    steps = list(
        TransitionLog.objects.filter(content_type__model="filingdraft", object_id=draft.pk)
        .order_by("seq")
        .values_list("transition", "actor_id")
    )
    assert steps == [
        ("start", lead.user_id),
        ("attach", lead.user_id),
        ("ask_cosigners", lead.user_id),
        ("submit", lead.user_id),
        ("return_for_revision", office.pk),
        ("resubmit", lead.user_id),
    ]
    answers = TransitionLog.objects.filter(content_type__model="cosignature")
    assert ("confirm", cosigners[0].user_id) in answers.values_list("transition", "actor_id")
    assert ("lapse", lead.user_id) in answers.values_list("transition", "actor_id")
    item_steps = TransitionLog.objects.filter(
        content_type__model="proposal", object_id=draft.proposal_id
    ).values_list("transition", flat=True)
    assert list(item_steps) == ["receive", "return_for_revision", "resubmit"]


# ---- what the proposers' pages read ------------------------------------------------------------
def test_the_sessions_open_to_a_proposer_are_their_bodys_and_jurisdictions(shanghai, lead):
    cppcc = open_session(shanghai)
    open_session(shanghai, body=Session.Body.NPC)
    open_session(factories.jurisdiction("山东省", "province"))
    assert list(selectors.sessions_open_to(lead)) == [cppcc]


def test_cosigner_candidates_are_those_ask_cosigners_accepts(session, lead, cosigners, shanghai):
    member("文彬", shanghai, kind=Proposer.Kind.DEPUTY)
    member("李四", factories.jurisdiction("山东省", "province"))
    draft = drafted(session, lead)
    candidates = list(selectors.cosigner_candidates(draft))
    assert sorted(p.name for p in candidates) == ["张远波", "朱军红"]
    actions.ask_cosigners(draft, lead.user, candidates)


def test_a_cosigner_sees_the_invitations_waiting_for_them(session, lead, cosigners):
    draft = actions.ask_cosigners(drafted(session, lead), lead.user, cosigners)
    waiting = selectors.invitations_for(cosigners[0].user)
    assert [row.draft for row in waiting] == [draft]
    assert FilingDraft.objects.seen_by(cosigners[0].user).get() == draft
    actions.answer_cosignature(waiting[0], cosigners[0].user, confirm=False)
    assert not selectors.invitations_for(cosigners[0].user).exists()
    assert not FilingDraft.objects.seen_by(factories.user()).exists()


def test_beats_sweep_closes_expired_invitations_and_tells_the_lead(session, lead, cosigners):
    draft = actions.ask_cosigners(drafted(session, lead), lead.user, cosigners)
    first, second = draft.cosignatures.order_by("position")
    actions.answer_cosignature(first, cosigners[0].user, confirm=True)
    assert not Notification.objects.filter(event=Event.COSIGNS_ANSWERED).exists()
    CoSignature.objects.filter(pk=second.pk).update(answer_by=timezone.now() - timedelta(hours=1))
    assert close_cosigning() == 1
    second.refresh_from_db()
    assert second.state == CoSignatureState.LAPSED
    told = Notification.objects.get(event=Event.COSIGNS_ANSWERED)
    assert told.recipient_id == lead.user_id and "1位确认" in told.body
    assert close_cosigning() == 0  # nothing left, and the lead is not told twice
    assert Notification.objects.filter(event=Event.COSIGNS_ANSWERED).count() == 1
