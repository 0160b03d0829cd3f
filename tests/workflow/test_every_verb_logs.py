"""Every write is a verb, and every verb writes its audit row.

The verbs are found by introspection: every function that workflow.actions and
responses.actions name in their `__all__` (the list of each app's verbs) and that takes an
`actor`. Each must be either in VERBS (called here on its happy path, and the row it writes
checked) or in NOT_VERBS (with the reason). A new verb added to either package without a row
here fails `test_every_verb_is_listed`.
"""

import inspect
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max

from demo.data import FIXTURES
from proposals.models import Proposal
from responses import actions as responses_actions
from responses import rendering
from responses.importer import parse
from responses.models import LetterImport, LetterTemplate
from tests import factories
from workflow import actions, item_import, item_import_worker
from workflow.audit import ActionRefused
from workflow.models import Assignment, TransitionLog

pytestmark = pytest.mark.django_db

# Public functions taking an actor that change nothing: they only check.
NOT_VERBS = {
    "workflow.actions.require_office": "a check every office verb asks first",
    "workflow.actions.require_unit_member": "a check every unit verb asks first",
    "workflow.actions.require_lead": "a check every verb on a proposer's draft asks first",
}


def public_functions_taking_an_actor():
    found = set()
    for module in (actions, responses_actions):
        for name in module.__all__:
            function = getattr(module, name)
            if not inspect.isfunction(function):
                continue  # a constant the callers share
            if "actor" in inspect.signature(function).parameters:
                found.add(f"{module.__name__}.{name}")
    return found


@pytest.fixture
def w(shanghai, office, kewei, clerk, leader):
    co_unit = factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    return SimpleNamespace(
        where=shanghai,
        session=factories.session(shanghai),  # 市政协十四届二次会议
        office=office,
        kewei=kewei,
        clerk=clerk,
        leader=leader,
        co_unit=co_unit,
        co_clerk=factories.member(co_unit, "clerk"),
        admin=factories.user("root", is_staff=True, is_superuser=True),
        filer=factories.user("filer", name="章毅"),
        cosigner=factories.user("cosigner", name="张远波"),
    )


def under_review(w):
    return actions.start_review(factories.proposal(w.office), w.office)


def assigned(w):
    (assignment,) = actions.assign_proposal(factories.filed(w.office), w.office, lead=w.kewei)
    return assignment


def accepted(w, **kw):
    return factories.accepted(w.office, w.clerk, w.kewei, **kw)


def draft(w):
    assignment = accepted(w)
    factories.contacted(assignment, w.clerk)
    reply = responses_actions.start_reply(assignment, w.clerk)
    return responses_actions.save_letter(
        reply, w.clerk, body="现将办理情况答复如下……", class_label="解决采纳"
    )


def submitted(w):
    return responses_actions.submit_letter(draft(w), w.clerk)


def sent(w, **kw):
    return factories.sent_reply(w.office, w.clerk, w.leader, w.kewei, **kw)


def promising(w):
    """A draft of a 正在解决 reply, with one candidate commitment found in its text."""
    assignment = accepted(w)
    factories.contacted(assignment, w.clerk)
    reply = responses_actions.save_letter(
        responses_actions.start_reply(assignment, w.clerk),
        w.clerk,
        body="现答复如下。我局计划于2030年底前完成全部改造。",
        class_label="正在解决",
    )
    return reply


def candidate(w):
    return responses_actions.suggest_commitments(promising(w), w.clerk)[0]


def tracked(w):
    """A sent 正在解决 reply's open commitment."""
    return sent(w, class_label="正在解决").commitments.get()


def follow_up(w):
    commitment = tracked(w)
    return commitment, responses_actions.start_follow_up(commitment.reply.assignment, w.clerk)


def delivered_reply(w):
    """A 正在解决 reply whose one commitment a sent follow-up reply reported delivered."""
    commitment, letter = follow_up(w)
    responses_actions.report_commitment(letter, commitment, w.clerk, outcome="delivered")
    letter = responses_actions.save_letter(letter, w.clerk, body="改造已全部完成。")
    letter = responses_actions.submit_letter(letter, w.clerk)
    responses_actions.send_letter(responses_actions.sign_letter(letter, w.leader), w.clerk)
    return commitment.reply


def delivered_last_year(w):
    """As delivered_reply, its delivery dated a year back: this year's 回头看 looks at it."""
    reply = delivered_reply(w)
    reply.commitments.update(delivered_on=date.today() - timedelta(days=366))
    return reply


def drop_requested(w):
    return responses_actions.request_drop(tracked(w), w.clerk, "政策调整，不再实施")


def item_rows(w):
    rows = item_import.read_workbook(item_import.template_workbook())
    report = item_import.as_report(item_import.check(rows, w.where))
    return [row["item"] for row in report if row["status"] == "new"]


def checked_item_import(w):
    upload = SimpleUploadedFile("items.xlsx", item_import.template_workbook())
    record = actions.start_item_import(w.office, w.where, upload)
    item_import_worker.check_item_import(record.pk)  # the worker's part
    return record


def extension(w):
    assignment = accepted(w)
    return actions.request_extension(
        assignment, w.clerk, assignment.due_on + timedelta(days=10), "需要协调"
    )


def transfer(w):
    assignment = accepted(w)
    actions.request_transfer(assignment, w.clerk, "不属于本单位职责", None)
    return assignment.transfer_requests.get()


def recompute(w):
    assignment = accepted(w)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=assignment.due_on - timedelta(1))
    return lambda: actions.recompute_deadlines(w.office, reason="规则调整")


def template(w):
    letter = draft(w)
    chosen = LetterTemplate.objects.create(
        unit=w.kewei, role="reply", name="通用", body="【提出人】：现答复如下。"
    )
    return lambda: responses_actions.apply_template(letter, w.clerk, chosen)


def feedback(w):
    person = factories.proposer("文彬")
    reply = sent(w, proposers=[person])
    return lambda: responses_actions.record_feedback(
        reply, person, handling="satisfied", result="satisfied"
    )


def resend(w):
    """An email recorded for a proposer after the reply was sent on paper only."""
    person = factories.proposer("文彬", address="上海市人民大道200号")
    reply = sent(w, proposers=[person])
    person.email = "wenbin@example.org"
    person.save(update_fields=["email"])
    return lambda: responses_actions.resend_delivery(
        w.clerk, reply=reply, proposer=person, channel="email"
    )


def past_letter(w):
    parsed = parse(next((FIXTURES / "seeds").glob("000_*.txt")).read_text())
    return lambda: responses_actions.import_letter(w.office, parsed, w.where)


def saved_import(w):
    text = next((FIXTURES / "seeds").glob("000_*.txt")).read_text()
    record = LetterImport.objects.create(
        jurisdiction=w.where,
        created_by=w.office,
        names=["000.txt"],
        state="ready",
        previews=[{"name": "000.txt", "text": text}],
    )
    confirmed = {
        "letter_kind": "reply",
        "item_kind": "proposal",
        "session": w.session,
        "number": "1136",
        "unit": w.kewei,
        "title": "关于…的提案的答复",
        "letter_date": date(2024, 5, 27),
    }
    return lambda: responses_actions.save_letter_import(w.office, record, {0: confirmed})


def opinion(w):
    (_lead, co) = actions.assign_proposal(
        factories.filed(w.office), w.office, lead=w.kewei, co=[w.co_unit]
    )
    co = actions.accept_assignment(co, w.co_clerk)
    return lambda: responses_actions.start_opinion(co, w.co_clerk)


def two_records(w):
    """The same person recorded twice in one jurisdiction, the second on an item."""
    keep = factories.proposer("章毅", jurisdiction=w.where)
    duplicate = factories.proposer("章毅", jurisdiction=w.where, phone="13912345678")
    factories.proposal(w.office, proposers=[duplicate])
    return lambda: actions.merge_proposers(w.office, keep, duplicate)


def contacts_updated(w):
    person = factories.proposer("文彬", jurisdiction=w.where)
    return lambda: actions.update_proposer_contacts(w.office, person, phone="13912345678")


PDF = b"%PDF-1.7\n%%EOF\n"


# ---- 网上提交: the proposers' accounts act ------------------------------------------------------
def online_draft(w):
    """A draft of w.filer's in w.session, opened for filing since yesterday."""
    w.session.filing_opens_on = date.today() - timedelta(days=1)
    w.session.save(update_fields=["filing_opens_on"])
    lead = factories.proposer("章毅", jurisdiction=w.where, user=w.filer)
    return actions.start_draft(w.filer, session=w.session, lead=lead, title="关于网上提交的提案")


def awaiting(w):
    other = factories.proposer("张远波", jurisdiction=w.where, user=w.cosigner)
    return actions.ask_cosigners(online_draft(w), w.filer, [other])


def returned_online(w):
    draft = actions.submit_draft(online_draft(w), w.filer)
    actions.return_proposal(draft.proposal, w.office, "请补充")
    return draft


W, R = "workflow.actions.", "responses.actions."

# verb → (prepare(w) returning the call to check, the transition logged, who is logged as
# acting: an attribute of w, or None for the system and the proposer's own link).
VERBS = {
    W + "receive_proposal": (lambda w: lambda: factories.proposal(w.office), "receive", "office"),
    W + "correct_proposal": (
        lambda w: (
            lambda item: lambda: actions.correct_proposal(item, w.office, title="关于别的事项")
        )(factories.proposal(w.office)),
        "correct",
        "office",
    ),
    W + "start_review": (
        lambda w: (lambda item: lambda: actions.start_review(item, w.office))(
            factories.proposal(w.office)
        ),
        "start_review",
        "office",
    ),
    W + "file_proposal": (
        lambda w: (lambda item: lambda: actions.file_proposal(item, w.office))(under_review(w)),
        "file",
        "office",
    ),
    W + "reject_proposal": (
        lambda w: (lambda item: lambda: actions.reject_proposal(item, w.office, "属于内部事务"))(
            under_review(w)
        ),
        "reject",
        "office",
    ),
    W + "merge_proposal": (
        lambda w: (lambda item, target: lambda: actions.merge_proposal(item, w.office, target))(
            under_review(w), factories.filed(w.office)
        ),
        "merge",
        "office",
    ),
    W + "update_proposer_contacts": (contacts_updated, "update_contacts", "office"),
    W + "merge_proposers": (two_records, "merge_proposers", "office"),
    W + "return_proposal": (
        lambda w: (lambda item: lambda: actions.return_proposal(item, w.office, "请补充"))(
            under_review(w)
        ),
        "return_for_revision",
        "office",
    ),
    W + "convert_proposal": (
        lambda w: (lambda item: lambda: actions.convert_proposal(item, w.office, "不宜作提案"))(
            under_review(w)
        ),
        "convert",
        "office",
    ),
    W + "assign_proposal": (
        lambda w: (lambda item: lambda: actions.assign_proposal(item, w.office, lead=w.kewei))(
            factories.filed(w.office)
        ),
        "assign",
        "office",
    ),
    W + "accept_assignment": (
        lambda w: (lambda a: lambda: actions.accept_assignment(a, w.clerk))(assigned(w)),
        "accept",
        "clerk",
    ),
    W + "request_transfer": (
        lambda w: (lambda a: lambda: actions.request_transfer(a, w.clerk, "非本单位职责"))(
            accepted(w)
        ),
        "request_transfer",
        "clerk",
    ),
    W + "decide_transfer": (
        lambda w: (lambda t: lambda: actions.decide_transfer(t, w.office, approve=True))(
            transfer(w)
        ),
        "approve",
        "office",
    ),
    W + "request_extension": (
        lambda w: (
            lambda a: (
                lambda: actions.request_extension(
                    a, w.clerk, a.due_on + timedelta(days=10), "需要协调"
                )
            )
        )(accepted(w)),
        "request",
        "clerk",
    ),
    W + "decide_extension": (
        lambda w: (lambda e: lambda: actions.decide_extension(e, w.office, approve=True))(
            extension(w)
        ),
        "approve",
        "office",
    ),
    W + "record_contact": (
        lambda w: (lambda a: lambda: factories.contacted(a, w.clerk))(accepted(w)),
        "contact",
        "clerk",
    ),
    W + "urge": (
        lambda w: (lambda a: lambda: actions.urge(w.office, w.kewei, "请抓紧", a.proposal))(
            accepted(w)
        ),
        "urge",
        "office",
    ),
    W + "recompute_deadlines": (recompute, "recompute", "office"),
    W + "add_office_member": (
        lambda w: (lambda user: lambda: actions.add_office_member(user, w.where, actor=w.admin))(
            factories.user()
        ),
        "add_member",
        "admin",
    ),
    W + "add_unit_member": (
        lambda w: (
            lambda user: lambda: actions.add_unit_member(user, w.kewei, "clerk", actor=w.admin)
        )(factories.user()),
        "add_member",
        "admin",
    ),
    W + "start_item_import": (
        lambda w: (
            lambda: actions.start_item_import(
                w.office, w.where, SimpleUploadedFile("items.xlsx", item_import.template_workbook())
            )
        ),
        "upload",
        "office",
    ),
    W + "confirm_item_import": (
        lambda w: (lambda r: lambda: actions.confirm_item_import(r, w.office))(
            checked_item_import(w)
        ),
        "confirm",
        "office",
    ),
    W + "import_items": (
        lambda w: (lambda rows: lambda: actions.import_items(w.office, w.where, rows))(
            item_rows(w)
        ),
        "import",
        "office",
    ),
    W + "start_draft": (lambda w: lambda: online_draft(w), "start", "filer"),
    W + "edit_draft": (
        lambda w: (lambda d: lambda: actions.edit_draft(d, w.filer, title="关于改过的提案"))(
            online_draft(w)
        ),
        "edit",
        "filer",
    ),
    W + "attach_to_draft": (
        lambda w: (
            lambda d: lambda: actions.attach_to_draft(d, w.filer, SimpleUploadedFile("a.pdf", PDF))
        )(online_draft(w)),
        "attach",
        "filer",
    ),
    W + "ask_cosigners": (lambda w: lambda: awaiting(w), "ask_cosigners", "filer"),
    W + "answer_cosignature": (
        lambda w: (
            lambda d: (
                lambda: actions.answer_cosignature(d.cosignatures.get(), w.cosigner, confirm=True)
            )
        )(awaiting(w)),
        "confirm",
        "cosigner",
    ),
    W + "choose_proposer_notice_way": (
        lambda w: (lambda p: lambda: actions.choose_proposer_notice_way(p, w.filer, "none"))(
            factories.proposer("章毅", jurisdiction=w.where, user=w.filer)
        ),
        "choose_notice_way",
        "filer",
    ),
    W + "submit_draft": (
        lambda w: (lambda d: lambda: actions.submit_draft(d, w.filer))(online_draft(w)),
        "submit",
        "filer",
    ),
    W + "resubmit_draft": (
        lambda w: (lambda d: lambda: actions.resubmit_draft(d, w.filer))(returned_online(w)),
        "resubmit",
        "filer",
    ),
    W + "withdraw_draft": (
        lambda w: (lambda d: lambda: actions.withdraw_draft(d, w.filer))(online_draft(w)),
        "withdraw",
        "filer",
    ),
    R + "start_reply": (
        lambda w: (lambda a: lambda: responses_actions.start_reply(a, w.clerk))(accepted(w)),
        "draft",
        "clerk",
    ),
    R + "start_opinion": (opinion, "draft", "co_clerk"),
    R + "start_letter": (
        lambda w: (lambda a: lambda: responses_actions.start_letter(a, w.clerk))(accepted(w)),
        "draft",
        "clerk",
    ),
    R + "apply_template": (template, "apply_template", "clerk"),
    R + "save_letter": (
        lambda w: (
            lambda letter: lambda: responses_actions.save_letter(letter, w.clerk, body="改过的正文")
        )(responses_actions.start_reply(accepted(w), w.clerk)),
        "edit",
        "clerk",
    ),
    R + "attach_file": (
        lambda w: (
            lambda letter: (
                lambda: responses_actions.attach_file(
                    letter, w.clerk, SimpleUploadedFile("附件.pdf", PDF)
                )
            )
        )(draft(w)),
        "attach",
        "clerk",
    ),
    R + "submit_letter": (
        lambda w: (lambda letter: lambda: responses_actions.submit_letter(letter, w.clerk))(
            draft(w)
        ),
        "submit",
        "clerk",
    ),
    R + "return_letter": (
        lambda w: (
            lambda letter: lambda: responses_actions.return_letter(letter, w.leader, "请补充")
        )(submitted(w)),
        "return_for_revision",
        "leader",
    ),
    R + "sign_letter": (
        lambda w: (lambda letter: lambda: responses_actions.sign_letter(letter, w.leader))(
            submitted(w)
        ),
        "sign",
        "leader",
    ),
    R + "sign_and_send_letter": (
        lambda w: (lambda letter: lambda: responses_actions.sign_and_send_letter(letter, w.leader))(
            submitted(w)
        ),
        "send",
        "leader",
    ),
    R + "send_letter": (
        lambda w: (lambda letter: lambda: responses_actions.send_letter(letter, w.clerk))(
            responses_actions.sign_letter(submitted(w), w.leader)
        ),
        "send",
        "clerk",
    ),
    R + "record_paper_delivery": (
        lambda w: (
            lambda person: (
                lambda reply: (
                    lambda: responses_actions.record_paper_delivery(
                        w.clerk, reply, person, date.today()
                    )
                )
            )(sent(w, proposers=[person]))
        )(factories.proposer("文彬", address="上海市人民大道200号")),
        "record_handover",
        "clerk",
    ),
    R + "resend_delivery": (
        resend,
        "resend",
        "clerk",
    ),
    R + "publish_letter": (
        lambda w: (lambda letter: lambda: responses_actions.publish_letter(letter, w.clerk))(
            sent(w)
        ),
        "publish",
        "clerk",
    ),
    R + "withdraw_publication": (
        lambda w: (
            lambda letter: (
                lambda: responses_actions.withdraw_publication(letter, w.office, "误公开")
            )
        )(responses_actions.publish_letter(sent(w), w.clerk)),
        "withdraw",
        "office",
    ),
    R + "record_feedback": (feedback, "feedback", None),
    R + "suggest_commitments": (
        lambda w: (lambda reply: lambda: responses_actions.suggest_commitments(reply, w.clerk))(
            promising(w)
        ),
        "suggest_commitments",
        "clerk",
    ),
    R + "add_commitment": (
        lambda w: (
            lambda reply: (
                lambda: responses_actions.add_commitment(
                    reply, w.clerk, what="年内完成", due_kind="year", promised_on=date(2030, 1, 1)
                )
            )
        )(promising(w)),
        "confirm",
        "clerk",
    ),
    R + "confirm_commitment": (
        lambda w: (
            lambda c: (
                lambda: responses_actions.confirm_commitment(
                    c, w.clerk, what=c.what, due_kind=c.due_kind, promised_on=c.promised_on
                )
            )
        )(candidate(w)),
        "confirm",
        "clerk",
    ),
    R + "reject_commitment": (
        lambda w: (lambda c: lambda: responses_actions.reject_commitment(c, w.clerk))(candidate(w)),
        "reject_commitment",
        "clerk",
    ),
    R + "note_progress": (
        lambda w: (lambda c: lambda: responses_actions.note_progress(c, w.clerk, "已完成设计"))(
            tracked(w)
        ),
        "note_progress",
        "clerk",
    ),
    R + "request_drop": (
        lambda w: (lambda c: lambda: responses_actions.request_drop(c, w.clerk, "政策调整"))(
            tracked(w)
        ),
        "request_drop",
        "clerk",
    ),
    R + "decide_drop": (
        lambda w: (lambda c: lambda: responses_actions.decide_drop(c, w.office, approve=True))(
            drop_requested(w)
        ),
        "approve_drop",
        "office",
    ),
    R + "start_follow_up": (
        lambda w: (
            lambda c: lambda: responses_actions.start_follow_up(c.reply.assignment, w.clerk)
        )(tracked(w)),
        "draft_follow_up",
        "clerk",
    ),
    R + "report_commitment": (
        lambda w: (
            lambda pair: (
                lambda: responses_actions.report_commitment(
                    pair[1], pair[0], w.clerk, outcome="delivered"
                )
            )
        )(follow_up(w)),
        "report_commitment",
        "clerk",
    ),
    R + "record_look_back": (
        lambda w: (
            lambda reply: (
                lambda: responses_actions.record_look_back(
                    reply, w.office, date.today().year, False, "未反弹"
                )
            )
        )(delivered_last_year(w)),
        "record_look_back",
        "office",
    ),
    R + "mark_solved": (
        lambda w: (lambda reply: lambda: responses_actions.mark_solved(reply, w.office))(
            delivered_reply(w)
        ),
        "mark_solved",
        "office",
    ),
    R + "close_without_feedback": (
        lambda w: (lambda item: lambda: responses_actions.close_without_feedback(item))(
            Proposal.objects.get(pk=sent(w).assignment.proposal_id)
        ),
        "close",
        None,
    ),
    R + "start_letter_import": (
        lambda w: (
            lambda: responses_actions.start_letter_import(
                w.office, w.where, [SimpleUploadedFile("letter.txt", "关于…的提案的答复".encode())]
            )
        ),
        "upload",
        "office",
    ),
    R + "import_letter": (past_letter, "import", "office"),
    R + "save_letter_import": (saved_import, "import", "office"),
}


def test_every_verb_is_listed():
    found = public_functions_taking_an_actor()
    unlisted = found - set(VERBS) - set(NOT_VERBS)
    assert not unlisted, (
        f"new verbs: add each to VERBS (and make it log) or to NOT_VERBS: {unlisted}"
    )
    assert not (set(VERBS) | set(NOT_VERBS)) - found, "listed functions that are gone"


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_the_verb_writes_its_log_row(verb, w):
    prepare, transition, actor = VERBS[verb]
    call = prepare(w)
    before = TransitionLog.objects.aggregate(last=Max("id"))["last"] or 0
    call()
    written = TransitionLog.objects.filter(id__gt=before)
    by = getattr(w, actor) if actor else None
    assert written.filter(transition=transition, actor=by).exists(), (
        f"{verb} wrote {list(written.values_list('transition', 'actor__username'))}"
    )
    assert not written.filter(hash="").exists()  # through the one helper: chained


def test_an_autosave_that_changes_nothing_writes_no_row(w):
    letter = draft(w)
    before = TransitionLog.objects.count()
    responses_actions.save_letter(letter, w.clerk, body=letter.body, class_label=letter.class_label)
    assert TransitionLog.objects.count() == before


def test_autosaves_of_one_editor_write_one_row_per_ten_minutes(w):
    letter = draft(w)  # its save wrote an "edit" row a moment ago
    edits = TransitionLog.objects.filter(object_id=letter.pk, transition="edit")
    assert edits.count() == 1
    responses_actions.save_letter(letter, w.clerk, body="第二稿")
    responses_actions.save_letter(letter, w.clerk, body="第三稿")
    assert edits.count() == 1  # the same editor, within ten minutes
    other = factories.member(w.kewei, "clerk")
    responses_actions.save_letter(letter, other, body="另一人改的稿")
    assert edits.count() == 2 and edits.last().actor == other
    later = edits.last().at + timedelta(minutes=11)
    responses_actions.save_letter(letter, other, body="十一分钟后", at=later)
    assert edits.count() == 3


def test_sign_and_send_is_one_transaction(w, monkeypatch):
    """A letter that cannot be sent is not left signed."""
    letter = submitted(w)

    def refuse(letter):
        raise ActionRefused("缺字")

    monkeypatch.setattr(rendering, "require_glyphs", refuse)
    with pytest.raises(ActionRefused):
        responses_actions.sign_and_send_letter(letter, w.leader)
    letter.refresh_from_db()
    assert letter.state == "submitted"
    assert not TransitionLog.objects.filter(object_id=letter.pk, transition="sign").exists()


def test_the_sign_and_send_button_leaves_nothing_signed_when_sending_fails(client, w, monkeypatch):
    letter = submitted(w)

    def refuse(letter):
        raise ActionRefused("该函含有无法打印的字")

    monkeypatch.setattr(rendering, "require_glyphs", refuse)
    client.force_login(w.leader)
    page = client.post(
        f"/letters/reply/{letter.pk}/sign",
        {"send": "1", "confirmed": "1"},
        follow=True,
        headers={"referer": "/"},
    )
    assert "该函含有无法打印的字" in page.content.decode()
    letter.refresh_from_db()
    assert letter.state == "submitted" and letter.signer is None


def test_memberships_made_in_the_admin_go_through_the_verbs(client, w):
    person = factories.user("newcomer")
    client.force_login(w.admin)
    client.post(
        "/admin/workflow/unitmembership/add/",
        {"user": person.pk, "unit": w.kewei.pk, "role": "clerk"},
    )
    client.post(
        "/admin/workflow/officemembership/add/", {"user": person.pk, "jurisdiction": w.where.pk}
    )
    rows = TransitionLog.objects.filter(transition="add_member", actor=w.admin)
    assert sorted(rows.values_list("target", flat=True)) == ["clerk", "office"]
    person.refresh_from_db()
    assert person.is_staff  # the office verb gives the office its admin


def test_the_timeline_shows_a_contact_and_an_urge_once_and_the_edits(client, w):
    letter = draft(w)
    assignment = letter.assignment
    actions.urge(w.office, w.kewei, "请于本周内答复", assignment.proposal)
    client.force_login(w.office)
    page = client.get(f"/items/{assignment.proposal_id}/").content.decode()
    page = page.split("办理过程")[1].split("</ol>")[0]  # the timeline
    assert page.count("电话沟通办理思路") == 1  # the contact, from its own record
    assert page.count("请于本周内答复") == 1
    assert "修改" in page and "正文" in page  # the draft's edit, with the fields it changed
