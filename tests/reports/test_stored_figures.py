"""The statistics page's stored figures follow the verbs: after each step of a year's handling
(made through the real verbs), beat's refresh leaves the same figures as counting every
assignment directly and as rebuilding the stored rows from nothing; the overdue count moves
with the day without a refresh; a log row that turns up late is still counted; a change of
the deadline rules counts everything again."""

import time
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from reports import figures, tasks, yearend
from reports.models import FiguresWatermark, MonthFigures, OpenByDueDate, UnitFigures
from responses.actions import (
    add_commitment,
    decide_drop,
    mark_solved,
    publish_letter,
    record_feedback,
    report_commitment,
    request_drop,
    save_letter,
    send_letter,
    sign_letter,
    start_follow_up,
    start_reply,
    submit_letter,
)
from responses.models import Commitment
from tests import factories
from tests.reports.test_statistics import TODAY, at, send
from workflow.actions import (
    accept_assignment,
    assign_proposal,
    decide_transfer,
    request_transfer,
)
from workflow.models import DeadlineRule, TransitionLog

pytestmark = pytest.mark.django_db


def stored_rows():
    return {
        model.__name__: sorted(
            tuple(v for k, v in row.items() if k != "id") for row in model.objects.values()
        )
        for model in (UnitFigures, MonthFigures, OpenByDueDate)
    }


def everything(report):
    return yearend.tables(report), report.months


def assert_same_figures(office, today=TODAY, data=None):
    """The page's figures after a refresh = the direct count = a rebuild from nothing."""
    scope = office.office_memberships.values("jurisdiction_id")
    figures.refresh()
    stored = figures.build_report(scope, data or {}, today)
    assert everything(stored) == everything(yearend.direct_report(scope, data or {}, today))
    refreshed = stored_rows()
    figures.rebuild()
    assert stored_rows() == refreshed
    return stored


@pytest.fixture
def jiaowei():
    unit = factories.unit("上海市教育委员会", organ_code="沪教")
    return unit, factories.member(unit, "clerk"), factories.member(unit, "leader")


def test_each_verb_is_counted_by_the_next_refresh(office, kewei, clerk, leader, jiaowei):
    figures.rebuild()  # an empty year, counted
    other, o_clerk, o_leader = jiaowei
    p1, p2 = factories.proposer("章毅"), factories.proposer("朱军红")
    item = factories.filed(office, proposers=[p1, p2])
    a1, b1 = assign_proposal(item, office, lead=kewei, co=[other], at=at(3, 1))
    assert assert_same_figures(office).total.assigned == 2

    accept_assignment(a1, clerk, at=at(3, 4))
    accept_assignment(b1, o_clerk, at=at(3, 20))  # after the 签收 deadline
    report = assert_same_figures(office)
    assert report.total.accepted_on_time == 1 and report.total.overdue == 2  # by 1 July

    send(b1, o_clerk, o_leader, at(3, 25), opinion=True)
    factories.contacted(a1, clerk)
    reply = send(a1, clerk, leader, at(5, 10), "解决采纳")
    publish_letter(reply, clerk)
    report = assert_same_figures(office)
    assert (report.total.replied, report.total.published) == (2, 1)

    # one proposer of two answers: only the form's own log row says so
    record_feedback(reply, p1, handling="satisfied", result="basic")
    assert assert_same_figures(office).total.handling_forms == 1
    record_feedback(reply, p2, handling="basic", result="unsatisfied", comment="未落实")
    report = assert_same_figures(office)
    assert report.total.rehandled == 1 and report.total.result_forms == 2

    # a transfer moves the item from one unit's row to another's
    (c1,) = assign_proposal(factories.filed(office), office, lead=kewei)
    accept_assignment(c1, clerk)
    transfer = request_transfer(c1, clerk, "不属于本单位职责")
    decide_transfer(transfer, office, approve=True, new_unit=other)
    report = assert_same_figures(office)
    assert {t.label: t.assigned for t in report.units} == {
        "上海市科学技术委员会": 1,
        "上海市教育委员会": 2,
    }
    assert_same_figures(office, data={"kind": "proposal", "year": 2024})


def test_the_overdue_count_follows_the_day_without_a_refresh(office, kewei):
    (assignment,) = assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))
    figures.refresh()
    scope = office.office_memberships.values("jurisdiction_id")
    due = assignment.due_on
    assert figures.build_report(scope, {}, due).total.overdue == 0
    assert figures.build_report(scope, {}, due + timedelta(days=1)).total.overdue == 1
    assert_same_figures(office, today=due + timedelta(days=1))


def test_a_log_row_committed_after_a_later_one_is_still_counted(office, kewei):
    figures.refresh()
    first = TransitionLog.objects.order_by("-pk").first().pk
    assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))
    mine = list(TransitionLog.objects.filter(pk__gt=first).values_list("pk", flat=True))
    # the last refresh read past these rows while their transaction was still running
    FiguresWatermark.objects.filter(pk=1).update(
        last_log_id=max(mine), gaps=[[pk, int(time.time())] for pk in mine]
    )
    assert figures.refresh() >= 1
    assert FiguresWatermark.objects.get().gaps == []
    assert_same_figures(office)


def test_a_missing_log_row_is_given_up_after_an_hour(office):
    figures.refresh()
    mark = FiguresWatermark.objects.get()
    now, never = int(time.time()), 10**9  # ids no row has
    mark.gaps = [[never, now - 2 * 3600], [never + 1, now]]
    mark.save()
    figures.refresh()
    assert FiguresWatermark.objects.get().gaps == [[never + 1, now]]


def test_a_new_deadline_rule_counts_everything_again(office, kewei, clerk, shanghai):
    (assignment,) = assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))
    accept_assignment(assignment, clerk, at=at(3, 15))
    assert assert_same_figures(office).total.accepted_on_time == 0
    DeadlineRule.objects.create(jurisdiction=shanghai, kind="proposal", accept_working_days=15)
    assert figures.refresh() == "all"
    assert assert_same_figures(office).total.accepted_on_time == 1


def test_the_rebuild_command(office, kewei):
    assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))
    call_command("rebuild_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert UnitFigures.objects.get().assigned == 1
    assert date(2024, 3, 1) in MonthFigures.objects.values_list("month", flat=True)


def test_beat_refreshes_the_figures_every_minute(office, kewei, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["statistics-figures"]
    assert entry["task"] == "reports.tasks.refresh_figures" and entry["schedule"] <= 60
    figures.refresh()
    assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))
    assert tasks.refresh_figures() == 1  # one (session, unit) pair counted again
    assert UnitFigures.objects.get().assigned == 1


def test_a_page_before_any_count_asks_the_worker_and_says_so(client, office, kewei, monkeypatch):
    assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))
    sent = []
    monkeypatch.setattr(tasks.refresh_figures, "delay", lambda: sent.append("refresh"))
    client.force_login(office)
    page = client.get("/office/statistics/?year=2024").content.decode()
    assert sent == ["refresh"] and "统计数据正在首次生成" in page
    figures.refresh()  # the worker's run
    page = client.get("/office/statistics/?year=2024").content.decode()
    assert "统计数据正在首次生成" not in page and "<svg" in page


def follow_up(assignment, clerk, leader, sent_on, *delivered):
    """A 跟踪办理答复 reporting these commitments delivered, sent on `sent_on`."""
    letter = start_follow_up(assignment, clerk, at=sent_on)
    for commitment in delivered:
        report_commitment(letter, commitment, clerk, outcome="delivered", note="已完成")
    letter = save_letter(letter, clerk, body="现将跟踪办理情况答复如下：已完成。")
    letter = sign_letter(submit_letter(letter, clerk, at=sent_on), leader, at=sent_on)
    return send_letter(letter, clerk, at=sent_on)


def promising_reply(assignment, clerk, leader, class_label, promises, sent_on):
    """A reply classed `class_label` making `promises` ((what, unit, day), ...), sent."""
    factories.contacted(assignment, clerk)
    letter = save_letter(start_reply(assignment, clerk, at=sent_on), clerk, body="经研究……")
    letter = save_letter(letter, clerk, class_label=class_label)
    for what, unit, day in promises:
        add_commitment(letter, clerk, what=what, due_kind="date", promised_on=day, unit=unit)
    letter = sign_letter(submit_letter(letter, clerk, at=sent_on), leader, at=sent_on)
    return send_letter(letter, clerk, at=sent_on)


def commitment_figures(tally):
    parts = (
        tally.commitments_on_time,
        tally.commitments_late,
        tally.commitments_overdue,
        tally.commitments_pending,
        tally.commitments_dropped,
    )
    assert sum(parts) == tally.commitments_made and tally.commitments_pending >= 0
    return (
        tally.commitments_made,
        tally.commitments_on_time,
        tally.commitments_late,
        tally.commitments_overdue,
        tally.commitments_dropped,
    )


def test_commitments_办成率_and_conversion_follow_the_verbs(office, kewei, clerk, leader, jiaowei):
    """Counted at the unit that delivers each commitment; 办成 = solved + every commitment
    delivered; B/C→A once the office converts."""
    other, _o_clerk, _o_leader = jiaowei
    a1, _b1 = assign_proposal(factories.filed(office), office, lead=kewei, co=[other], at=at(3, 1))
    (a2,) = assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))
    (a3,) = assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))
    for assignment in (a1, a2, a3):
        accept_assignment(assignment, clerk, at=at(3, 4))
    promises = [("年内建成", kewei, date(2024, 12, 31)), ("6月出台办法", other, date(2024, 6, 20))]
    r1 = promising_reply(a1, clerk, leader, "正在解决", promises, at(5, 10))
    promising_reply(
        a2, clerk, leader, "计划解决", [("三季度试点", kewei, date(2024, 9, 30))], at(5, 10)
    )
    factories.contacted(a3, clerk)
    send(a3, clerk, leader, at(5, 12), "解决采纳")
    report = assert_same_figures(office)
    by_unit = {t.label: t for t in report.units}
    assert commitment_figures(by_unit["上海市科学技术委员会"]) == (2, 0, 0, 0, 0)
    assert commitment_figures(by_unit["上海市教育委员会"]) == (1, 0, 0, 1, 0)  # due 20 June
    assert (report.total.done, report.total.done_rate, report.total.promised) == (1, 33.3, 2)

    c1, c2 = r1.commitments.order_by("position", "pk")
    follow_up(a1, clerk, leader, at(6, 25), c1, c2)
    report = assert_same_figures(office)
    assert commitment_figures(report.total) == (3, 1, 1, 0, 0)
    assert (report.total.done, report.total.kept, report.total.converted) == (2, 1, 0)
    assert report.total.commitments_on_time_rate == 50.0

    mark_solved(r1, office, at=at(6, 28))
    (c3,) = Commitment.objects.filter(reply__assignment=a2)
    decide_drop(request_drop(c3, clerk, "经费未落实"), office, approve=True)
    report = assert_same_figures(office)
    assert commitment_figures(report.total) == (3, 1, 1, 0, 1)
    assert (report.total.done, report.total.kept, report.total.converted) == (2, 0, 1)
    assert (report.total.conversion_rate, report.total.buckets["solved"]) == (50.0, 2)
    by_session = assert_same_figures(office, today=date(2025, 1, 2)).sessions
    assert [commitment_figures(t) for t in by_session] == [(3, 1, 1, 0, 1)]
