"""Optimistic locking as people meet it: a leader acts on the submission they were shown, and a
clerk whose letter moved on while they typed keeps their text and reads why it was not saved."""

import pytest

from responses.actions import return_letter, save_letter, start_reply, submit_letter
from responses.models import Reply
from tests import factories
from workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(office, kewei, clerk):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    save_letter(reply, clerk, body="第一稿答复", class_label="解决采纳")
    return submit_letter(reply, clerk)


def test_a_leader_cannot_sign_a_newer_draft_than_the_one_on_their_screen(
    client, kewei, clerk, leader, submitted
):
    second_leader = factories.member(kewei, "leader", name="另一位领导")
    client.force_login(leader)
    page = client.get("/review/").content.decode()
    assert 'name="revision" value="1"' in page  # the page the first leader is looking at

    # Meanwhile the second leader returns it and the clerk submits a second draft.
    return_letter(submitted, second_leader, "请补充数据", seen_revision=1)
    save_letter(Reply.objects.get(pk=submitted.pk), clerk, body="第二稿答复")
    submit_letter(Reply.objects.get(pk=submitted.pk), clerk)

    refused = client.post(
        f"/letters/reply/{submitted.pk}/sign", {"revision": "1"}, HTTP_HX_REQUEST="true"
    )
    message = refused.content.decode()
    assert refused["HX-Retarget"] == "#flash"
    assert "已重新送审为第2稿" in message and "第1稿" in message
    assert Reply.objects.get(pk=submitted.pk).state == "submitted"
    assert not TransitionLog.objects.filter(object_id=submitted.pk, transition="sign").exists()

    # Having looked at the second draft, the leader signs it.
    assert 'name="revision" value="2"' in client.get("/review/").content.decode()
    client.post(f"/letters/reply/{submitted.pk}/sign", {"revision": "2"})
    assert Reply.objects.get(pk=submitted.pk).state == "signed"


def test_an_autosave_after_submission_keeps_the_clerks_text_on_screen(client, clerk, submitted):
    client.force_login(clerk)
    refused = client.post(
        f"/letters/reply/{submitted.pk}/",
        {"body": "我在旧窗口里继续写的内容", "title": submitted.title},
        HTTP_HX_REQUEST="true",
    )
    # Only the message is swapped into the page (the form keeps what was typed), and the
    # submitted letter is unchanged.
    assert refused.status_code == 200
    assert refused["HX-Retarget"] == "#flash" and refused["HX-Reswap"] == "innerHTML"
    assert "不能修改" in refused.content.decode()
    assert Reply.objects.get(pk=submitted.pk).body == "第一稿答复"
