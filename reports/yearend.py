"""Year-end statistics of the office (DOMAIN.md §8): per session and per unit, how many items
were assigned, accepted on time, replied, replied on time, are overdue now; average days to
reply; result classes in canonical buckets (解决采纳率); satisfaction on both axes; re-handled
items; published share; and a monthly trend.

What each figure means is defined here, once: `assignment_facts` reads one row per
assignment (its current-round letter and its first-round send date joined) and says what it
adds to a `Tally`; the rows are folded in Python because whether a unit accepted on time
depends on the working-day calendar, which SQL does not know. The page reads the same
tallies kept per (session, kind, unit) by reports/figures.py; `direct_report` computes them
from the assignments, for the tests and the rebuild to be held to.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from html import escape
from io import BytesIO
from typing import NamedTuple

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from proposals.classification import PROMISING_BUCKETS, Bucket
from proposals.models import Proposal, Session
from responses.models import SENT_STATES, Commitment, Feedback, LetterState, Rating, Reply
from responses.models.commitment_states import STANDING_STATES, CommitmentState
from responses.models.commitments import all_delivered
from workflow import deadlines
from workflow.charts import bar_chart
from workflow.exports import append_row
from workflow.models import OPEN_ASSIGNMENT_STATES, REPLYING_ROLES, Assignment, Unit
from workflow.templatetags.banli import punct

from .models import COUNTS, SPLIT_COUNTS

BUCKET_COLOURS = {
    Bucket.SOLVED: "#2f7d4a",
    Bucket.IN_PROGRESS: "#4b7fb8",
    Bucket.PLANNED: "#e0a43a",
    Bucket.REFERENCE: "#9a9a9a",
}

# Shown on the page under the tables, and as the last sheet of the workbook.
DEFINITIONS = [
    (
        gettext_lazy("交办件数"),
        gettext_lazy("统计范围内交给该单位的件次（主办、会办、分办各算一件；已调整走的不计）。"),
    ),
    (
        gettext_lazy("按时签收率"),
        gettext_lazy("交办后在签收期限（办理期限规则，默认5个工作日）内签收的件数 ÷ 交办件数。"),
    ),
    (
        gettext_lazy("答复率"),
        gettext_lazy(
            "已答复件数 ÷ 交办件数。主办、分办以本轮答复函发出为准，会办以会办意见函发出为准。"
        ),
    ),
    (
        gettext_lazy("按时答复率"),
        gettext_lazy(
            "在当时的办理期限（含批准的延期、重新办理期限）内发出的件数 ÷ "
            "应答复件数（已答复件数 + 逾期未答复件数）。尚未到期且未答复的件不计入。"
        ),
    ),
    (
        gettext_lazy("逾期未答复"),
        gettext_lazy("统计当日仍在办理、且已过办理期限的件数。"),
    ),
    (
        gettext_lazy("平均答复用时"),
        gettext_lazy("自交办之日至首轮答复（会办意见）发出之日的自然日数的平均值。"),
    ),
    (
        gettext_lazy("解决采纳率"),
        format_lazy(
            gettext_lazy(
                "本轮答复中办理结果归为“{solved}”的件数 ÷ 已发出答复的件数；各地分类（A/B/C/D、"
                "{buckets}）统一归入四类后统计。"
            ),
            solved=Bucket.SOLVED.label,
            # the four classes in the page's language, not as 上海 prints them
            buckets=lazy(lambda: "/".join(str(label) for label in Bucket.labels), str)(),
        ),
    ),
    (
        gettext_lazy("满意率"),
        gettext_lazy(
            "收回的征询意见表中“满意”与“基本满意”之和 ÷ 收回份数，对办理工作、对办理结果分别统计；"
            "每位提出人一份，重新办理后的再次评价也计入。"
        ),
    ),
    (
        gettext_lazy("承诺事项"),
        gettext_lazy(
            "已发出的正在解决、计划解决答复中确认的承诺事项，计入负责落实的单位，按建议提案所属届次会议"
            "的年度统计。按期落实：在完成期限内由跟踪办理答复报告已落实；逾期落实：超过期限才落实；"
            "逾期未落实：统计当日已过期限仍在落实中（含部分落实、申请撤销待审）；落实中（未到期）："
            "尚未到期、仍在落实；已撤销：经建议提案处批准撤销。五项之和等于承诺事项数。"
        ),
    ),
    (
        gettext_lazy("按期落实率"),
        gettext_lazy("按期落实的承诺事项 ÷（已落实 + 逾期未落实的承诺事项）。尚未到期的不计入。"),
    ),
    (
        gettext_lazy("办成率"),
        format_lazy(
            gettext_lazy(
                "办成件数 ÷ 已发出答复的件数。办成：办理结果为“{solved}”"
                "（含承诺全部落实后转为已解决）的件，加上承诺事项已全部落实、尚未转为已解决的正在解决、计划解决件"
                "（有承诺经批准撤销的不计）。计入答复单位。"
            ),
            solved=Bucket.SOLVED.label,
        ),
    ),
    (
        gettext_lazy("转化率"),
        gettext_lazy(
            "承诺全部落实后由建议提案处转为已解决的件数 ÷ "
            "以正在解决、计划解决发出的答复件数（含已转化的）。"
        ),
    ),
    (
        gettext_lazy("重新办理"),
        gettext_lazy("因提出人不满意而进入第二轮及以后办理的件数。"),
    ),
    (
        gettext_lazy("公开率"),
        gettext_lazy(
            "本轮答复中已公开的件数 ÷ 已发出答复的件数（依申请公开、不予公开的不计为公开）。"
        ),
    ),
]


def ratio(numerator, denominator):
    """A percentage with one decimal, or None when nothing is there to divide."""
    return round(100 * numerator / denominator, 1) if denominator else None


@dataclass
class Tally:
    """The counts behind one row of a table; the rates are derived, never stored."""

    key: object = None
    label: str = ""
    assigned: int = 0
    accepted_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    overdue: int = 0
    days_total: int = 0
    days_counted: int = 0
    rehandled: int = 0
    replies_out: int = 0
    published: int = 0
    buckets: dict = field(default_factory=lambda: dict.fromkeys(Bucket.values, 0))
    handling: dict = field(default_factory=lambda: dict.fromkeys(Rating.values, 0))
    result: dict = field(default_factory=lambda: dict.fromkeys(Rating.values, 0))
    # 承诺事项 counted at the unit that delivers them (commitment_rows); overdue by the day read
    commitments_made: int = 0
    commitments_on_time: int = 0
    commitments_late: int = 0
    commitments_dropped: int = 0
    commitments_overdue: int = 0
    kept: int = 0  # 正在解决/计划解决 replies, not converted, every commitment delivered
    converted: int = 0  # replies moved to 已解决 once their commitments were delivered

    def add(
        self,
        accepted_on_time,
        overdue,
        rehandled,
        delivered,
        on_time,
        days,
        reply_state,
        bucket,
        bucket_before=None,
    ):
        self.assigned += 1
        self.accepted_on_time += accepted_on_time
        self.overdue += overdue
        self.rehandled += rehandled
        self.replied += delivered
        self.replied_on_time += on_time
        if days is not None:
            self.days_total += days
            self.days_counted += 1
        if reply_state in SENT_STATES:
            self.replies_out += 1
            self.published += reply_state == LetterState.PUBLISHED
            if bucket:
                self.buckets[bucket] += 1
            self.converted += bucket == Bucket.SOLVED and bucket_before in PROMISING_BUCKETS

    def add_feedback(self, handling, result, count):
        self.handling[handling] += count
        self.result[result] += count

    def add_commitments(self, state, on_time, count):
        """`count` commitments made in `state` (on time: delivered by their due date); the
        standing ones' overdue count depends on the day and is added apart."""
        self.commitments_made += count
        if state == CommitmentState.DELIVERED:
            if on_time:
                self.commitments_on_time += count
            else:
                self.commitments_late += count
        elif state == CommitmentState.DROPPED:
            self.commitments_dropped += count

    def add_stored(self, row):
        """Adds one stored row (reports.models.UnitFigures, as a dict of its columns)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + row[name])
        for attribute, prefix in SPLIT_COUNTS:
            counts = getattr(self, attribute)
            for value in counts:
                counts[value] += row[f"{prefix}_{value}"]

    def stored_columns(self):
        """The columns of its stored row (reports.models.UnitFigures)."""
        columns = {name: getattr(self, name) for name in COUNTS}
        for attribute, prefix in SPLIT_COUNTS:
            for value, count in getattr(self, attribute).items():
                columns[f"{prefix}_{value}"] = count
        return columns

    @property
    def due_or_replied(self):
        return self.replied + self.overdue

    @property
    def accepted_on_time_rate(self):
        return ratio(self.accepted_on_time, self.assigned)

    @property
    def replied_rate(self):
        return ratio(self.replied, self.assigned)

    @property
    def on_time_rate(self):
        return ratio(self.replied_on_time, self.due_or_replied)

    @property
    def average_days(self):
        return round(self.days_total / self.days_counted, 1) if self.days_counted else None

    @property
    def classified(self):
        return sum(self.buckets.values())

    @property
    def solved_rate(self):
        return ratio(self.buckets[Bucket.SOLVED], self.replies_out)

    @property
    def published_rate(self):
        return ratio(self.published, self.replies_out)

    @property
    def commitments_pending(self):
        """Standing and not yet due: what the other four counts leave of those made."""
        closed = self.commitments_on_time + self.commitments_late + self.commitments_dropped
        return self.commitments_made - closed - self.commitments_overdue

    @property
    def commitments_on_time_rate(self):
        due = self.commitments_on_time + self.commitments_late + self.commitments_overdue
        return ratio(self.commitments_on_time, due)

    @property
    def done(self):
        """办成: solved (at the reply, or converted), or every commitment delivered."""
        return self.buckets[Bucket.SOLVED] + self.kept

    @property
    def done_rate(self):
        return ratio(self.done, self.replies_out)

    @property
    def promised(self):
        """Replies sent as 正在解决/计划解决, those converted since included."""
        return self.buckets[Bucket.IN_PROGRESS] + self.buckets[Bucket.PLANNED] + self.converted

    @property
    def conversion_rate(self):
        return ratio(self.converted, self.promised)

    @property
    def handling_forms(self):
        return sum(self.handling.values())

    @property
    def result_forms(self):
        return sum(self.result.values())

    @property
    def handling_rate(self):
        satisfied = self.handling[Rating.SATISFIED] + self.handling[Rating.BASIC]
        return ratio(satisfied, self.handling_forms)

    @property
    def result_rate(self):
        return ratio(self.result[Rating.SATISFIED] + self.result[Rating.BASIC], self.result_forms)


def scoped_assignments(jurisdiction_ids, data):
    """The assignments a statistics page counts: the office's jurisdictions, narrowed by the
    filter (year, body, session, kind), never those re-routed to another unit."""
    filters = {k: data.get(k) for k in ("year", "body", "session", "kind")}
    return Assignment.objects.for_office(jurisdiction_ids).current().of_items(filters)


def assignment_rows(assignments):
    """One tuple per assignment with what the tallies need, in one query: the current round's
    reply or opinion and the first round's are joined (each at most one row, by the
    once-per-round constraints), and every moment arrives as a local date."""
    return (
        assignments.annotate(
            current_reply=FilteredRelation(
                "replies", condition=Q(replies__round=F("round"), replies__kind=Reply.Kind.REPLY)
            ),
            first_reply=FilteredRelation(
                "replies", condition=Q(replies__round=1, replies__kind=Reply.Kind.REPLY)
            ),
            current_opinion=FilteredRelation("opinions", condition=Q(opinions__round=F("round"))),
            first_opinion=FilteredRelation("opinions", condition=Q(opinions__round=1)),
        )
        .values_list(
            "unit_id",
            "proposal__session_id",
            "proposal__session__jurisdiction_id",
            "proposal__kind",
            "role",
            "state",
            "round",
            TruncDate("assigned_at"),
            TruncDate("accepted_at"),
            "due_on",
            # sent_at is set only when a letter leaves the unit
            Coalesce(TruncDate("current_reply__sent_at"), TruncDate("current_opinion__sent_at")),
            Coalesce(TruncDate("first_reply__sent_at"), TruncDate("first_opinion__sent_at")),
            "current_reply__state",
            "current_reply__result_bucket",
            "current_reply__bucket_before_conversion",
            "pk",
        )
        .order_by()
    )


class AcceptanceClock:
    """The 签收 deadline of each (jurisdiction, kind, assigned day), computed once per key:
    a year holds a few hundred distinct assignment days, not one per item."""

    def __init__(self):
        self.rules, self.calendar, self.known = deadlines.RuleBook(), None, {}

    def __call__(self, jurisdiction_id, kind, assigned_on):
        key = (jurisdiction_id, kind, assigned_on)
        if key not in self.known:
            self.calendar = self.calendar or deadlines.WorkingCalendar()
            rules = self.rules(jurisdiction_id, kind)
            self.known[key] = deadlines.accept_due(assigned_on, rules, self.calendar)
        return self.known[key]


@dataclass
class Report:
    units: list
    sessions: list
    total: Tally
    months: list
    today: date
    pending: bool = False  # the stored figures were never counted yet


class Facts(NamedTuple):
    """What one assignment adds to its tallies, the day it is read aside: `owing` (open and
    its letter not sent) counts as overdue once `due_on` has passed."""

    key: tuple  # (session, kind, unit)
    accepted_on_time: bool
    counts: tuple  # the rest of Tally.add's arguments after `overdue`
    owing: bool
    due_on: date
    assigned_on: date
    first_on: date | None
    pk: int


def assignment_facts(assignments, stream=True):
    """The facts of each assignment, in one query (see assignment_rows). `stream`: read
    through a server-side cursor, for a year's rows; a few thousand are read faster at
    once (PostgreSQL plans a cursor for its first rows, here twice as slow)."""
    clock, open_states = AcceptanceClock(), set(OPEN_ASSIGNMENT_STATES)
    rows = assignment_rows(assignments)
    for row in rows.iterator(chunk_size=5000) if stream else rows:
        unit, session, where, kind, role, state, round_, assigned_on, accepted_on = row[:9]
        due_on, sent_on, first_on, reply_state, bucket, before, pk = row[9:]
        writes_reply = role in REPLYING_ROLES
        counts = (
            round_ > 1,
            sent_on is not None,
            bool(sent_on and sent_on <= due_on),
            (first_on - assigned_on).days if first_on else None,
            reply_state if writes_reply else None,
            bucket if writes_reply else None,
            before if writes_reply else None,
        )
        accepted = bool(accepted_on and accepted_on <= clock(where, kind, assigned_on))
        owing = state in open_states and not sent_on
        yield Facts(
            (session, kind, unit), accepted, counts, owing, due_on, assigned_on, first_on, pk
        )


def feedback_counts(forms):
    """Feedback forms (on replies of every round) counted by session, kind, unit and rating:
    ((session, kind, unit), handling, result, count)."""
    counted = (
        forms.values_list(
            "reply__assignment__proposal__session_id",
            "reply__assignment__proposal__kind",
            "reply__assignment__unit_id",
            "handling_rating",
            "result_rating",
        )
        .order_by()
        .annotate(n=Count("id"))
    )
    for session, kind, unit, handling, result, n in counted:
        yield (session, kind, unit), handling, result, n


def kept_replies():
    """The current round's sent 正在解决/计划解决 replies whose every commitment is delivered
    (not yet converted: those count as 已解决): with the solved ones, 办成."""
    replies = Reply.objects.filter(
        kind=Reply.Kind.REPLY,
        state__in=SENT_STATES,
        result_bucket__in=PROMISING_BUCKETS,
        round=F("assignment__round"),
        assignment__role__in=REPLYING_ROLES,
    )
    return all_delivered(replies)


def kept_counts(replies):
    """Those replies counted by session, kind and replying unit: ((session, kind, unit), n)."""
    counted = (
        replies.values_list(
            "assignment__proposal__session_id",
            "assignment__proposal__kind",
            "assignment__unit_id",
        )
        .order_by()
        .annotate(n=Count("id"))
    )
    for session, kind, unit, n in counted:
        yield (session, kind, unit), n


def scoped_commitments(jurisdiction_ids, data):
    """The commitments a statistics page counts: made (Commitment.objects.made) by a unit of
    the office's jurisdictions, on items the filter selects."""
    filters = {k: data.get(k) for k in ("year", "body", "session", "kind")}
    items = Assignment.objects.of_items(filters).values("pk")
    made = Commitment.objects.made().filter(unit__jurisdiction_id__in=jurisdiction_ids)
    return made.filter(reply__assignment__in=items)


def commitment_rows(commitments):
    """Commitments counted by session, kind, the unit that delivers them, state and whether
    delivered by the due date; standing ones also by due date (their overdue count moves with
    the day): ((session, kind, unit), state, on_time, due_on or None, n)."""
    counted = (
        commitments.annotate(
            on_time=ExpressionWrapper(
                Q(delivered_on__isnull=False, delivered_on__lte=F("due_on")),
                output_field=BooleanField(),
            ),
            standing_due=Case(When(state__in=STANDING_STATES, then=F("due_on")), default=None),
        )
        .values_list(
            "reply__assignment__proposal__session_id",
            "reply__assignment__proposal__kind",
            "unit_id",
            "state",
            "on_time",
            "standing_due",
        )
        .order_by()
        .annotate(n=Count("id"))
    )
    for session, kind, unit, state, on_time, due_on, n in counted:
        yield (session, kind, unit), state, bool(on_time), due_on, n


def direct_report(jurisdiction_ids, data, today=None):
    """The statistics of one filter computed from the assignments themselves (two queries and
    a fold over every row: seconds for a national year). The page reads the stored figures
    (reports/figures.py); this is what the tests hold them to."""
    today = today or timezone.localdate()
    assignments = scoped_assignments(jurisdiction_ids, data)
    by_unit, by_session, total = {}, {}, Tally(label=_("合计"))
    months = defaultdict(lambda: {"assigned": 0, "replied": 0})
    for facts in assignment_facts(assignments):
        overdue = bool(facts.owing and facts.due_on < today)
        session, _kind, unit = facts.key
        for tally in (tally_of(by_unit, unit), tally_of(by_session, session), total):
            tally.add(facts.accepted_on_time, overdue, *facts.counts)
        months[facts.assigned_on.strftime("%Y-%m")]["assigned"] += 1
        if facts.first_on:
            months[facts.first_on.strftime("%Y-%m")]["replied"] += 1
    forms = Feedback.objects.filter(reply__assignment__in=assignments.values("pk"))
    for (session, _kind, unit), *rating in feedback_counts(forms):
        for tally in (by_unit[unit], by_session[session], total):
            tally.add_feedback(*rating)
    kept = kept_replies().filter(assignment__in=assignments.values("pk"))
    for (session, _kind, unit), n in kept_counts(kept):
        for tally in (by_unit[unit], by_session[session], total):
            tally.kept += n
    made = scoped_commitments(jurisdiction_ids, data)
    for (session, _kind, unit), state, on_time, due_on, n in commitment_rows(made):
        for tally in (tally_of(by_unit, unit), tally_of(by_session, session), total):
            tally.add_commitments(state, on_time, n)
            tally.commitments_overdue += n if due_on and due_on < today else 0
    return assemble(by_unit, by_session, total, months, today)


def tally_of(table, key):
    tally = table.get(key)
    if tally is None:
        tally = table[key] = Tally(key=key)
    return tally


def assemble(by_unit, by_session, total, months, today):
    """The report from its tallies: names looked up (two queries), rows in the page's order."""
    _label(by_unit, Unit.objects.filter(pk__in=by_unit), lambda u: u.short_name or u.name)
    _label(by_session, Session.objects.filter(pk__in=by_session), str)
    return Report(
        units=sorted(by_unit.values(), key=lambda t: (-t.assigned, t.label)),
        sessions=sorted(by_session.values(), key=lambda t: t.label),
        total=total,
        months=[{"month": m, **counts} for m, counts in sorted(months.items())],
        today=today,
    )


def _label(tallies, objects, name):
    for obj in objects:
        tallies[obj.pk].label = name(obj)


# ---- charts: geometry only; the template draws the SVG --------------------------------------
def on_time_chart(units, width=760, bar=16, gap=8, label_width=150):
    """One horizontal bar per unit: its on-time reply rate out of 100%."""
    rows = [
        (t.label, 100, [(t.on_time_rate, "#2f7d4a", t.label)])
        for t in units
        if t.on_time_rate is not None
    ]
    span = width - label_width - 60
    chart = bar_chart(
        rows, width=width, bar=bar, gap=gap, label_width=label_width, span=span, min_width=1
    )
    return _drawn(chart, percent=True)


def _drawn(chart, percent=False):
    """The bars as SVG markup (`chart["markup"]`), made once here: three hundred units' bars
    are too many for the template's per-value work. Coordinates with one decimal (always a
    point); each bar's label shortened, in full in its segments' tooltips. `percent`: the
    on-time chart, whose tooltips name the unit and whose bars end with their rate."""
    colon, parts = punct("："), []
    for bar in chart["bars"]:
        short = escape(str(Truncator(bar["label"]).chars(11)))
        parts.append(f'<text x="0" y="{bar["ty"]}" class="label">{short}</text>')
        for s in bar["segments"]:
            tip = f"{bar['label']}{colon}{s['n']}%" if percent else f"{s['label']}{colon}{s['n']}"
            parts.append(
                f'<rect x="{s["x"]:.1f}" y="{bar["y"]}" width="{s["w"]:.1f}" '
                f'height="{chart["bar"]}" fill="{s["colour"]}"><title>{escape(tip)}</title></rect>'
            )
        if percent:
            end, total = f"{bar['end']:.1f}", bar["total"]
            parts.append(f'<text x="{end}" y="{bar["ty"]}" class="value">{total}%</text>')
    chart["markup"] = mark_safe("\n".join(parts))  # noqa: S308 (escaped above)
    return chart


def bucket_chart(units, width=760, bar=16, gap=8, label_width=150):
    """One 100% stacked bar per unit: its replies' result classes."""
    rows = [
        (
            t.label,
            t.classified,
            [(t.buckets[b], BUCKET_COLOURS[b], b.label) for b in Bucket if t.buckets[b]],
        )
        for t in units
        if t.classified
    ]
    chart = bar_chart(
        rows,
        width=width,
        bar=bar,
        gap=gap,
        label_width=label_width,
        span=width - label_width - 10,
        legend=[(BUCKET_COLOURS[b], b.label) for b in Bucket],
        legend_at=(label_width, 110),
        bottom=28,
    )
    return _drawn(chart)


def trend_chart(months, width=760, height=200, bottom=24, left=36):
    """Assigned and replied per month: paired vertical bars with a scale."""
    peak = max((max(m["assigned"], m["replied"]) for m in months), default=0) or 1
    plot = height - bottom - 10
    step = (width - left) / max(len(months), 1)
    bar = min(step / 2 - 2, 24)
    groups = []
    for index, month in enumerate(months):
        x = left + index * step + (step - 2 * bar) / 2
        pair = []
        for offset, key, colour in ((0, "assigned", "#4b7fb8"), (bar, "replied", "#2f7d4a")):
            h = month[key] / peak * plot
            pair.append(
                {"x": x + offset, "y": 10 + plot - h, "h": h, "n": month[key], "colour": colour}
            )
        groups.append({"bars": pair, "label": month["month"][2:], "lx": x + bar})
    return {
        "width": width,
        "height": height,
        "bar": bar,
        "groups": groups,
        "peak": peak,
        "base": 10 + plot,
        "label_y": height - 6,
        "left": left,
    }


# ---- exports ----------------------------------------------------------------------------------
def unit_columns():
    return [
        (_("交办件数"), lambda t: t.assigned),
        (_("按时签收"), lambda t: t.accepted_on_time),
        (_("按时签收率%"), lambda t: t.accepted_on_time_rate),
        (_("已答复"), lambda t: t.replied),
        (_("答复率%"), lambda t: t.replied_rate),
        (_("按时答复"), lambda t: t.replied_on_time),
        (_("按时答复率%"), lambda t: t.on_time_rate),
        (_("逾期未答复"), lambda t: t.overdue),
        (_("平均答复用时（天）"), lambda t: t.average_days),
        (_("重新办理"), lambda t: t.rehandled),
        (_("已公开"), lambda t: t.published),
        (_("公开率%"), lambda t: t.published_rate),
    ]


def bucket_columns():
    return [
        (_("已发出答复"), lambda t: t.replies_out),
        *[(str(b.label), lambda t, b=b: t.buckets[b]) for b in Bucket],
        (_("解决采纳率%"), lambda t: t.solved_rate),
    ]


def commitment_columns():
    return [
        (_("承诺事项"), lambda t: t.commitments_made),
        (_("按期落实"), lambda t: t.commitments_on_time),
        (pgettext("statistics", "逾期落实"), lambda t: t.commitments_late),
        (pgettext("statistics", "逾期未落实"), lambda t: t.commitments_overdue),
        (_("落实中（未到期）"), lambda t: t.commitments_pending),
        (_("已撤销"), lambda t: t.commitments_dropped),
        (_("按期落实率%"), lambda t: t.commitments_on_time_rate),
        (_("办成件数"), lambda t: t.done),
        (_("办成率%"), lambda t: t.done_rate),
        (_("满意率%（办理结果）"), lambda t: t.result_rate),
        (_("以正在解决、计划解决答复（含已转化）"), lambda t: t.promised),
        (pgettext("statistics", "转为已解决"), lambda t: t.converted),
        (_("转化率%"), lambda t: t.conversion_rate),
    ]


def satisfaction_columns():
    columns = []
    for axis, word in (("handling", _("对办理工作")), ("result", _("对办理结果"))):
        for rating in Rating:
            columns.append((f"{word}·{rating.label}", lambda t, a=axis, r=rating: getattr(t, a)[r]))
        columns.append((f"{word}·" + _("满意率%"), lambda t, a=axis: getattr(t, f"{a}_rate")))
    return columns


def tables(report):
    """Every table of the page as a title, headers and rows of values (the total last): the
    page, the workbook and the summary all print these."""
    specs = [
        (_("按承办单位"), _("承办单位"), unit_columns(), report.units),
        (_("按届次会议"), _("届次会议"), unit_columns(), report.sessions),
        (_("办理结果"), _("承办单位"), bucket_columns(), report.units),
        (_("满意度"), _("承办单位"), satisfaction_columns(), report.units),
        (_("承诺落实与办成率"), _("承办单位"), commitment_columns(), report.units),
        (_("承诺落实（按届次会议）"), _("届次会议"), commitment_columns(), report.sessions),
    ]
    return [
        {
            "title": title,
            "headers": [first, *[name for name, _getter in columns]],
            "rows": [
                [tally.label, *[getter(tally) for _name, getter in columns]]
                for tally in [*tallies, report.total]
            ],
        }
        for title, first, columns, tallies in specs
    ]


def page_tables(report):
    """The tables as the page prints them: each row's cells made once here (1,200 rows of 15
    cells for a national year, too many for the template's per-cell work), labelled with
    their column's heading for the phone's cards; no value shows as "—". Headings and names
    are escaped; the values are numbers."""
    separator = formats.get_format("DECIMAL_SEPARATOR")
    pages = []
    for table in tables(report):
        # a break after "·" (对办理工作·满意): an English card's heading wraps between words
        headings = [escape(str(h)).replace("·", "·\u200b") for h in table["headers"][1:]]
        rows = []
        for label, *values in table["rows"]:
            shown = ("—" if v is None else str(v).replace(".", separator) for v in values)
            cells = "".join(
                f'<td data-label="{h}">{v}</td>' for h, v in zip(headings, shown, strict=True)
            )
            rows.append(mark_safe(f"<th>{escape(str(label))}</th>{cells}"))  # noqa: S308
        pages.append({**table, "rows": rows})
    return pages


def report_workbook(report):
    book = Workbook()
    book.remove(book.active)
    for table in tables(report):
        sheet = book.create_sheet(table["title"][:31])
        append_row(sheet, table["headers"])
        for row in table["rows"]:
            append_row(sheet, row)
        _bold_and_widen(sheet)
    trend = book.create_sheet(_("按月趋势"))
    append_row(trend, [_("月份"), _("交办件数"), _("首轮答复发出")])
    for month in report.months:
        append_row(trend, [month["month"], month["assigned"], month["replied"]])
    _bold_and_widen(trend)
    notes = book.create_sheet(_("指标口径"))
    append_row(notes, [_("指标"), _("口径")])
    for term, meaning in DEFINITIONS:
        append_row(notes, [term, meaning])
    append_row(notes, [_("统计日期"), report.today.isoformat()])
    _bold_and_widen(notes)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _bold_and_widen(sheet):
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(70, 4 + width * 2)


def heading(filters):
    """The summary's title from the filter: 2025年度政协提案办理工作统计 and the like."""
    if filters.get("session"):
        scope = str(filters["session"])
    else:
        year = _("%(year)s年度") % {"year": filters["year"]} if filters.get("year") else ""
        body = dict(Session.Body.choices).get(filters.get("body"), "")
        scope = year + str(body)
    kind = dict(Proposal.Kind.choices).get(filters.get("kind"), _("建议提案"))
    return _("%(scope)s%(kind)s办理工作统计") % {"scope": scope, "kind": kind}


def _cjk(run, size=12, bold=False):
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, "FangSong"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")


def _percent(value):
    return "—" if value is None else f"{value}%"


def summary_docx(report, heading):
    """年度办理工作统计: the headline figures in prose, then the unit table and the classes."""
    document = Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cjk(title.add_run(heading), size=18, bold=True)
    for line in _summary_lines(report.total):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(24)
        _cjk(paragraph.add_run(line))
    for spec in [tables(report)[i] for i in (0, 2, 4)]:  # by unit, classes, commitments
        _summary_table(document, spec)
    note = document.add_paragraph()
    _cjk(note.add_run(_("统计日期：%(day)s。指标口径见系统统计页。") % {"day": report.today}), 10)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _summary_lines(t):
    """The summary's paragraphs, from the total row: handling, results, satisfaction and
    commitments."""
    return [_handling_line(t), _results_line(t), _satisfaction_line(t), _commitments_line(t)]


def _handling_line(t):
    return _(
        "统计范围内共交办%(assigned)d件次，已答复%(replied)d件次，答复率%(replied_rate)s；"
        "按时签收率%(accept)s，按时答复率%(on_time)s，统计日仍逾期未答复%(overdue)d件次，"
        "平均答复用时%(days)s天。"
    ) % {
        "assigned": t.assigned,
        "replied": t.replied,
        "replied_rate": _percent(t.replied_rate),
        "accept": _percent(t.accepted_on_time_rate),
        "on_time": _percent(t.on_time_rate),
        "overdue": t.overdue,
        "days": "—" if t.average_days is None else t.average_days,
    }


def _results_line(t):
    return _(
        "已发出答复%(out)d件，其中解决采纳%(solved)d件、正在解决%(progress)d件、"
        "计划解决%(planned)d件、留作参考%(reference)d件，解决采纳率%(rate)s；"
        "已公开%(published)d件，公开率%(published_rate)s。"
    ) % {
        "out": t.replies_out,
        "solved": t.buckets[Bucket.SOLVED],
        "progress": t.buckets[Bucket.IN_PROGRESS],
        "planned": t.buckets[Bucket.PLANNED],
        "reference": t.buckets[Bucket.REFERENCE],
        "rate": _percent(t.solved_rate),
        "published": t.published,
        "published_rate": _percent(t.published_rate),
    }


def _satisfaction_line(t):
    return _(
        "收回征询意见表%(forms)d份，对办理工作满意率%(handling)s，对办理结果满意率%(result)s；"
        "因不满意重新办理%(rehandled)d件次。"
    ) % {
        "forms": t.handling_forms,
        "handling": _percent(t.handling_rate),
        "result": _percent(t.result_rate),
        "rehandled": t.rehandled,
    }


def _commitments_line(t):
    return _(
        "作出承诺事项%(made)d项，按期落实%(on_time)d项、逾期落实%(late)d项，统计日逾期未落实"
        "%(overdue)d项、落实中（未到期）%(pending)d项，经批准撤销%(dropped)d项；办成%(done)d件，办成率%(done_rate)s"
        "（对办理结果满意率%(result)s）；以正在解决、计划解决答复的%(promised)d件中，"
        "承诺落实后转为已解决%(converted)d件，转化率%(conversion)s。"
    ) % {
        "made": t.commitments_made,
        "on_time": t.commitments_on_time,
        "late": t.commitments_late,
        "overdue": t.commitments_overdue,
        "pending": t.commitments_pending,
        "dropped": t.commitments_dropped,
        "done": t.done,
        "done_rate": _percent(t.done_rate),
        "result": _percent(t.result_rate),
        "promised": t.promised,
        "converted": t.converted,
        "conversion": _percent(t.conversion_rate),
    }


def _summary_table(document, spec):
    """One table of the page, headers in bold, as the summary prints it."""
    _cjk(document.add_paragraph().add_run(spec["title"]), size=14, bold=True)
    table = document.add_table(rows=1, cols=len(spec["headers"]))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, spec["headers"], strict=True):
        _cjk(cell.paragraphs[0].add_run(text), size=9, bold=True)
    for values in spec["rows"]:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _cjk(cell.paragraphs[0].add_run("—" if value is None else str(value)), size=9)
