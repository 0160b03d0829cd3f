"""Where an item stands, in a deputy's words: 不予立案 with the reason, 并案 with which item,
extensions granted and why; the signed PDF; and the pages' query counts stay constant."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests import factories
from workflow.actions import (
    decide_extension,
    merge_proposal,
    reject_proposal,
    request_extension,
    start_review,
)

from .helpers import as_proposer

pytestmark = pytest.mark.django_db


def test_not_filed_shows_the_reason(office, person, client):
    item = start_review(factories.proposal(office, proposers=[person]), office)
    reject_proposal(item, office, "属于个人诉求，建议通过信访渠道反映")
    as_proposer(client, person)
    page = client.get(reverse("portal-item", args=[item.pk])).content.decode()
    assert "不予立案" in page and "属于个人诉求，建议通过信访渠道反映" in page


def test_merged_shows_which_item(office, person, cosigner, client):
    into = factories.filed(office, proposers=[cosigner], title="关于加快科技成果转化的提案")
    item = start_review(factories.proposal(office, proposers=[person]), office)
    merge_proposal(item, office, into)
    as_proposer(client, person)
    page = client.get(reverse("portal-item", args=[item.pk])).content.decode()
    assert "已与其他提案并案办理" in page and into.reference in page


def test_an_extension_granted_shows_why(office, clerk, kewei, person, client):
    assignment = factories.accepted(office, clerk, kewei, proposers=[person])
    extension = request_extension(
        assignment, clerk, assignment.due_on + timedelta(days=20), "需等待年度预算批复"
    )
    decide_extension(extension, office, approve=True)
    as_proposer(client, person)
    page = client.get(reverse("portal-item", args=[assignment.proposal_id])).content.decode()
    assert "延期" in page and "需等待年度预算批复" in page


def test_the_signed_pdf_downloads(office, clerk, leader, kewei, person, client):
    reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[person])
    as_proposer(client, person)
    response = client.get(reverse("portal-reply-pdf", args=[reply.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response["X-Content-SHA256"]


def test_the_pages_issue_a_constant_number_of_queries(
    office, clerk, leader, kewei, person, cosigner, client, django_assert_max_num_queries
):
    reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[person, cosigner])
    for _ in range(3):
        factories.accepted(office, clerk, kewei, proposers=[cosigner, person])
    as_proposer(client, person)
    factories.just_active(client)
    item = reply.assignment.proposal_id
    for url, most in (
        (
            reverse("portal-home"),
            11,
        ),  # with the invitations to co-sign, the opinions given, the promises kept
        (
            reverse("portal-item", args=[item]),
            15,
        ),  # with the draft it came from, the replies' commitments and each follow-up's reports
        (reverse("portal-reply", args=[reply.pk]), 10),  # with each follow-up's reports
    ):
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200
