"""A proposer rates a reply through the API with the token of their signed link: once, for
the current round; a forged or used token changes nothing."""

import pytest
from rest_framework.test import APIClient

from responses.links import feedback_token
from responses.models import Feedback
from tests import factories

pytestmark = pytest.mark.django_db


def test_rating_with_the_link_token(office, kewei, clerk, leader):
    person = factories.proposer("文彬")
    reply = factories.sent_reply(office, clerk, leader, kewei, proposers=[person])
    token = feedback_token(reply, person)
    rating = {"token": token, "handling": "satisfied", "result": "basic", "comment": "感谢"}
    saved = APIClient().post("/api/feedback/", rating, format="json")
    assert saved.status_code == 201
    feedback = Feedback.objects.get(pk=saved.json()["id"])
    assert (feedback.handling_rating, feedback.result_rating, feedback.channel) == (
        "satisfied",
        "basic",
        "link",
    )
    again = APIClient().post("/api/feedback/", rating, format="json")
    assert again.status_code == 409 and Feedback.objects.count() == 1
    forged = {**rating, "token": token[:-3] + "xyz"}
    assert APIClient().post("/api/feedback/", forged, format="json").status_code == 400
    bad = {**rating, "handling": "great"}
    assert APIClient().post("/api/feedback/", bad, format="json").status_code == 400
