"""Four eyes on content: whoever wrote any of a letter (its drafter, anyone who saved a change,
applied a template, attached a file or sent it up) never signs it; another leader does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from responses.actions import (
    LETTER_FIELDS,
    apply_template,
    attach_file,
    return_letter,
    save_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from responses.models import LetterTemplate, Reply
from tests import factories
from workflow.audit import ActionRefused

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
FOUR_EYES = "不能签发自己撰写的函件"


def text(response):
    return response.content.decode()


@pytest.fixture
def draft(office, kewei, clerk):
    """The clerk's draft, ready to be submitted."""
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    return save_letter(reply, clerk, body="科委拟稿：现答复如下。", class_label="解决采纳")


def editor_form(reply, **changes):
    """What the editor's form posts: every field as it stands, with `changes`."""
    values = {}
    for name in LETTER_FIELDS:
        value = getattr(reply, name)
        if name == "show_signer":
            if value:
                values[name] = "on"
            continue
        values[name] = "" if value is None else str(value)
    return values | changes


def unchanged(reply, state="submitted"):
    fresh = Reply.objects.get(pk=reply.pk)
    assert fresh.state == state and fresh.signer_id is None and not fresh.doc_number
    return fresh


def test_a_leader_who_rewrote_the_draft_cannot_sign_or_send_it(client, draft, leader):
    """The reproduction: the leader opens the clerk's draft, replaces the body through the
    editor, submits, then tries 签发 and 签发并发出 from the queue."""
    client.force_login(leader)
    saved = client.post(
        f"/letters/reply/{draft.pk}/",
        editor_form(draft, body="领导改写的全文。"),
        headers=HTMX,
    )
    assert saved.status_code == 200 and "已自动保存" in text(saved)
    client.post(f"/letters/reply/{draft.pk}/submit")
    assert Reply.objects.get(pk=draft.pk).state == "submitted"

    queue = text(client.get("/review/"))
    assert FOUR_EYES in queue
    assert f'action="/letters/reply/{draft.pk}/sign"' not in queue  # no button to press
    assert "退回修改" in queue  # returning it is still theirs to do

    refused = client.post(
        f"/letters/reply/{draft.pk}/sign", follow=True, headers={"referer": "/review/"}
    )
    assert FOUR_EYES in text(refused)
    unchanged(draft)
    refused = client.post(
        f"/letters/reply/{draft.pk}/sign",
        {"send": "1", "confirmed": "1"},
        follow=True,
        headers={"referer": "/"},
    )
    assert FOUR_EYES in text(refused)
    refused = client.post(
        f"/letters/reply/{draft.pk}/sign", {"send": "1", "confirmed": "1"}, headers=HTMX
    )
    assert FOUR_EYES in text(refused)
    unchanged(draft)


def test_another_leader_can_sign_what_a_leader_rewrote(client, draft, kewei, leader):
    save_letter(draft, leader, body="领导改写的全文。")
    submit_letter(Reply.objects.get(pk=draft.pk), leader)
    other = factories.member(kewei, "leader", username="deputy")
    client.force_login(other)
    queue = text(client.get("/review/"))
    assert FOUR_EYES not in queue and f'action="/letters/reply/{draft.pk}/sign"' in queue
    signed = client.post(
        f"/letters/reply/{draft.pk}/sign", {"send": "1", "confirmed": "1"}, headers=HTMX
    )
    reply = Reply.objects.get(pk=draft.pk)
    assert reply.state == "sent" and reply.signer == other and reply.doc_number in text(signed)


def test_the_clerks_own_letter_is_signed_as_before(client, draft, leader):
    submit_letter(draft, draft.drafted_by)
    client.force_login(leader)
    queue = text(client.get("/review/"))
    assert FOUR_EYES not in queue and f'action="/letters/reply/{draft.pk}/sign"' in queue
    client.post(f"/letters/reply/{draft.pk}/sign", {"send": "1", "confirmed": "1"}, headers=HTMX)
    assert Reply.objects.get(pk=draft.pk).state == "sent"


@pytest.mark.parametrize("how", ["save", "template", "attach", "submit"])
def test_every_verb_that_writes_content_makes_an_author(draft, kewei, clerk, leader, how):
    if how == "save":
        save_letter(draft, leader, contact_phone="23119999")
    elif how == "template":
        template = LetterTemplate.objects.create(
            unit=kewei, role="reply", name="标准", body="【提出人】：领导选用的模板。"
        )
        apply_template(draft, leader, template)
    elif how == "attach":
        upload = SimpleUploadedFile("说明.pdf", b"%PDF-1.7\n%%EOF\n")
        attach_file(draft, leader, upload)
    reply = Reply.objects.get(pk=draft.pk)
    submit_letter(reply, leader if how == "submit" else clerk)
    reply = Reply.objects.get(pk=draft.pk)
    assert not reply.may_sign(leader)
    with pytest.raises(ActionRefused, match="四眼原则"):
        sign_letter(reply, leader)
    unchanged(draft)


def test_saving_what_is_already_there_writes_nothing(draft, clerk, leader):
    """An autosave that changes nothing (line ends as a browser sends them included)."""
    save_letter(draft, leader, body=draft.body, class_label=draft.class_label, cc=draft.cc)
    save_letter(draft, leader, cc=draft.cc.replace("\n", "\r\n"))
    reply = submit_letter(Reply.objects.get(pk=draft.pk), clerk)
    assert reply.may_sign(leader)
    assert sign_letter(reply, leader).state == "signed"


def test_an_earlier_round_still_counts_after_return(draft, kewei, clerk, leader):
    """Text a leader wrote before 退回修改 may still be in what is submitted again: they
    stay an author for the letter's whole life."""
    save_letter(draft, leader, body="领导第一轮写的段落。")
    reply = submit_letter(Reply.objects.get(pk=draft.pk), clerk)
    deputy = factories.member(kewei, "leader", username="deputy")
    reply = return_letter(reply, deputy, "请补充下一步打算。")
    reply = save_letter(reply, clerk, body="领导第一轮写的段落。下一步……")
    reply = submit_letter(reply, clerk)
    with pytest.raises(ActionRefused, match="四眼原则"):
        sign_letter(reply, leader)
    assert sign_letter(reply, deputy).signer == deputy


def test_the_transition_permission_asks_the_same_rule(draft, clerk, leader):
    from django_fsm import has_transition_perm

    save_letter(draft, leader, body="领导改写。")
    reply = submit_letter(Reply.objects.get(pk=draft.pk), clerk)
    assert not has_transition_perm(reply.sign, leader)
    assert not has_transition_perm(reply.sign, clerk)  # not a leader


def test_past_submitters_become_authors_when_migrating(draft, leader):
    """Letters submitted before contributors were recorded: who submitted them is taken for
    an author, so a leader who sent one up cannot sign it after the upgrade."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("responses.migrations.0007_letter_contributors")
    reply = submit_letter(draft, leader)
    reply.contributors.clear()
    assert reply.may_sign(leader)
    migration.submitters_are_authors(apps, None)
    migration.submitters_are_authors(apps, None)  # twice: nothing doubles
    reply = Reply.objects.get(pk=reply.pk)
    assert list(reply.contributors.all()) == [leader] and not reply.may_sign(leader)


def test_the_queue_offers_signing_only_when_the_verb_would_accept_it(client, draft, clerk, leader):
    """A letter dated after today cannot be signed: the queue shows why instead of the buttons,
    and a POST to the sign endpoint changes nothing."""
    from datetime import timedelta

    from django.utils import timezone

    future = timezone.localdate() + timedelta(days=3)
    save_letter(draft, clerk, letter_date=future)
    submit_letter(draft, clerk)
    client.force_login(leader)
    queue = text(client.get("/review/"))
    assert "成文日期晚于今天" in queue and "尚有未满足的签发条件" in queue
    assert f'action="/letters/reply/{draft.pk}/sign"' not in queue
    client.post(f"/letters/reply/{draft.pk}/sign")
    unchanged(draft)
