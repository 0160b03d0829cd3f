"""Two leaders sign the same reply at the same moment on PostgreSQL: exactly one wins."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from responses.actions import save_letter, sign_letter, start_reply, submit_letter
from responses.models import Reply
from tests import factories
from tests.services import require_postgres
from workflow.audit import ActionRefused
from workflow.models import TransitionLog

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


def race(workers):
    barrier = threading.Barrier(len(workers))
    outcomes = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait()
            work()
            outcomes[index] = "ok"
        except (ActionRefused, PermissionDenied) as exc:
            outcomes[index] = f"refused: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_concurrent_sign_off_by_two_leaders(office, kewei, clerk, leader):
    require_postgres()
    second_leader = factories.member(kewei, "leader", name="另一位领导")
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    save_letter(reply, clerk, body="答复", class_label="解决采纳")
    submit_letter(reply, clerk)

    outcomes = race(
        [
            lambda: sign_letter(reply, leader),
            lambda: sign_letter(reply, second_leader),
        ]
    )
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert "已由他人处理" in next(o for o in outcomes if o != "ok")
    signed = Reply.objects.get(pk=reply.pk)
    assert signed.state == "signed" and signed.signer_id in (leader.pk, second_leader.pk)
    assert TransitionLog.objects.filter(object_id=reply.pk, transition="sign").count() == 1
