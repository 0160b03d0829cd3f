"""Deadlines by the rules, on the official calendar: month ends, Spring Festival, National
Day and their make-up Saturdays, rule changes, and the explanation users read."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from proposals.models import Proposal
from tests import factories
from workflow import deadlines
from workflow.actions import decide_extension, request_extension
from workflow.models import Assignment, DeadlineRule, TransitionLog

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def on(*args):
    return datetime(*args, 10, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("assigned", "due"),
    [
        (date(2024, 1, 31), date(2024, 4, 30)),  # clamps to the month's end
        (date(2023, 11, 30), date(2024, 2, 29)),  # leap February
        (date(2024, 11, 30), date(2025, 2, 28)),
        (date(2024, 10, 31), date(2025, 1, 31)),
    ],
)
def test_reply_due_in_calendar_months(office, clerk, kewei, assigned, due):
    with time_machine.travel(on(assigned.year, assigned.month, assigned.day), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
    assert assignment.due_on == due


def test_transfer_window_over_spring_festival_counts_the_make_up_sunday(office, clerk, kewei):
    # 2024: 10–17 Feb off; Sunday 18 Feb is a working day (调休).
    with time_machine.travel(on(2024, 2, 9), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
    assert assignment.transfer_until == date(2024, 2, 22)


def test_transfer_window_over_national_day_counts_the_make_up_saturday(office, clerk, kewei):
    # 2026: 1–7 Oct off; Saturday 10 Oct is a working day.
    with time_machine.travel(on(2026, 9, 30), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
    assert assignment.transfer_until == date(2026, 10, 13)


def test_feedback_window_skips_holidays():
    cal = deadlines.WorkingCalendar()
    # Sent 30 Apr 2025; 1–5 May off, Sunday 27 Apr and Saturday... counted by the schedule.
    assert deadlines.feedback_until(date(2025, 4, 30), cal=cal) == deadlines.add_working_days(
        date(2025, 4, 30), 15, cal
    )
    assert not cal.is_working_day(date(2025, 5, 2))
    assert cal.is_working_day(date(2025, 4, 27))  # Sunday made a working day


def test_an_unloaded_year_falls_back_to_weekdays_less_fixed_holidays_and_says_so(
    office, clerk, kewei, client
):
    with time_machine.travel(on(2027, 9, 30), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
        assert assignment.transfer_until == date(2027, 10, 8)  # Mon–Fri less 国庆节 1 Oct (Fri)
        client.force_login(office)
        page = client.get(f"/items/{assignment.proposal_id}/").content.decode()
        client.force_login(clerk)
        clerk_page = client.get(f"/items/{assignment.proposal_id}/").content.decode()
    assert "2027年的法定节假日和调休安排尚未载入" in page and "去载入节假日安排" in page
    # The clerk cannot load the calendar, so is not shown a banner to act on.
    assert "calendar-warning" not in clerk_page and "法定节假日和调休安排尚未载入" not in clerk_page


def test_rule_can_roll_a_deadline_off_a_holiday(office, clerk, kewei, shanghai):
    DeadlineRule.objects.create(
        jurisdiction=shanghai, kind="proposal", reply_months=3, roll_to_working_day=True
    )
    with time_machine.travel(on(2026, 7, 1), tick=False):  # + 3 months = 1 Oct, a holiday
        assignment = factories.accepted(office, clerk, kewei)
    assert assignment.due_on == date(2026, 10, 8)


def test_a_rule_change_recomputes_open_deadlines_with_a_log(
    admin_client, office, clerk, kewei, shanghai, django_capture_on_commit_callbacks
):
    with time_machine.travel(on(2024, 1, 31), tick=False):
        open_one = factories.accepted(office, clerk, kewei)
        extended = factories.accepted(office, clerk, kewei)
    request = request_extension(extended, clerk, date(2024, 6, 30), "需要协调")
    decide_extension(request, office, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/workflow/deadlinerule/add/",
            {
                "jurisdiction": shanghai.pk,
                "kind": "proposal",
                "reply_months": 5,
                "extension_ceiling_months": 6,
                "opinion_months": 1,
                "accept_working_days": 5,
                "transfer_working_days": 5,
                "rehandling_months": 1,
                "feedback_working_days": 15,
                "publication_working_days": 20,
            },
        )
    assert response.status_code == 302
    recomputed = Assignment.objects.get(pk=open_one.pk)
    assert recomputed.due_on == date(2024, 6, 30) and recomputed.due_version == 2
    log = TransitionLog.objects.get(object_id=open_one.pk, transition="recompute")
    assert "2024-04-30" in log.comment and "2024-06-30" in log.comment
    assert Assignment.objects.get(pk=extended.pk).due_on == date(2024, 6, 30)  # fixed by approval
    item = Proposal.objects.get(pk=open_one.proposal_id)
    assert deadlines.rules_for(item.session.jurisdiction, "proposal").reply_months == 5


def test_explain_this_deadline(office, clerk, kewei, client):
    with time_machine.travel(on(2024, 1, 31), tick=False):
        assignment = factories.accepted(office, clerk, kewei)
        client.force_login(clerk)
        page = client.get(f"/items/{assignment.proposal_id}/").content.decode()
    assert "期限说明" in page and "2024年1月31日" in page and "取月末" in page
    assert "春节" in page and "调休上班" in page  # met between 31 Jan and 30 Apr 2024
    assert "自1月31日签收起5个工作日" in page


def test_the_explanation_counts_from_the_local_day_of_signing_for(office, clerk, kewei):
    """Signed for at 02:30 in Shanghai (18:30 UTC the day before): the transfer window and
    the explanation start on the Shanghai day, as the timeline shows it."""
    at = datetime(2024, 12, 2, 2, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assignment = Assignment.objects.get(pk=factories.accepted(office, clerk, kewei, at=at).pk)
    rules = deadlines.rules_for(assignment.proposal.session.jurisdiction, assignment.proposal.kind)
    lines = deadlines.explain(assignment, rules, deadlines.WorkingCalendar())
    assert lines["start"] == date(2024, 12, 2)
    assert lines["transfer"]["start"] == date(2024, 12, 2)
