"""A proposer belongs to one jurisdiction. Registering an item under the name of another
jurisdiction's proposer (names are public in published replies) makes a namesake of one's own,
and never opens the other's phone, email or address to this office or its units."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from rest_framework.authtoken.models import Token

from proposals.models import Proposal, Proposer
from tests import factories
from tests.config.conftest import OTHER_ADDRESS, OTHER_PHONE
from workflow.actions import receive_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(shanghai):
    return factories.session(shanghai, term=14, meeting=3, year=2025)


def registered_item(number):
    return Proposal.objects.get(number=number)


def assert_stays_theirs(elsewhere, item):
    person = Proposer.objects.get(pk=elsewhere["person"].pk)
    assert person.phone == OTHER_PHONE and person.address == OTHER_ADDRESS
    assert person.jurisdiction_id == elsewhere["jurisdiction"].pk
    (lead,) = item.proposers.all()
    assert lead.pk != person.pk and lead.name == person.name
    assert lead.jurisdiction_id == item.session.jurisdiction_id and not lead.phone


def test_the_intake_page_makes_a_namesake(client, office, ours, elsewhere):
    client.force_login(office)
    client.post(
        "/office/proposals/new",
        {
            "kind": "proposal",
            "session": ours.pk,
            "number": "9901",
            "title": "关于借名登记的提案",
            "proposer_names": elsewhere["person"].name,
            "proposer_kind": "member",
            "action": "receive",
        },
    )
    assert_stays_theirs(elsewhere, registered_item("9901"))


def test_the_admin_add_form_makes_a_namesake_and_the_contacts_stay_closed(
    client, office, ours, elsewhere
):
    client.force_login(office)
    client.post(
        "/admin/proposals/proposal/add/",
        {
            "kind": "proposal",
            "session": ours.pk,
            "number": "9902",
            "title": "关于借名登记的提案",
            "body": "",
            "topic": "",
            "supervising_leader": "",
            "proposer_names": elsewhere["person"].name,
            "proposer_kind": "member",
            "received_at_0": "2025-01-10",
            "received_at_1": "09:00:00",
            "signatories-TOTAL_FORMS": "0",
            "signatories-INITIAL_FORMS": "0",
        },
    )
    assert_stays_theirs(elsewhere, registered_item("9902"))
    page = client.get(f"/admin/proposals/proposer/{elsewhere['person'].pk}/change/", follow=True)
    assert OTHER_PHONE not in page.content.decode()
    client.post(
        f"/admin/proposals/proposer/{elsewhere['person'].pk}/change/",
        {"name": elsewhere["person"].name, "kind": "member", "phone": "13811112222"},
    )
    assert Proposer.objects.get(pk=elsewhere["person"].pk).phone == OTHER_PHONE


def test_the_api_makes_a_namesake(client, office, ours, elsewhere):
    token = Token.objects.create(user=office)
    response = client.post(
        "/api/proposals/",
        {
            "session": ours.pk,
            "number": "9903",
            "title": "关于借名登记的提案",
            "kind": "proposal",
            "proposers": elsewhere["person"].name,
            "proposer_kind": "member",
        },
        content_type="application/json",
        headers={"Authorization": f"Token {token.key}"},
    )
    assert response.status_code == 201, response.content
    assert_stays_theirs(elsewhere, registered_item("9903"))


def test_a_proposer_of_another_jurisdiction_cannot_be_linked_by_id(office, ours, elsewhere):
    with pytest.raises(PermissionDenied):
        receive_proposal(
            office,
            session=ours,
            number="9904",
            title="关于借名登记的提案",
            kind="proposal",
            proposers=[elsewhere["person"]],
        )
    assert not Proposal.objects.filter(number="9904").exists()


def test_the_migration_splits_a_row_shared_by_two_jurisdictions(office, ours, elsewhere):
    """Before proposers had a jurisdiction, intake matched by name alone: one row could sit on
    items of two jurisdictions. The migration gives each its own; contacts stay with the
    jurisdiction of the earliest item."""
    shared = elsewhere["person"]
    Proposer.objects.filter(pk=shared.pk).update(jurisdiction=None)  # as before the field
    item = factories.proposal(office, sess=ours, number="9905", proposers=[shared])
    Proposer.objects.filter(pk=shared.pk).update(jurisdiction=None)
    module = importlib.import_module("proposals.migrations.0006_proposer_jurisdiction")
    module.split_by_jurisdiction(apps, None)
    theirs = Proposer.objects.get(pk=shared.pk)
    assert theirs.jurisdiction_id == elsewhere["jurisdiction"].pk and theirs.phone == OTHER_PHONE
    (ours_now,) = Proposal.objects.get(pk=item.pk).proposers.all()
    assert ours_now.pk != shared.pk and ours_now.jurisdiction_id == ours.jurisdiction_id
    assert not ours_now.phone and not ours_now.address
