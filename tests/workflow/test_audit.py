"""Every transition leaves exactly one log row, and the log cannot be rewritten."""

from collections import defaultdict
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from proposals.models import Proposal
from responses.actions import (
    add_commitment,
    record_feedback,
    return_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from responses.models import Delivery
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def test_each_object_has_an_unbroken_chain_of_logged_transitions(office, kewei, clerk, leader):
    co_unit = factories.unit("上海市卫生健康委员会", organ_code="沪卫")
    co_clerk, co_leader = factories.member(co_unit, "clerk"), factories.member(co_unit, "leader")
    people = [factories.proposer("章毅"), factories.proposer("张远波")]
    item = factories.filed(office, proposers=people)
    lead, co = assign_proposal(item, office, lead=kewei, co=[co_unit])
    accept_assignment(lead, clerk)
    accept_assignment(co, co_clerk)
    opinion = start_opinion(co, co_clerk)
    save_letter(opinion, co_clerk, body="意见")
    submit_letter(opinion, co_clerk)
    sign_letter(opinion, co_leader)
    send_letter(opinion, co_clerk)
    factories.contacted(lead, clerk)
    reply = start_reply(lead, clerk)
    save_letter(
        reply,
        clerk,
        body="答复",
        class_label="正在解决",
        disclosure="withheld",
        withheld_reason="privacy",
    )
    add_commitment(reply, clerk, what="年内完成", due_kind="year", promised_on=date(2030, 1, 1))
    submit_letter(reply, clerk)
    return_letter(reply, leader, "补充")
    submit_letter(reply, clerk)
    sign_letter(reply, leader)
    send_letter(reply, clerk)
    record_feedback(reply, people[0], handling="satisfied", result="unsatisfied", comment="未落实")

    chains = defaultdict(list)
    for row in TransitionLog.objects.order_by("at", "id"):
        if hasattr(row.content_type.model_class(), "state"):  # not a contact, membership…
            chains[(row.content_type_id, row.object_id)].append(row)
    # the item, two assignments, the opinion, the reply, its commitment and its deliveries
    # (one per channel)
    assert Delivery.objects.filter(reply=reply).count() >= len(people)
    assert len(chains) == 6 + Delivery.objects.count()
    for (content_type_id, object_id), rows in chains.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        current = model.objects.get(pk=object_id).state
        assert rows[0].source == "" or model is Proposal and rows[0].transition == "receive"
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.source == before.target, f"{model.__name__} {object_id}: gap at {after}"
        assert rows[-1].target == current, f"{model.__name__} {object_id} changed without a log"
    reply_log = [
        r.transition for r in chains[(ContentType.objects.get_for_model(reply).pk, reply.pk)]
    ]
    assert reply_log == [
        "draft",
        "edit",  # the one save_letter: no state changed, but the letter did
        "submit",
        "return_for_revision",
        "submit",
        "sign",
        "send",
        "withhold",
    ]
    assert Proposal.objects.get(pk=item.pk).state == "reopened"


def test_the_log_is_append_only(office):
    factories.filed(office)
    row = TransitionLog.objects.first()
    row.comment = "rewritten"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        TransitionLog.objects.update(comment="x")
    with pytest.raises(PermissionError):
        TransitionLog.objects.all().delete()


def test_the_admin_offers_no_way_to_edit_or_delete_the_log(admin_client, office):
    factories.filed(office)
    row = TransitionLog.objects.first()
    assert admin_client.get("/admin/workflow/transitionlog/").status_code == 200
    page = admin_client.get(f"/admin/workflow/transitionlog/{row.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.get(f"/admin/workflow/transitionlog/{row.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/workflow/transitionlog/add/").status_code == 403
