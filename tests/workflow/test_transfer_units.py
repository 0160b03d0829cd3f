"""申请调整 names a better unit of the item's own jurisdiction: the form offered every active
unit of every province (a Shanghai clerk saw Shandong's and Yunnan's units)."""

import pytest

from proposals.models import Jurisdiction
from tests import factories
from workflow.models import TransferRequest

pytestmark = pytest.mark.django_db


def test_only_units_of_the_items_jurisdiction_are_offered_or_accepted(client, office, clerk, kewei):
    nearby = factories.unit("上海市发展和改革委员会", organ_code="沪发改")
    shandong = Jurisdiction.objects.create(name="山东省", level="province")
    faraway = factories.unit("山东省教育厅", shandong, organ_code="鲁教")
    assignment = factories.accepted(office, clerk, kewei)
    client.force_login(clerk)
    factories.just_active(client)
    page = client.get(f"/items/{assignment.proposal_id}/").content.decode()
    assert nearby.name in page and faraway.name not in page
    url = f"/work/assignments/{assignment.pk}/transfer"
    response = client.post(
        url, {"reason": "不属本单位职责", "suggested_unit": faraway.pk}, follow=True
    )
    assert "只能建议本地区的承办单位" in response.content.decode()
    assert not TransferRequest.objects.exists()
    client.post(url, {"reason": "不属本单位职责", "suggested_unit": nearby.pk})
    assert TransferRequest.objects.get().suggested_unit == nearby
