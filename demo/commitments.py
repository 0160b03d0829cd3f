"""The demo's 承诺事项 as the demo day finds them: replies of the science commission (the demo
clerk's unit) that promised work, one commitment in each state the office's 回头看 page and
the item pages show (due later, due soon, due on the demo day, overdue, delivered by a sent
follow-up reply, partly delivered, drop requested), and one delivered over a year ago, then
converted to 已解决, for the yearly 回头看 list. All through the verbs, dated in the past; an
item already there is left alone."""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from proposals.models import Proposal
from responses.actions import (
    confirm_commitment,
    mark_solved,
    note_progress,
    record_feedback,
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
from responses.models import Feedback, Rating
from workflow.actions import (
    accept_assignment,
    assign_proposal,
    file_proposal,
    record_contact,
    start_review,
)

UNIT = "上海市科学技术委员会"

# (number, days since 交办, [(what, days from the demo day to its due date)], what happens
# after the reply is sent). Numbers 09xx stay clear of the spread's (demo/data.py SPREAD).
CASES = [
    ("0901", 150, [("建成科技成果转化公共服务平台", 120), ("出台配套支持细则", 200)], "progress"),
    ("0902", 100, [("完成首批科创企业名单认定", 5)], "progress"),
    ("0903", 200, [("完成实验室开放共享平台建设", -20)], "rated"),
    ("0904", 220, [("完成专项资金管理办法修订", 30)], "delivered"),
    ("0905", 180, [("完成全市科普场馆改造", -5)], "partly"),
    ("0906", 160, [("建设区域创新联合体", 60)], "drop"),
    ("0907", 900, [("完成孵化器服务规范编制", -400)], "delivered_long_ago"),
    ("0908", 130, [("完成科技创新券线上兑付系统上线", 0)], "progress"),
]


# The item belongs to the latest of these sessions held by the year it was assigned in.
SESSIONS = ["市政协十四届二次会议", "市政协十四届四次会议"]


def _session_of(sessions, assigned_on):
    held = [s for s in sessions if s.year <= assigned_on.year]
    return max(held, key=lambda s: s.year) if held else sessions[0]


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load(demo):
    """Each case once (an item already there is left alone); returns how many were made."""
    today = timezone.localdate()
    sessions = [demo.sessions[name] for name in SESSIONS]
    made = 0
    for index, (number, age, promises, then) in enumerate(CASES, start=901):
        if Proposal.objects.filter(session__in=sessions, number=number).exists():
            continue
        session = _session_of(sessions, today - timedelta(days=age))
        reply = _promising_reply(demo, session, index, number, age, promises, today)
        AFTER[then](demo, reply, today)
        made += 1
    return made


def _promising_reply(demo, session, index, number, age, promises, today):
    """An item assigned `age` days ago to the science commission alone, its 计划解决 reply
    sent a month later with the promises confirmed."""
    item = demo._spread_item(random.Random(index), session, index, number, age, today)
    office, clerk = demo.users["office"], demo._first_staff(demo.units[UNIT])
    leader = demo._first_staff(demo.units[UNIT], "leader")
    start_review(item, office, at=item.received_at + timedelta(days=1))  # a 提案: reviewed first
    file_proposal(item, office, at=item.received_at + timedelta(days=2))
    assigned = _at(today - timedelta(days=age))
    (lead,) = assign_proposal(item, office, lead=demo.units[UNIT], at=assigned)
    accept_assignment(lead, clerk, at=assigned + timedelta(days=1))
    record_contact(
        lead,
        clerk,
        contacted_on=(assigned + timedelta(days=10)).date(),
        at=assigned + timedelta(days=10),
        method="phone",
        summary="电话联系提出人，商定办理措施和完成时限。",
    )
    drafted = assigned + timedelta(days=26)
    sentences = "".join(
        f"{n}、我们将于{_words(today + timedelta(days=days))}前{what}。\n"
        for n, (what, days) in zip("二三四", promises, strict=False)
    )
    reply = save_letter(
        start_reply(lead, clerk, at=drafted),
        clerk,
        at=drafted,
        class_label="计划解决",
        body=f"您提出的“{item.title}”收悉，经研究，现将办理情况答复如下：\n"
        f"一、我们已会同有关部门研究您提出的意见。\n{sentences}感谢您对本市科技工作的关心和支持。",
    )
    _confirm(reply, clerk, promises, today, drafted + timedelta(days=1))
    submit_letter(reply, clerk, at=assigned + timedelta(days=30))
    sign_letter(reply, leader, at=assigned + timedelta(days=32))
    return send_letter(reply, clerk, at=assigned + timedelta(days=33))


def _words(day):
    return f"{day.year}年{day.month}月{day.day}日"


def _confirm(reply, clerk, promises, today, at):
    """The clerk confirms each promise found in the text with the date it names."""
    found = suggest_commitments(reply, clerk, at=at)
    for candidate, (what, days) in zip(found, promises, strict=False):
        confirm_commitment(
            candidate,
            clerk,
            what=what,
            due_kind="date",
            promised_on=today + timedelta(days=days),
            at=at,
        )


def _staff(demo):
    unit = demo.units[UNIT]
    return demo._first_staff(unit), demo._first_staff(unit, "leader")


def _progress(demo, reply, today):
    clerk, _leader = _staff(demo)
    commitment = reply.commitments.order_by("position").first()
    note_progress(
        commitment, clerk, "已完成方案论证，正在组织实施。", at=_at(today - timedelta(days=6))
    )


def _rated(demo, reply, today):
    """The proposer rated the reply 基本满意 and the unit noted slow progress."""
    person = reply.assignment.proposal.proposers.first()
    record_feedback(
        reply,
        person,
        handling=Rating.SATISFIED,
        result=Rating.BASIC,
        actor=demo.users["office"],
        channel=Feedback.Channel.PAPER,
    )
    clerk, _leader = _staff(demo)
    commitment = reply.commitments.first()
    note_progress(commitment, clerk, "设备采购延期，预计下月完成。", at=timezone.now())


def _follow_up(demo, reply, outcome, sent_on):
    """跟踪办理答复: drafted, signed and sent on `sent_on`, reporting every commitment."""
    clerk, leader = _staff(demo)
    at = _at(sent_on - timedelta(days=4))
    follow_up = start_follow_up(reply.assignment, clerk, at=at)
    words = {"delivered": "已全部完成", "partly": "已完成一部分，其余正在推进"}[outcome]
    for commitment in reply.commitments.all():
        report_commitment(follow_up, commitment, clerk, outcome=outcome, note=words, at=at)
    follow_up = save_letter(
        follow_up, clerk, at=at, body=f"现将跟踪办理情况答复如下：您关心的有关工作{words}。"
    )
    submit_letter(follow_up, clerk, at=at + timedelta(days=1))
    sign_letter(follow_up, leader, at=at + timedelta(days=2))
    return send_letter(follow_up, clerk, at=_at(sent_on, 15))


def _delivered(demo, reply, today):
    _follow_up(demo, reply, "delivered", today - timedelta(days=3))


def _partly(demo, reply, today):
    _follow_up(demo, reply, "partly", today - timedelta(days=2))


def _delivered_long_ago(demo, reply, today):
    """Delivered over a year ago, and the office then moved its result to 已解决: the
    statistics' B/C→A conversion has one to count."""
    _follow_up(demo, reply, "delivered", today - timedelta(days=420))
    mark_solved(reply, demo.users["office"], at=_at(today - timedelta(days=410)))


def _drop(demo, reply, today):
    clerk, _leader = _staff(demo)
    request_drop(
        reply.commitments.first(),
        clerk,
        "上级政策调整，该项目不再由我委实施，已移交区政府统筹推进。",
        at=_at(today - timedelta(days=1)),
    )


AFTER = {
    "progress": _progress,
    "rated": _rated,
    "delivered": _delivered,
    "partly": _partly,
    "drop": _drop,
    "delivered_long_ago": _delivered_long_ago,
}
