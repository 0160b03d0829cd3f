"""Changes through the API go through the same verbs as the pages: the office registers,
files and assigns, the unit accepts; a refusal is a 409 and changes nothing."""

import pytest
from rest_framework.test import APIClient

from proposals.models import Proposal
from tests import factories
from workflow.actions import assign_proposal
from workflow.models import Assignment, TransitionLog

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_register_file_assign_and_accept(office, kewei, clerk):
    session = factories.session()
    created = api(office).post(
        "/api/proposals/",
        {
            "session": session.pk,
            "kind": "proposal",
            "number": "A2001",
            "title": "关于加强干细胞临床研究监管的提案",
            "proposers": "章毅、张远波",
            "proposer_kind": "member",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["proposers"] == ["章毅", "张远波"]
    assert Proposal.objects.get(pk=pk).channel == "api"  # how it came in, for the intake list
    assert api(office).post(f"/api/proposals/{pk}/review/").json()["state"] == "in_review"
    assert api(office).post(f"/api/proposals/{pk}/file/").json()["state"] == "filed"
    assigned = api(office).post(f"/api/proposals/{pk}/assign/", {"lead": kewei.pk}, format="json")
    assert assigned.json()["state"] == "assigned"
    (assignment,) = assigned.json()["assignments"]
    accepted = api(clerk).post(f"/api/assignments/{assignment['id']}/accept/")
    assert accepted.json()["state"] == "accepted"
    transitions = list(
        TransitionLog.objects.filter(proposal_id=pk).values_list("transition", flat=True)
    )
    assert {"receive", "start_review", "file", "accept"} <= set(transitions)


def test_a_refusal_is_a_conflict_and_changes_nothing(office, kewei):
    item = factories.filed(office, number="D77")
    response = api(office).post(
        "/api/proposals/",
        {
            "session": item.session_id,
            "kind": "proposal",
            "number": "D77",
            "title": "重复案号",
            "proposers": "章毅",
            "proposer_kind": "member",
        },
        format="json",
    )
    assert response.status_code == 409 and "案号不能重复" in response.json()["detail"]
    assert Proposal.objects.filter(number="D77").count() == 1


def test_a_unit_cannot_assign_or_accept_for_another_unit(office, kewei, clerk):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    item = factories.filed(office)
    assert api(clerk).post(f"/api/proposals/{item.pk}/assign/", {"lead": kewei.pk}).status_code in (
        403,
        404,
    )
    assert api(clerk).post("/api/proposals/", {}, format="json").status_code in (400, 403)
    (elsewhere,) = assign_proposal(item, office, lead=other)
    assert api(clerk).post(f"/api/assignments/{elsewhere.pk}/accept/").status_code == 404
    assert Assignment.objects.get(pk=elsewhere.pk).state == "pending"
