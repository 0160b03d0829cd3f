"""回头看, the proposal office's review of what replies promised: its filters and reads.

The commitments page counts the jurisdiction's commitments by unit and state and lists the
standing ones, overdue first, each with its item, unit, due date, state, the unit's latest
progress note and the proposers' latest rating of the item's replies. The yearly list holds
the replies whose commitments were all delivered one to two years before the chosen year
(`due_for_look_back`), where the office records whether the problem came back. Both read a
constant number of queries whatever the rows.
"""

from hashlib import sha256

from django import forms
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.models import TransitionLog, Unit

from .models import Commitment, CommitmentNote, CommitmentState, Feedback, LookBack, Reply
from .models.commitment_states import CONFIRMED_STATES, STANDING_STATES
from .models.commitments import (
    FIRST_LOOK_BACK_YEAR,
    due_for_look_back,
    last_look_back_year,
)
from .models.letters import SENT_STATES

# The states the counts table shows, in the order a commitment lives them.
COLUMNS = [
    CommitmentState.OPEN,
    CommitmentState.PARTLY,
    CommitmentState.DROP_REQUESTED,
    CommitmentState.DELIVERED,
    CommitmentState.DROPPED,
]


class LookBackFilter(forms.Form):
    unit = forms.ModelChoiceField(
        Unit.objects.none(), label=_("落实单位"), required=False, empty_label=_("全部单位")
    )
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("待落实（全部）"))] + [(s.value, s.label) for s in COLUMNS],
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, data=None, *, jurisdiction_ids=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            jurisdiction_id__in=jurisdiction_ids
        ).order_by("name")


FIRST_YEAR = FIRST_LOOK_BACK_YEAR
last_year = last_look_back_year


def _year_field(required):
    return forms.IntegerField(
        label=_("年度"),
        required=required,
        error_messages={"required": _("请选择年度。")},
    )


class _YearBound:
    """The year field's upper bound is this year, asked when the form is made."""

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_year = last_year(today)
        self.fields["year"].widget.attrs.update(min=FIRST_YEAR, max=self.last_year)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not FIRST_YEAR <= year <= self.last_year:
            raise forms.ValidationError(
                _("年度须在%(first)d年至%(last)d年之间。"),
                params={"first": FIRST_YEAR, "last": self.last_year},
            )
        return year


class YearForm(_YearBound, forms.Form):
    year = _year_field(required=False)


class LookBackForm(_YearBound, forms.Form):
    """What the office found: for which year, did the problem come back, and what it saw."""

    year = _year_field(required=True)
    recurred = forms.TypedChoiceField(
        label=_("问题是否反弹"),
        choices=[("0", _("未反弹")), ("1", _("问题反弹"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("核查情况"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("核查情况不超过2000字。")},
    )


def in_scope(roles):
    """The commitments the office reviews: confirmed ones of its jurisdictions' sent replies."""
    return Commitment.objects.filter(
        state__in=CONFIRMED_STATES,
        reply__state__in=SENT_STATES,
        unit__jurisdiction_id__in=roles.office_jurisdiction_ids,
    )


def counts_by_unit(rows, today):
    """One row per unit: the count in each state and, per state, of those past due."""
    cells = {}
    grouped = (
        rows.values("unit_id", "unit__name", "state")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=Q(state__in=STANDING_STATES, due_on__lt=today)),
        )
        .order_by()
    )
    for row in grouped:
        unit = cells.setdefault(
            row["unit_id"],
            {"unit_id": row["unit_id"], "name": row["unit__name"], "late": 0, "late_in": {}},
        )
        unit[row["state"]] = row["n"]
        unit["late_in"][row["state"]] = row["late"]
        unit["late"] += row["late"]
    table = sorted(cells.values(), key=lambda u: (-u["late"], u["name"]))
    for unit in table:
        unit["cells"] = [unit.get(state, 0) for state in COLUMNS]
        unit["total"] = sum(unit["cells"])
    return table


def cached_counts(roles, today):
    """The counts by unit and state, once per jurisdiction, day and audit-log position: every
    verb that changes a commitment or sends its reply writes a TransitionLog row, so a newer
    last id means they may have changed (as the overdue monitor's counts, per process)."""
    last = TransitionLog.objects.aggregate(last=Max("id"))["last"]
    scope = sorted(roles.office_jurisdiction_ids)
    key = "look-back:" + sha256(repr((scope, today, last)).encode()).hexdigest()
    return cache.get_or_set(key, lambda: counts_by_unit(in_scope(roles), today), 3600)


def listed_count(by_unit, chosen):
    """How many rows the list holds, added up from the counts (no second count query)."""
    states = [chosen["state"]] if chosen.get("state") else list(STANDING_STATES)
    unit = chosen.get("unit")
    rows = [u for u in by_unit if unit is None or u["unit_id"] == unit.pk]
    if chosen.get("overdue"):
        return sum(u["late_in"].get(state, 0) for u in rows for state in states)
    return sum(u.get(state, 0) for u in rows for state in states)


def with_latest(commitments):
    """The page's commitments, each with the unit's latest progress note and the proposers'
    latest rating of any reply to its item: one query for the page, after it is cut (a
    subquery per row of the whole list would run for every row skipped to reach it)."""
    commitments = list(commitments)
    notes = CommitmentNote.objects.filter(commitment=OuterRef("pk")).order_by("-created_at", "-id")
    ratings = Feedback.objects.filter(
        reply__assignment__proposal=OuterRef("reply__assignment__proposal")
    ).order_by("-received_at", "-id")
    latest = Commitment.objects.filter(pk__in=[c.pk for c in commitments]).values_list(
        "pk",
        Subquery(notes.values("text")[:1]),
        Subquery(notes.values("created_at")[:1]),
        Subquery(ratings.values("handling_rating")[:1]),
        Subquery(ratings.values("result_rating")[:1]),
    )
    found = {pk: rest for pk, *rest in latest} if commitments else {}
    for c in commitments:
        c.latest_note, c.latest_note_at, c.latest_handling, c.latest_result = found[c.pk]
    return commitments


def listed(rows, chosen, today):
    """The list under the counts: standing commitments (or those of the chosen state),
    overdue first, then by due date."""
    if chosen.get("unit"):
        rows = rows.filter(unit=chosen["unit"])
    rows = rows.filter(state=chosen["state"]) if chosen.get("state") else rows.standing()
    if chosen.get("overdue"):
        rows = rows.filter(state__in=STANDING_STATES, due_on__lt=today)
    rows = rows.select_related("unit", "reply__assignment__proposal__session").defer(
        "reply__body",
        "reply__search_grams",
        "reply__title_grams",
        "reply__assignment__proposal__body",
        "reply__assignment__proposal__search_grams",
    )
    return rows.order_by("due_on", "id")


def commitments_context(roles, data, today=None):
    """The 回头看 page: counts by unit and state, and the filtered list (a queryset, with the
    number of its rows)."""
    today = today or timezone.localdate()
    form = LookBackFilter(data, jurisdiction_ids=roles.office_jurisdiction_ids)
    form.is_valid()  # a value it doesn't know drops that filter alone
    by_unit = cached_counts(roles, today)
    return {
        "form": form,
        "today": today,
        "columns": COLUMNS,
        "by_unit": by_unit,
        "rows": listed(in_scope(roles), form.cleaned_data, today),
        "count": listed_count(by_unit, form.cleaned_data),
        "filtered": any(form.cleaned_data.values()),
    }


def chosen_year(data, today=None):
    form = YearForm(data, today=today)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return form, year or last_year(today)


def yearly_context(roles, data, today=None):
    """The yearly 回头看 list: the replies due for it in the chosen year, with what the
    office recorded (or the form to record it)."""
    form, year = chosen_year(data, today)
    replies = due_for_look_back(
        Reply.objects.filter(assignment__unit__jurisdiction_id__in=roles.office_jurisdiction_ids),
        year,
    )
    replies = (
        replies.listed()
        .prefetch_related(
            Prefetch("look_backs", LookBack.objects.filter(year=year), to_attr="this_year")
        )
        .order_by("last_delivered", "id")
    )
    return {
        "form": form,
        "year": year,
        "first_year": FIRST_YEAR,
        "last_year": form.last_year,
        "rows": replies,
        "record_form": LookBackForm(today=today),
    }
