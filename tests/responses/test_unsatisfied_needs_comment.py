"""不满意 reopens the unit's handling, so the unit must learn why: a rating of 不满意 on
either axis without 意见建议 is refused by the verb, and every way in (the emailed link, the
proposer's own pages, the office's paper entry) says so, the typed values kept."""

import pytest
from django.urls import reverse

from proposals.models import ProposalState
from responses.actions import record_feedback
from responses.links import feedback_url
from responses.models import Feedback
from tests import factories
from tests.portal.helpers import as_proposer
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db

MESSAGE = "选择“不满意”时请填写意见建议，以便承办单位改进。"


@pytest.fixture
def sent(office, clerk, leader, kewei):
    return factories.sent_reply(office, clerk, leader, kewei)


@pytest.mark.parametrize(
    ("handling", "result"), [("unsatisfied", "satisfied"), ("basic", "unsatisfied")]
)
def test_the_verb_refuses_unsatisfied_without_a_comment(sent, handling, result):
    person = sent.assignment.proposal.proposers.get()
    with pytest.raises(ActionRefused) as refused:
        record_feedback(sent, person, handling=handling, result=result, comment="  ")
    assert refused.value.message == MESSAGE and refused.value.field == "comment"
    assert not Feedback.objects.exists()
    assert sent.assignment.proposal.__class__.objects.get().state != ProposalState.REOPENED
    record_feedback(sent, person, handling=handling, result=result, comment="措施不具体")
    assert Feedback.objects.get().comment == "措施不具体"


def test_the_emailed_link_shows_it_by_the_field_keeping_the_ratings(client, sent):
    person = sent.assignment.proposal.proposers.get()
    answer = client.post(feedback_url(sent, person), {"handling": "basic", "result": "unsatisfied"})
    page = answer.content.decode()
    assert MESSAGE in page and not Feedback.objects.exists()
    assert "checked" in page  # the ratings ticked are still ticked
    assert "您已对本次答复提交过意见" not in page


def test_the_proposers_own_page_shows_it_by_the_field(client, sent):
    person = sent.assignment.proposal.proposers.get()
    person.email = person.email or "p@example.org"
    as_proposer(client, person)
    url = reverse("portal-reply", args=[sent.pk])
    answer = client.post(url, {"handling": "unsatisfied", "result": "basic"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert MESSAGE in page and "checked" in page and not Feedback.objects.exists()


def test_the_offices_paper_entry_is_refused_with_the_same_words(client, office, sent):
    client.force_login(office)
    person = sent.assignment.proposal.proposers.get()
    answer = client.post(
        f"/office/replies/{sent.pk}/feedback",
        {"proposer": person.pk, "handling": "unsatisfied", "result": "unsatisfied"},
        follow=True,
    )
    assert MESSAGE in answer.content.decode() and not Feedback.objects.exists()
