"""Session choices are the user's own jurisdictions': another province's sessions are neither
listed in the filters and the intake form nor accepted from a hand-made request."""

import pytest

from proposals.models import Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(shanghai):
    from tests import factories

    return factories.session(shanghai, term=14, meeting=3, year=2025)


def test_filters_and_intake_offer_only_own_sessions(client, office, clerk, ours, elsewhere):
    theirs = elsewhere["item"].session
    for user, url in [
        (clerk, "/work/"),
        (office, "/office/monitor/"),
        (office, "/office/proposals/new"),
    ]:
        client.force_login(user)
        body = client.get(url).content.decode()
        assert str(ours) in body, url
        assert str(theirs) not in body and f'value="{theirs.pk}"' not in body, url


def test_intake_refuses_another_jurisdictions_session(client, office, elsewhere):
    client.force_login(office)
    response = client.post(
        "/office/proposals/new",
        {
            "kind": "proposal",
            "session": elsewhere["item"].session.pk,
            "number": "9911",
            "title": "关于跨地区登记的提案",
            "proposer_names": "某委员",
            "proposer_kind": "member",
        },
    )
    assert response.status_code == 200  # the form again, with the choice refused
    assert not Proposal.objects.filter(number="9911").exists()
