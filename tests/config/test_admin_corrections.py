"""The office corrects a registered item in the admin only until 交办, through the same verb
the pages would use: the search follows the new title and the item's history says what changed.
After 交办 the item is the record units work from and replies quote: nothing in it changes."""

import pytest

from proposals.models import Proposal, TitlePieces
from tests import factories
from workflow.actions import ActionRefused, assign_proposal, correct_proposal
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def change_form(item, **values):
    data = {
        "title": item.title,
        "body": item.body,
        "topic": item.topic,
        "supervising_leader": item.supervising_leader,
        "received_at_0": item.received_at.strftime("%Y-%m-%d"),
        "received_at_1": item.received_at.strftime("%H:%M:%S"),
        "signatories-TOTAL_FORMS": "0",
        "signatories-INITIAL_FORMS": "0",
    }
    return data | values


def test_a_filed_item_is_corrected_through_the_verb(client, office):
    item = factories.filed(office, title="关于加快干细胞治疗产业发展的提案")
    client.force_login(office)
    response = client.post(
        f"/admin/proposals/proposal/{item.pk}/change/",
        change_form(item, title="关于加快人工智能产业发展的提案"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "关于加快人工智能产业发展的提案"
    assert "人工" in TitlePieces.objects.get(proposal=item).grams
    assert "干细" not in TitlePieces.objects.get(proposal=item).grams
    entry = TransitionLog.objects.get(proposal_id=item.pk, transition="correct")
    assert "干细胞" in entry.comment and "人工智能" in entry.comment and entry.actor == office


def test_an_assigned_item_cannot_be_rewritten_in_the_admin(client, office, kewei):
    item = factories.filed(office)
    assign_proposal(item, office, lead=kewei)
    client.force_login(office)
    client.post(
        f"/admin/proposals/proposal/{item.pk}/change/",
        change_form(item, title="（已篡改）关于取消扶持的提案", body="篡改的正文"),
    )
    fresh = Proposal.objects.get(pk=item.pk)
    assert fresh.title == item.title and fresh.body == item.body
    assert not TransitionLog.objects.filter(proposal_id=item.pk, transition="correct").exists()


def test_the_verb_refuses_after_assignment(office, kewei):
    item = factories.filed(office)
    assign_proposal(item, office, lead=kewei)
    with pytest.raises(ActionRefused):
        correct_proposal(item, office, title="关于别的事项的提案")
