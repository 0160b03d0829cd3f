"""Every deadline in Banli is computed here, from the rule set of the item's jurisdiction and
kind and from the working-day calendar (DOMAIN.md §3).

Calendar months clamp to the month's end (31 Jan + 3 months → 30 Apr). Working-day windows
skip weekends and public holidays and count make-up working days (调休). A year whose official
schedule the office has not loaded counts Monday to Friday less the statutory holidays on fixed
dates (元旦, 劳动节, 国庆节), and the pages say so; its lunar holidays and make-up days wait for
the schedule. Once loaded, the schedule decides and open deadlines are computed anew.

How a deadline stands on a given day (badge words, the monitor's aging bands) is in aging.py.
"""

import calendar
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, CalendarYear, DeadlineRule


@dataclass(frozen=True)
class Rules:
    reply_months: int = 3
    extension_ceiling_months: int = 6
    opinion_months: int = 1
    # 签收: units are expected to accept within a few working days of 交办; only statistics
    # and the acceptance column use it, nothing is refused when it passes.
    accept_working_days: int = 5
    transfer_working_days: int = 5
    rehandling_months: int = 1
    feedback_working_days: int = 15
    publication_working_days: int = 20
    roll_to_working_day: bool = False


DEFAULT_RULES = Rules()
RULE_FIELDS = [f.name for f in fields(Rules)]


def rules_for(jurisdiction, kind):
    """The rule set in force for a jurisdiction and item kind (the defaults if none is set)."""
    row = DeadlineRule.objects.filter(jurisdiction=jurisdiction, kind=kind).first()
    return Rules(**{name: getattr(row, name) for name in RULE_FIELDS}) if row else DEFAULT_RULES


class RuleBook:
    """rules_for, remembered per jurisdiction and kind: one query each, however many rows a
    list or a sweep walks through."""

    def __init__(self):
        self.known = {}

    def __call__(self, jurisdiction, kind):
        key = (getattr(jurisdiction, "pk", jurisdiction), kind)
        if key not in self.known:
            self.known[key] = rules_for(key[0], kind)
        return self.known[key]


# ---- the calendar -------------------------------------------------------------------------
# 全国年节及纪念日放假办法 (as revised in 2024): the holidays on fixed Gregorian dates. The
# lunar ones (春节, 清明, 端午, 中秋) and the make-up days (调休) come only with a year's schedule.
FIXED_DATE_HOLIDAYS = {
    (1, 1): _("元旦"),
    (5, 1): _("劳动节"),
    (5, 2): _("劳动节"),
    (10, 1): _("国庆节"),
    (10, 2): _("国庆节"),
    (10, 3): _("国庆节"),
}


class WeekdayCalendar:
    """The fallback for a year whose official schedule is not loaded: Monday to Friday, less
    the fixed-date statutory holidays."""

    exceptions: dict = {}
    loaded_years: frozenset = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.exceptions:  # the official schedule (or the office's correction) wins
            return self.exceptions[day]
        return day.weekday() < 5 and not self.fixed_holiday(day)

    def fixed_holiday(self, day: date):
        """The fixed-date statutory holiday on this day, if its year's schedule is not loaded."""
        if day.year in self.loaded_years or day in self.exceptions:
            return ""
        return FIXED_DATE_HOLIDAYS.get((day.month, day.day), "")

    def note(self, day: date):
        """Why a day is (not) worked, for explanations: the holiday's or make-up day's name."""
        return self.fixed_holiday(day)


class WorkingCalendar(WeekdayCalendar):
    """The official schedule as loaded into the database: holidays and make-up days."""

    def __init__(self):
        rows = CalendarDay.objects.values_list("day", "is_working", "name")
        self.exceptions = {day: working for day, working, _name in rows}
        self.names = {day: name for day, _working, name in rows}
        self.loaded_years = frozenset(CalendarYear.objects.values_list("year", flat=True))

    def note(self, day):
        return self.names.get(day) or self.fixed_holiday(day)

    def missing_years(self, *days):
        return sorted({d.year for d in days if d and d.year not in self.loaded_years})


def unloaded_years(days):
    """Years among these dates whose official schedule is not loaded (pages warn)."""
    years = {d.year for d in days if d}
    if not years:
        return []
    return sorted(
        years - set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    )


# ---- arithmetic -----------------------------------------------------------------------------
def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def add_working_days(start: date, days: int, cal=None) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    cal = cal or WeekdayCalendar()
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if cal.is_working_day(current):
            counted += 1
    return current


def next_working_day(day: date, cal) -> date:
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return day


def _landing(day, rules, cal):
    """Where a calendar-month deadline lands: moved to the next working day only if the rule
    says so (期限遇节假日顺延, DOMAIN.md §3), in a loaded year and an unloaded one alike, so
    loading the schedule never shortens a deadline the units were already shown."""
    if cal and rules.roll_to_working_day:
        return next_working_day(day, cal)
    return day


def reply_due(assigned_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return _landing(add_months(assigned_on, rules.reply_months), rules, cal)


def opinion_due(assigned_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return _landing(add_months(assigned_on, rules.opinion_months), rules, cal)


def extension_ceiling(assigned_on: date, rules: Rules = DEFAULT_RULES) -> date:
    return add_months(assigned_on, rules.extension_ceiling_months)


def accept_due(assigned_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return add_working_days(assigned_on, rules.accept_working_days, cal)


def transfer_until(accepted_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return add_working_days(accepted_on, rules.transfer_working_days, cal)


def rehandling_due(reopened_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return _landing(add_months(reopened_on, rules.rehandling_months), rules, cal)


def feedback_until(delivered_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return add_working_days(delivered_on, rules.feedback_working_days, cal)


def publication_due(sent_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return add_working_days(sent_on, rules.publication_working_days, cal)


def cosign_answer_by(asked_at, days):
    """联名: when a co-signer's answer is due, `days` whole days after the lead asked (a time,
    not a working day: the invitation is a proposer's, not an office's, deadline)."""
    return asked_at + timedelta(days=days)


def period_end(day: date, kind: str) -> date:
    """The last day of the quarter ("quarter") or year ("year") holding `day`; else `day`."""
    if kind == "year":
        return date(day.year, 12, 31)
    if kind == "quarter":
        month = (day.month - 1) // 3 * 3 + 3
        return date(day.year, month, calendar.monthrange(day.year, month)[1])
    return day


PROMISED_WITHIN_YEARS = 10  # how far ahead a reply may promise


def latest_promise(written_on: date) -> date:
    """The last day a reply written on `written_on` may promise (29 February: the 28th)."""
    try:
        return written_on.replace(year=written_on.year + PROMISED_WITHIN_YEARS)
    except ValueError:
        return written_on.replace(year=written_on.year + PROMISED_WITHIN_YEARS, day=28)


def commitment_due(promised_on: date, kind: str, cal=None) -> date:
    """承诺事项's deadline: the day promised, or the end of the quarter or year promised, on the
    working-day calendar: a rest day moves it to the next working day (期限遇节假日顺延)."""
    return next_working_day(period_end(promised_on, kind), cal or WeekdayCalendar())


def due_for(role, basis, start, rules, cal=None):
    """The deadline an assignment's clock gives: by role for the first round, the
    re-handling rule after 不满意. An approved extension is a fixed date (None here)."""
    if basis == "rehandling":
        return rehandling_due(start, rules, cal)
    if basis == "assigned":
        return opinion_due(start, rules, cal) if role == "co" else reply_due(start, rules, cal)
    return None


# ---- explaining a deadline ------------------------------------------------------------------
def explain_span(start, end, cal):
    """Holidays and make-up working days met between two dates (both included)."""
    holidays, makeups, day = [], [], start + timedelta(days=1)
    while day <= end:
        weekday_rule = day.weekday() < 5
        if cal.is_working_day(day) != weekday_rule:
            (makeups if cal.is_working_day(day) else holidays).append((day, cal.note(day)))
        day += timedelta(days=1)
    return holidays, makeups


def explain(assignment, rules, cal, extensions=()):
    """Start date, rule, days counted, holidays and make-up days met, extensions: what the
    item page shows under “期限说明”."""
    start = assignment.due_from or timezone.localdate(assignment.assigned_at)
    due = assignment.due_on
    if assignment.due_basis == "extension":
        rule = _("经建议提案处批准延期")
    elif assignment.due_basis == "rehandling":
        rule = _("重新办理：不满意后%(n)d个月") % {"n": rules.rehandling_months}
    elif assignment.role == "co":
        rule = _("会办意见：自交办起%(n)d个月") % {"n": rules.opinion_months}
    else:
        rule = _("答复：自交办起%(n)d个月") % {"n": rules.reply_months}
    natural = due_for(
        assignment.role, assignment.due_basis, start, replace(rules, roll_to_working_day=False)
    )
    holidays, makeups = explain_span(start, due, cal)
    lines = {
        "start": start,
        "rule": rule,
        "due": due,
        "calendar_days": (due - start).days,
        "working_days": sum(
            1
            for i in range(1, (due - start).days + 1)
            if cal.is_working_day(start + timedelta(days=i))
        ),
        "clamped": natural is not None and natural.day != start.day,
        "rolled": natural is not None and natural != due,
        "natural": natural,
        "lands_on_rest_day": not cal.is_working_day(due),
        "holidays": holidays,
        "makeups": makeups,
        "extensions": list(extensions),
        "missing_years": [y for y in sorted({start.year, due.year}) if y not in cal.loaded_years],
    }
    if assignment.transfer_until and assignment.accepted_at:
        accepted = timezone.localdate(assignment.accepted_at)
        t_holidays, t_makeups = explain_span(accepted, assignment.transfer_until, cal)
        lines["transfer"] = {
            "start": accepted,
            "until": assignment.transfer_until,
            "days": rules.transfer_working_days,
            "holidays": t_holidays,
            "makeups": t_makeups,
        }
    return lines
