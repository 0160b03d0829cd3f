"""The office's side of online filing: the intake list shows how each item came in (and
filters by it); the item page of an item filed online says so, lists what the proposer
filed with it, and offers 退回修改 exactly when the verb accepts it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from proposals.models import Proposal, ProposalState, Proposer, Session
from tests import factories
from tests.workflow.test_intake_next_step import review_options
from workflow import actions
from workflow.models import FilingDraftState

pytestmark = pytest.mark.django_db


def filed_online(where, body=Session.Body.NPC, units=(), attach=False):
    session = factories.session(where, body=body)
    Session.objects.filter(pk=session.pk).update(
        filing_opens_on=timezone.localdate() - timedelta(days=1)
    )
    session.refresh_from_db()
    kind = Proposer.Kind.DEPUTY if body == Session.Body.NPC else Proposer.Kind.MEMBER
    lead = factories.proposer("文彬", kind=kind, jurisdiction=where, user=factories.user())
    draft = actions.start_draft(
        lead.user, session=session, lead=lead, title="关于延伸地铁十八号线的建议", units=units
    )
    if attach:
        upload = SimpleUploadedFile("线路图.pdf", b"%PDF-1.7\n%%EOF\n")
        actions.attach_to_draft(draft, lead.user, upload)
    return actions.submit_draft(draft, lead.user)


@pytest.fixture
def signed_in(client, office):
    client.force_login(office)
    return client


def test_the_intake_list_shows_and_filters_the_channel(signed_in, office, shanghai):
    online = filed_online(shanghai).proposal
    paper = factories.proposal(office, title="关于纸质来件的提案")
    page = signed_in.get("/office/proposals/").content.decode()
    assert "线上提交" in page and "纸质" in page
    page = signed_in.get("/office/proposals/?channel=online").content.decode()
    assert online.title in page and paper.title not in page


def test_the_item_page_offers_return_for_an_online_suggestion(signed_in, shanghai, kewei):
    draft = filed_online(shanghai, units=[kewei], attach=True)
    page = signed_in.get(f"/items/{draft.proposal_id}/").content.decode()
    assert [value for value, _label in review_options(page)] == ["file", "return"]
    assert "线上提交" in page and kewei.name in page and "线路图.pdf" in page

    signed_in.post(
        f"/office/proposals/{draft.proposal_id}/review",
        {"verb": "return", "reason": "请写明延伸的站点"},
    )
    draft.refresh_from_db()
    assert draft.proposal.state == ProposalState.RETURNED
    assert draft.state == FilingDraftState.RETURNED
    page = signed_in.get(f"/items/{draft.proposal_id}/").content.decode()
    assert "请写明延伸的站点" in page
    assert 'name="verb"' not in page  # returned: the proposer's turn, nothing for the office


def test_a_paper_suggestion_is_not_offered_return(signed_in, office):
    item = factories.proposal(office, kind=Proposal.Kind.SUGGESTION)
    page = signed_in.get(f"/items/{item.pk}/").content.decode()
    assert [value for value, _label in review_options(page)] == ["file"]


def test_a_return_without_comments_is_refused_on_the_page(signed_in, shanghai):
    draft = filed_online(shanghai)
    signed_in.post(f"/office/proposals/{draft.proposal_id}/review", {"verb": "return"})
    draft.refresh_from_db()
    assert draft.state == FilingDraftState.SUBMITTED


def test_the_files_filed_online_reach_their_office_only(signed_in, client, shanghai):
    draft = filed_online(shanghai, attach=True)
    attachment = draft.attachments.get()
    response = signed_in.get(f"/office/filing/attachments/{attachment.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.logout()
    client.force_login(factories.office_user(factories.jurisdiction("山东省", "province")))
    assert client.get(f"/office/filing/attachments/{attachment.pk}").status_code == 404


def test_the_office_sets_the_filing_window_in_the_admin(client, shanghai):
    office = factories.office_user(shanghai)
    office.is_staff = True
    office.save(update_fields=["is_staff"])
    session = factories.session(shanghai)
    client.force_login(office)
    page = client.get(f"/admin/proposals/session/{session.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "网上提交开始日期" in text and "闭会期间可提交" in text
