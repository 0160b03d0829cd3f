"""A 正在解决 reply and its commitments in every state a proposer may be told of, built through
the real verbs: one delivered on time by a sent follow-up reply, one whose drop the office
approved, one the unit asked to drop (still 落实中 until the office decides), one overdue, and
one reported only by a follow-up reply still in draft; with a progress note on one. The
words that must never reach a proposer or the public are named here, so tests look for them."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from responses.actions import (
    add_commitment,
    decide_drop,
    note_progress,
    publish_letter,
    report_commitment,
    request_drop,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    start_reply,
    submit_letter,
    suggest_commitments,
)
from responses.models import Commitment, Reply

from . import factories

# Never told outside the unit and the office:
NOTE = "内部进展：预算尚未批复"  # a progress note (进展)
DRAFT_REPORT = "草稿中的落实说明"  # what a follow-up reply still in draft says
CANDIDATE = "计划于2027年底前建成示范基地"  # a candidate left unconfirmed on a sent reply
DROP_ASKED = "因机构调整无法落实"  # a drop the office has not decided
# Told to the proposers (the first also to the public, when its reply is published):
DELIVERED_NOTE = "示范项目已建成并投入使用"
DROP_APPROVED = "上位政策调整，不再实施"


@dataclass
class Story:
    reply: Reply
    follow_up: Reply
    draft_follow_up: Reply | None
    delivered: Commitment
    dropped: Commitment
    drop_asked: Commitment
    overdue: Commitment
    plain_reply: Reply | None = None


def _commit(reply, clerk, what, due):
    return add_commitment(reply, clerk, what=what, due_kind="date", promised_on=due)


def promising_reply(office, clerk, leader, unit, proposers, **letter):
    """A 正在解决 reply with four commitments, sent; the first due in a year, the others soon
    or already past."""
    assignment = factories.accepted(office, clerk, unit, proposers=proposers)
    factories.contacted(assignment, clerk)
    # Drafted two months ago: the overdue promise was made before its date had passed.
    reply = start_reply(assignment, clerk, at=timezone.now() - timedelta(days=60))
    body = "现将办理情况答复如下：下一步将建设示范项目。"
    reply = save_letter(reply, clerk, body=body, class_label="正在解决", **letter)
    today = timezone.localdate()
    made = [
        _commit(reply, clerk, "建成干细胞示范项目", today + timedelta(days=365)),
        _commit(reply, clerk, "出台扶持办法", today + timedelta(days=200)),
        _commit(reply, clerk, "开展专项调研", today + timedelta(days=100)),
        _commit(reply, clerk, "完善审批流程", today - timedelta(days=30)),
    ]
    reply = send_letter(sign_letter(submit_letter(reply, clerk), leader), clerk)
    return reply, made


def follow_up_reporting(reply, commitment, clerk, leader, note, send=True, **letter):
    follow_up = start_follow_up(reply.assignment, clerk)
    report_commitment(follow_up, commitment, clerk, outcome="delivered", note=note)
    body = "现将跟踪办理情况答复如下：示范项目已建成。"
    follow_up = save_letter(follow_up, clerk, body=body, **letter)
    if send:
        follow_up = send_letter(sign_letter(submit_letter(follow_up, clerk), leader), clerk)
    return follow_up


def story(office, clerk, leader, unit, proposers, publish=False, **letter):
    """The reply and its commitments as the module says; `publish`: the reply and its
    follow-up reply published (else sent and, with disclosure withheld, withheld)."""
    reply, (delivered, dropped, drop_asked, overdue) = promising_reply(
        office, clerk, leader, unit, proposers, **letter
    )
    note_progress(overdue, clerk, NOTE)
    request_drop(dropped, clerk, DROP_APPROVED)
    decide_drop(dropped, office, approve=True)
    request_drop(drop_asked, clerk, DROP_ASKED)
    follow_up = follow_up_reporting(reply, delivered, clerk, leader, DELIVERED_NOTE, **letter)
    if publish:
        reply, follow_up = publish_letter(reply, office), publish_letter(follow_up, office)
    # A second follow-up reply, drafted, reports the overdue one: not told until it is sent.
    draft = follow_up_reporting(reply, overdue, clerk, leader, DRAFT_REPORT, send=False)
    return Story(reply, follow_up, draft, delivered, dropped, drop_asked, overdue)


def reply_with_a_candidate(office, clerk, leader, unit, proposers):
    """A 解决采纳 reply sent with a candidate the clerk never confirmed (found while it was
    正在解决, left when its class changed; only 正在解决/计划解决 replies must confirm theirs):
    it is no commitment, and is never told."""
    assignment = factories.accepted(office, clerk, unit, proposers=proposers)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    body = f"现将办理情况答复如下：{CANDIDATE}。"
    reply = save_letter(reply, clerk, body=body, class_label="正在解决")
    assert suggest_commitments(reply, clerk)
    reply = save_letter(reply, clerk, class_label="解决采纳")
    return send_letter(sign_letter(submit_letter(reply, clerk), leader), clerk)
