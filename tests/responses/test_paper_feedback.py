"""The office enters a 征询意见表 received on paper: nothing is chosen for it (a form left as
it opened would record 满意/满意 the proposer never ticked), both ratings are required, and
each radio sits with its own word."""

import re

import pytest

from responses.models import Feedback
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(office, clerk, leader, kewei):
    return factories.sent_reply(office, clerk, leader, kewei)


def feedback_form(page, reply):
    start = page.index(f'action="/office/replies/{reply.pk}/feedback"')
    return page[start : page.index("</form>", start)]


def test_nothing_is_preset_and_each_radio_has_its_label(client, office, sent):
    client.force_login(office)
    form = feedback_form(client.get("/office/publication/").content.decode(), sent)

    assert "selected" not in form and "checked" not in form
    for name in ("handling", "result"):
        radios = re.findall(
            rf'<label><input type="radio" name="{name}" value="(\w+)" required> ([^<]+)</label>',
            form,
        )
        assert radios == [
            ("satisfied", "满意"),
            ("basic", "基本满意"),
            ("unsatisfied", "不满意"),
        ]
    assert "<legend>对办理工作</legend>" in form and "<legend>对办理结果</legend>" in form


def test_both_ratings_are_required(client, office, sent):
    client.force_login(office)
    person = sent.assignment.proposal.proposers.get()
    url = f"/office/replies/{sent.pk}/feedback"

    refused = client.post(url, {"proposer": person.pk, "handling": "basic"}, follow=True)
    assert "请选择对办理工作和办理结果的评价" in refused.content.decode()
    assert not Feedback.objects.exists()

    client.post(
        url,
        {"proposer": person.pk, "handling": "basic", "result": "unsatisfied", "comment": "未落实"},
    )
    feedback = Feedback.objects.get()
    assert (feedback.handling_rating, feedback.result_rating, feedback.channel) == (
        "basic",
        "unsatisfied",
        "paper",
    )
