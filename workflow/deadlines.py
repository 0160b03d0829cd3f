"""Every deadline in Banli is computed here, from a rule set and the working-day calendar.

DOMAIN.md §3 gives the defaults. Calendar months clamp to the month's end (31 Jan + 3 months
→ 30 Apr); working-day windows skip weekends and public holidays and count make-up working
days (调休).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rules:
    reply_months: int = 3
    extension_ceiling_months: int = 6
    opinion_months: int = 1
    transfer_working_days: int = 5
    rehandling_months: int = 1
    feedback_working_days: int = 15
    publication_working_days: int = 20


DEFAULT_RULES = Rules()


def rules_for(jurisdiction, kind):
    """The rule set in force for a jurisdiction and item kind."""
    return DEFAULT_RULES


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


class WeekdayCalendar:
    """Monday to Friday; the fallback for a year whose official schedule is not loaded."""

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5


def add_working_days(start: date, days: int, cal=None) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    cal = cal or WeekdayCalendar()
    current, counted = start, 0
    while counted < days:
        current += timedelta(days=1)
        if cal.is_working_day(current):
            counted += 1
    return current


def reply_due(assigned_on: date, rules: Rules = DEFAULT_RULES) -> date:
    return add_months(assigned_on, rules.reply_months)


def opinion_due(assigned_on: date, rules: Rules = DEFAULT_RULES) -> date:
    return add_months(assigned_on, rules.opinion_months)


def extension_ceiling(assigned_on: date, rules: Rules = DEFAULT_RULES) -> date:
    return add_months(assigned_on, rules.extension_ceiling_months)


def transfer_until(accepted_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return add_working_days(accepted_on, rules.transfer_working_days, cal)


def rehandling_due(reopened_on: date, rules: Rules = DEFAULT_RULES) -> date:
    return add_months(reopened_on, rules.rehandling_months)


def feedback_until(delivered_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return add_working_days(delivered_on, rules.feedback_working_days, cal)


def publication_due(sent_on: date, rules: Rules = DEFAULT_RULES, cal=None) -> date:
    return add_working_days(sent_on, rules.publication_working_days, cal)


# ---- how a deadline stands today (badges, monitor bands) -----------------------------------
DUE_SOON_DAYS = 7

# Aging bands of the overdue monitor, in display order: (key, label, first day, last day)
# counted as days past due (negative: days still left).
AGING_BANDS = [
    ("due_7", _("7日内到期"), -DUE_SOON_DAYS, -1),
    ("due_today", _("今日到期"), 0, 0),
    ("over_1_7", _("逾期1–7日"), 1, 7),
    ("over_8_30", _("逾期8–30日"), 8, 30),
    ("over_30", _("逾期30日以上"), 31, None),
]


def standing(due_on: date, today: date):
    """('overdue', days over) | ('today', 0) | ('soon', days left) | ('ok', days left)."""
    days = (due_on - today).days
    if days < 0:
        return "overdue", -days
    if days == 0:
        return "today", 0
    if days <= DUE_SOON_DAYS:
        return "soon", days
    return "ok", days


def band_bounds(key, today: date):
    """The due_on range (inclusive; None is open) of an aging band on `today`."""
    _key, _label, first, last = next(b for b in AGING_BANDS if b[0] == key)
    latest = today - timedelta(days=first)
    earliest = today - timedelta(days=last) if last is not None else None
    return earliest, latest
