"""The demo's handling histories read in order: each item is reviewed and filed before it is
assigned, and no step is dated before the one it follows."""

import io

import pytest
from django.core.management import call_command

from proposals.models import Proposal
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def test_no_demo_item_s_history_goes_backwards(client):
    call_command("load_demo", stdout=io.StringIO())
    backwards = []
    for item in Proposal.objects.all():
        # The delivery worker's rows say when it queued a sent reply: that is now, as it ran.
        steps = list(
            TransitionLog.objects.filter(proposal=item).exclude(transition="queue").order_by("id")
        )
        for before, after in zip(steps, steps[1:], strict=False):
            if after.at < before.at:
                backwards.append(
                    (item.number, before.transition, before.at, after.transition, after.at)
                )
    assert backwards == [], "\n".join(map(str, backwards))
    # what the office reads on an assigned item: 立案 dated before 交办
    assigned = Proposal.objects.filter(transition_logs__transition="assign").distinct()
    assert assigned.exists()
    for item in assigned:
        dates = {log.transition: log.at for log in item.transition_logs.all()}
        assert dates["file"] < dates["assign"], item.number
        if "start_review" in dates:
            assert dates["start_review"] <= dates["file"]
