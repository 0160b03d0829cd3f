"""The clerk's inbox applies every filter the form shows, whatever the 状态 chosen."""

import pytest

from tests import factories
from workflow.actions import assign_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_and_co(office, kewei):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    assign_proposal(factories.filed(office, title="本单位主办的件"), office, lead=kewei)
    assign_proposal(factories.filed(office, title="本单位会办的件"), office, lead=other, co=[kewei])


@pytest.mark.parametrize("state", ["", "all", "open", "bogus"])
def test_the_role_filter_applies_with_every_state(client, clerk, lead_and_co, state):
    client.force_login(clerk)
    page = client.get(f"/work/?state={state}&role=co").content.decode()
    assert "本单位会办的件" in page
    assert "本单位主办的件" not in page
    page = client.get(f"/work/?state={state}&role=lead").content.decode()
    assert "本单位主办的件" in page
    assert "本单位会办的件" not in page


def test_all_states_lists_finished_rows_too(client, clerk, lead_and_co):
    client.force_login(clerk)
    page = client.get("/work/?state=&kind=&session=&due=&role=").content.decode()
    assert "本单位会办的件" in page and "本单位主办的件" in page
