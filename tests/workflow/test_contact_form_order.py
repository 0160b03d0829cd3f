"""记录沟通 offers the item's proposers in their order, the lead first (it listed them by
name, so the lead could come last)."""

import pytest

from tests import factories
from workflow.forms import ContactForm

pytestmark = pytest.mark.django_db


def test_the_lead_proposer_comes_first_and_each_once(office):
    people = [factories.proposer(n) for n in ("王五", "李四", "张三")]
    item = factories.proposal(office, proposers=people)
    factories.proposal(office, proposers=list(reversed(people)))  # the same people elsewhere
    offered = list(ContactForm(proposal=item).fields["proposer"].queryset)
    assert [p.name for p in offered] == ["王五", "李四", "张三"]
