"""The statistics page's figures, kept as counts per (session, item kind, unit) so the page
sums a few thousand rows instead of folding a year of assignments (reports/figures.py keeps
them up to date; reports/yearend.py defines what each count means).

What depends on the day the page is read cannot be stored as one number: the overdue count
is kept per due date (`OpenByDueDate`) and summed up to today when the page is read.
"""

from django.db import models

from proposals.models import Proposal, Session
from workflow.models import Unit


class KeyedRow(models.Model):
    """What every stored figure is counted by: the item's session and kind, and the unit."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Proposal.Kind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.session_id}·{self.kind}·{self.unit_id}"


class UnitFigures(KeyedRow):
    """The date-free counts of `yearend.Tally` for one (session, kind, unit).

    To add a figure: add its integer field here (default 0) with a migration, the attribute
    of the same name to `yearend.Tally` (and to `Tally.add` or `add_feedback`), and its name
    to `COUNTS` below: the refresh, the rebuild and the page then carry it, and
    tests/reports/test_stored_figures.py compares it with a from-scratch rebuild. A figure
    counted from another table (as the feedback forms are) gets a grouped count of its own
    beside `yearend.feedback_counts`, added in `yearend.direct_report` and `figures.count`;
    if that table's verbs log rows that name no item, `figures._items_of_unnamed` learns
    how to find it. Rows counted before the new column hold its default until their items
    change: the same migration deletes the `FiguresWatermark` row (RunPython), and beat's
    next refresh counts everything again (or run `manage.py rebuild_figures`)."""

    assigned = models.PositiveIntegerField(default=0)
    accepted_on_time = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    replied_on_time = models.PositiveIntegerField(default=0)
    days_total = models.PositiveBigIntegerField(default=0)
    days_counted = models.PositiveIntegerField(default=0)
    rehandled = models.PositiveIntegerField(default=0)
    replies_out = models.PositiveIntegerField(default=0)
    published = models.PositiveIntegerField(default=0)
    # the current round's result classes (proposals.classification.Bucket)
    bucket_solved = models.PositiveIntegerField(default=0)
    bucket_in_progress = models.PositiveIntegerField(default=0)
    bucket_planned = models.PositiveIntegerField(default=0)
    bucket_reference = models.PositiveIntegerField(default=0)
    # feedback forms by rating (responses.models.Rating), on both axes
    handling_satisfied = models.PositiveIntegerField(default=0)
    handling_basic = models.PositiveIntegerField(default=0)
    handling_unsatisfied = models.PositiveIntegerField(default=0)
    result_satisfied = models.PositiveIntegerField(default=0)
    result_basic = models.PositiveIntegerField(default=0)
    result_unsatisfied = models.PositiveIntegerField(default=0)
    # 承诺事项 made by this unit to deliver (yearend.commitment_rows), and how they ended
    commitments_made = models.PositiveIntegerField(default=0)
    commitments_on_time = models.PositiveIntegerField(default=0)
    commitments_late = models.PositiveIntegerField(default=0)
    commitments_dropped = models.PositiveIntegerField(default=0)
    # its 正在解决/计划解决 replies: every commitment delivered, or converted to 已解决
    kept = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "unit", "kind"], name="figures_once")
        ]

    def __str__(self):
        return super().__str__()


# The plain counts a Tally carries under the same names (the dict-valued ones are below).
COUNTS = (
    "assigned",
    "accepted_on_time",
    "replied",
    "replied_on_time",
    "days_total",
    "days_counted",
    "rehandled",
    "replies_out",
    "published",
    "commitments_made",
    "commitments_on_time",
    "commitments_late",
    "commitments_dropped",
    "kept",
    "converted",
)
# Tally's dicts stored one column each: (Tally attribute, column prefix).
SPLIT_COUNTS = (("buckets", "bucket"), ("handling", "handling"), ("result", "result"))


class MonthFigures(KeyedRow):
    """The monthly trend: assignments made, and first replies (or opinions) sent, in a month
    (its first day)."""

    month = models.DateField()
    assigned = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "unit", "kind", "month"], name="month_figures_once"
            )
        ]

    def __str__(self):
        return f"{super().__str__()}·{self.month:%Y-%m}"


class OpenByDueDate(KeyedRow):
    """Assignments still open and owing their letter, and commitments still standing (the
    unit's to deliver), per due date: those due before the day the page is read are its
    overdue counts."""

    due_on = models.DateField()
    open = models.PositiveIntegerField(default=0)
    commitments = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "unit", "kind", "due_on"], name="open_due_once"
            )
        ]
        # the page's sum reads the index alone once vacuum has seen the rows
        indexes = [
            models.Index(
                fields=["session", "due_on"],
                include=["unit", "open", "commitments"],
                name="open_due_by_session",
            )
        ]

    def __str__(self):
        return f"{super().__str__()}·{self.due_on}"


class FiguresWatermark(models.Model):
    """The refresh's place in the transition log (one row): the last log id it read, the ids
    below that it has not seen yet (a transaction still running when it read, or one rolled
    back: kept an hour), and a digest of the working-day calendar and deadline rules, whose
    change alters 按时签收 for every assignment."""

    last_log_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list)  # [[log id, first missed (epoch seconds)], ...]
    rules_digest = models.CharField(max_length=64, blank=True)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"log {self.last_log_id}"
