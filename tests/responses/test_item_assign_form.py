"""The item page's 交办 / 增加承办单位 form offers exactly what the assign verb accepts, and
each unit list comes with its own filter right above it."""

import re

import pytest

from tests import factories
from workflow.actions import assign_proposal

pytestmark = pytest.mark.django_db


def assign_form(client, proposal):
    page = client.get(f"/items/{proposal.pk}/").content.decode()
    return re.search(r'<form[^>]*data-action="assign".*?</form>', page, re.S).group(0)


@pytest.fixture
def jiaowei(shanghai):
    return factories.unit("上海市教育委员会", shanghai, organ_code="沪教")


def test_before_assigning_every_role_is_offered(client, office, kewei):
    item = factories.filed(office)
    client.force_login(office)
    form = assign_form(client, item)
    for name in ("lead", "co", "separate"):
        assert f'name="{name}"' in form


def test_after_a_lead_only_co_handlers_can_be_added(client, office, kewei, jiaowei):
    item = factories.filed(office)
    assign_proposal(item, office, lead=kewei)
    client.force_login(office)
    form = assign_form(client, item)
    assert "增加承办单位" in form
    assert 'name="lead"' not in form and "主办单位" not in form
    assert 'name="separate"' not in form
    assert 'name="co"' in form
    # the unit already handling it is not offered again
    assert "上海市教育委员会" in form and "上海市科学技术委员会" not in form
    response = client.post(f"/office/proposals/{item.pk}/assign", {"co": [jiaowei.pk]}, follow=True)
    assert "已交办 1 个单位。" in response.content.decode()


def test_after_separate_handlers_only_more_separate_ones(client, office, kewei, jiaowei):
    item = factories.filed(office)
    assign_proposal(item, office, separate=[kewei])
    client.force_login(office)
    form = assign_form(client, item)
    assert 'name="separate"' in form
    assert 'name="lead"' not in form and 'name="co"' not in form


def test_each_filter_sits_right_above_its_list(client, office, kewei):
    client.force_login(office)
    form = assign_form(client, factories.filed(office))
    for name, label in (("co", "筛选会办单位"), ("separate", "筛选分办单位")):
        field = re.search(
            rf'<div class="field">(?:(?!</div>).)*id_{name}"(?:(?!</div>).)*</div>', form, re.S
        )
        assert field, name
        html = field.group(0)
        assert html.index(f'aria-label="{label}"') < html.index(f'<select name="{name}"')
        assert re.search(rf'<select name="{name}"[^>]*size="8"', html)
