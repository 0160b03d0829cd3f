"""The official holiday schedule: loaded from the chinese-calendar package for the years it
knows, corrected by the office, and a yearly reminder to load the next year."""

from datetime import date

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.db import transaction
from django.utils import timezone

from .models import CalendarDay, CalendarYear

CHINESE_NAMES = {h.value: h.chinese for h in Holiday}
SOURCE = f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()


def known_years():
    """The years whose official schedule the package carries."""
    return sorted(
        {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    )


def official_days(year):
    days = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year == year and day.weekday() < 5:  # weekends are rest days anyway
            days[day] = (False, CHINESE_NAMES.get(name, name))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year:
            days[day] = (True, f"{CHINESE_NAMES.get(name, name)}调休上班")
    return days


@transaction.atomic
def load_year(year, source=SOURCE):
    """Replace a year's holidays and make-up days with the official schedule."""
    if year not in known_years():
        raise ValueError(f"{source} has no schedule for {year}")
    CalendarDay.objects.filter(day__year=year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(day=day, is_working=working, name=name)
        for day, (working, name) in sorted(official_days(year).items())
    )
    CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source, "loaded_at": timezone.now()}
    )
    return CalendarDay.objects.filter(day__year=year).count()


def next_year_missing(today=None):
    """From December on, the coming year's schedule should be loaded before it starts."""
    today = today or timezone.localdate()
    upcoming = today.year + 1
    if today >= date(today.year, 12, 1) and not CalendarYear.objects.filter(year=upcoming).exists():
        return upcoming
    return None
