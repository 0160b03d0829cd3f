"""A year whose official schedule is not loaded (2027 and 2028 here; the shipped schedule ends
with 2026) still skips the statutory holidays on fixed dates — 元旦 1 Jan, 劳动节 1–2 May,
国庆节 1–3 Oct — and a deadline never lands on one. Once the year is loaded, its schedule
decides (a 调休 Saturday counts) and open deadlines are computed anew."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests import factories
from workflow import deadlines
from workflow.actions import assign_proposal, recompute_deadlines
from workflow.models import Assignment, CalendarDay, CalendarYear, DeadlineRule

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def on(*args):
    return datetime(*args, 10, 0, tzinfo=TZ)


@pytest.fixture
def jingxinwei(shanghai):
    return factories.unit("上海市经济和信息化委员会", shanghai, organ_code="沪经")


def co_handled(office, lead, co, day):
    """Assigned on `day` with `co` as co-handler: its opinion is due a calendar month later."""
    with time_machine.travel(on(day.year, day.month, day.day), tick=False):
        item = factories.filed(office)
        assign_proposal(item, office, lead=lead, co=[co])
    return Assignment.objects.get(proposal=item, role="co")


@pytest.mark.parametrize(
    ("start", "days", "until"),
    [
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # Fri 1 Jan 2027 is 元旦
        (date(2028, 4, 28), 1, date(2028, 5, 3)),  # Mon 1 and Tue 2 May 2028: 劳动节
        (date(2028, 9, 29), 1, date(2028, 10, 4)),  # Mon 2 and Tue 3 Oct 2028: 国庆节
        (date(2027, 9, 30), 5, date(2027, 10, 8)),  # Fri 1 Oct 2027 not counted
    ],
)
def test_working_days_of_an_unloaded_year_skip_the_fixed_date_holidays(start, days, until):
    cal = deadlines.WorkingCalendar()
    assert deadlines.add_working_days(start, days, cal) == until


def test_a_month_deadline_on_a_fixed_holiday_stays_unless_the_rule_rolls_it(
    office, kewei, jingxinwei
):
    # Assigned Tue 1 Dec 2026: a month later is Fri 1 Jan 2027 (元旦), 2027 not loaded. By
    # default a month deadline is not moved off a rest day (DOMAIN.md §3), loaded year or not.
    co = co_handled(office, kewei, jingxinwei, date(2026, 12, 1))
    assert co.due_on == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("assigned", "due"),
    [
        (date(2027, 7, 1), date(2027, 10, 4)),  # 1 Oct (Fri) → past the weekend
        (date(2028, 2, 1), date(2028, 5, 3)),  # 1 May 2028 is a Monday, 2 May too
    ],
)
def test_a_reply_due_on_a_fixed_date_holiday_moves_to_the_next_working_day(
    office, clerk, kewei, shanghai, assigned, due
):
    DeadlineRule.objects.create(jurisdiction=shanghai, kind="proposal", roll_to_working_day=True)
    with time_machine.travel(on(assigned.year, assigned.month, assigned.day), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
    assert assignment.due_on == due


def test_the_explanation_names_the_holiday_and_the_move(office, clerk, kewei, shanghai, client):
    DeadlineRule.objects.create(jurisdiction=shanghai, kind="proposal", roll_to_working_day=True)
    with time_machine.travel(on(2027, 7, 1), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
        client.force_login(clerk)
        page = client.get(f"/items/{assignment.proposal_id}/").content.decode()
    assert "国庆节" in page and "为节假日，顺延" in page
    assert "已扣除元旦、劳动节、国庆节" in page and "调休尚未计入" in page


def test_a_loaded_schedule_decides_and_open_deadlines_follow_it(office, clerk, kewei):
    with time_machine.travel(on(2027, 9, 30), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
    assert assignment.transfer_until == date(2027, 10, 8)
    # The office loads 2027 (as the State Council might set it): 1–7 Oct off, Sat 9 Oct worked.
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(day=date(2027, 10, d), is_working=False, name="国庆节")
            for d in (1, 4, 5, 6, 7)
        ]
        + [CalendarDay(day=date(2027, 10, 9), is_working=True, name="国庆节调休上班")]
    )
    CalendarYear.objects.create(year=2027, source="测试")
    cal = deadlines.WorkingCalendar()
    assert cal.is_working_day(date(2027, 10, 9))  # the 调休 Saturday counts
    assert not cal.is_working_day(date(2027, 10, 6))  # beyond the fixed dates, by the schedule
    assert deadlines.transfer_until(date(2027, 9, 30), cal=cal) == date(2027, 10, 13)


def test_loading_the_year_never_moves_a_month_deadline_the_units_were_shown(
    office, kewei, jingxinwei
):
    co = co_handled(office, kewei, jingxinwei, date(2026, 12, 1))
    assert co.due_on == date(2027, 1, 1)
    CalendarDay.objects.create(day=date(2027, 1, 1), is_working=False, name="元旦")
    CalendarYear.objects.create(year=2027, source="测试")
    recompute_deadlines(reason="节假日安排已载入")
    co.refresh_from_db()
    assert co.due_on == date(2027, 1, 1) and co.due_version == 1


def test_with_the_rolling_rule_the_loaded_schedule_keeps_the_deadline_off_the_holiday(
    office, kewei, jingxinwei, shanghai
):
    DeadlineRule.objects.create(jurisdiction=shanghai, kind="proposal", roll_to_working_day=True)
    co = co_handled(office, kewei, jingxinwei, date(2026, 12, 1))
    assert co.due_on == date(2027, 1, 4)
    CalendarDay.objects.create(day=date(2027, 1, 1), is_working=False, name="元旦")
    CalendarYear.objects.create(year=2027, source="测试")
    assert recompute_deadlines(reason="节假日安排已载入") == 0
    co.refresh_from_db()
    assert co.due_on == date(2027, 1, 4)


def test_an_office_correction_wins_over_the_fallback():
    # A day the office entered by hand for a year not yet loaded is taken as entered.
    CalendarDay.objects.create(day=date(2028, 5, 2), is_working=True, name="调整")
    cal = deadlines.WorkingCalendar()
    assert cal.is_working_day(date(2028, 5, 2)) and not cal.is_working_day(date(2028, 5, 1))
