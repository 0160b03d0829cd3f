"""How a deadline stands on a given day: the words of a deadline badge and the aging bands of
the overdue monitor. Pure date arithmetic that reads no table, so the models
(`AssignmentQuerySet.in_band`, `band_counts`) and `deadlines.py` can both build on it without
importing each other.
"""

from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

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


def standing_text(due_on: date, today: date):
    """(kind, words) for badges and exports: 逾期3日 / 今日到期 / 剩12日."""
    kind, days = standing(due_on, today)
    if kind == "overdue":
        return kind, _("逾期%(n)d日") % {"n": days}
    if kind == "today":
        return kind, _("今日到期")
    return kind, _("剩%(n)d日") % {"n": days}


def urge_text(reference, due_on: date, today: date):
    """The 催办 the office starts from, worded as the deadline badge stands: past due, it
    says so; otherwise it asks for the reply by the deadline."""
    due = date_format(due_on, "DATE_FORMAT")
    if standing(due_on, today)[0] == "overdue":
        return _("%(ref)s已于%(due)s到期，请抓紧办理，尽快答复。") % {"ref": reference, "due": due}
    return _("请抓紧办理%(ref)s，于%(due)s前答复。") % {"ref": reference, "due": due}


def band_bounds(key, today: date):
    """The due_on range (inclusive; None is open) of an aging band on `today`."""
    _key, _label, first, last = next(b for b in AGING_BANDS if b[0] == key)
    latest = today - timedelta(days=first)
    earliest = today - timedelta(days=last) if last is not None else None
    return earliest, latest
