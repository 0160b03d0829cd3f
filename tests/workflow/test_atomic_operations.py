"""A multi-row operation that fails part-way leaves nothing behind: the office can correct the
choice and do it again."""

import pytest

from tests import factories
from workflow.actions import assign_proposal
from workflow.audit import ActionRefused
from workflow.models import Assignment, TransitionLog

pytestmark = pytest.mark.django_db


def test_an_assignment_to_many_units_is_all_or_nothing(office, kewei):
    health = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    elsewhere = factories.unit("云南省科学技术厅", factories.jurisdiction("云南省", "province"))
    item = factories.filed(office)
    logs_before = TransitionLog.objects.count()

    # The lead and the first co-handler are valid; the last unit belongs to another province.
    with pytest.raises(ActionRefused, match="不属于本行政区"):
        assign_proposal(item, office, lead=kewei, co=[health, elsewhere])

    item.refresh_from_db()
    assert item.state == "filed"
    assert not Assignment.objects.filter(proposal=item).exists()
    assert TransitionLog.objects.count() == logs_before

    assignments = assign_proposal(item, office, lead=kewei, co=[health])
    assert [a.role for a in assignments] == ["lead", "co"]
