"""A form sent twice (a double click, a resent page) makes one commitment and one progress
note: an identical commitment on the same reply is refused, and the same note by the same
person on the same commitment within a minute is the note already made."""

from datetime import date, timedelta

import pytest

from responses.actions import add_commitment, note_progress, save_letter, start_reply
from responses.models import Commitment, CommitmentNote
from tests import factories
from tests.promises import promising_reply
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(office, clerk, kewei):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    return save_letter(reply, clerk, body="现答复如下……", class_label="正在解决")


def test_two_posts_of_the_same_commitment_make_one(client, clerk, draft):
    client.force_login(clerk)
    url = f"/letters/reply/{draft.pk}/commitments/add"
    typed = {
        "new-what": "6月底前建成平台",
        "new-unit": draft.assignment.unit_id,
        "new-due_kind": "date",
        "new-promised_on": "2030-06-30",
    }
    assert client.post(url, typed).status_code == 302
    again = client.post(url, typed)
    assert again.status_code == 400
    assert again.context["panel"]["add_form"].errors == {"what": ["该答复已有相同的承诺事项。"]}
    assert Commitment.objects.count() == 1
    # Another date, or other words, is another commitment.
    assert client.post(url, typed | {"new-promised_on": "2030-09-30"}).status_code == 302
    assert Commitment.objects.count() == 2


def test_add_commitment_refuses_a_twin_spaced_differently(clerk, draft):
    add_commitment(draft, clerk, what="建成平台", due_kind="date", promised_on=date(2030, 6, 30))
    with pytest.raises(ActionRefused, match="相同的承诺事项"):
        add_commitment(
            draft, clerk, what=" 建成平台 ", due_kind="date", promised_on=date(2030, 6, 30)
        )
    assert Commitment.objects.count() == 1


def test_two_posts_of_the_same_note_make_one(client, office, clerk, leader, kewei):
    reply, made = promising_reply(office, clerk, leader, kewei, [factories.proposer("文彬")])
    client.force_login(clerk)
    url = f"/commitments/{made[0].pk}/progress"
    assert client.post(url, {"text": "已完成招标"}).status_code == 302
    assert client.post(url, {"text": "已完成招标"}).status_code == 302
    (note,) = CommitmentNote.objects.all()
    assert note_progress(made[0], clerk, " 已完成招标 ") == note
    assert CommitmentNote.objects.count() == 1
    # Another text, another commitment, another person, or a minute later: a new note.
    note_progress(made[0], clerk, "已签订合同")
    note_progress(made[1], clerk, "已完成招标")
    note_progress(made[0], factories.member(kewei, username="clerk2"), "已完成招标")
    a_minute_ago = note.created_at - timedelta(seconds=61)
    CommitmentNote.objects.filter(pk=note.pk).update(created_at=a_minute_ago)
    assert note_progress(made[0], clerk, "已完成招标") != note
    assert CommitmentNote.objects.filter(text="已完成招标", commitment=made[0]).count() == 3


def test_a_commitment_is_not_edited_into_its_twin(office, clerk, kewei):
    from responses.actions import confirm_commitment

    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    reply = save_letter(reply, clerk, body="下一步将建设。", class_label="正在解决")
    due = date(reply.created_at.year + 1, 12, 1)
    add_commitment(reply, clerk, what="建设示范项目", due_kind="year", promised_on=due)
    other = add_commitment(reply, clerk, what="出台办法", due_kind="year", promised_on=due)
    with pytest.raises(ActionRefused, match="已有相同的承诺事项"):
        confirm_commitment(other, clerk, what="建设示范项目", due_kind="year", promised_on=due)
