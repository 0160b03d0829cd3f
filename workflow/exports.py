"""Excel exports and the server-side aging chart of the overdue monitor."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .aging import AGING_BANDS, standing_text
from .charts import bar_chart

BAND_COLOURS = {
    "due_7": "#e8b04b",
    "due_today": "#d9822b",
    "over_1_7": "#d0543c",
    "over_8_30": "#a8322a",
    "over_30": "#6e1a14",
}


CELL_TYPES = (bool, int, float, Decimal, date, time, timedelta)


def safe_cell(value):
    """Any value as a cell openpyxl can write, and a cell that never runs as a formula.

    Every export writes its cells through here. A lazy translation (今日到期, a choice label)
    becomes its text in the active language, an aware datetime the local wall-clock time (Excel
    has no time zones), anything else that is not a number or a date its text. Text that starts
    like a formula is written as text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, CELL_TYPES):
        return value
    value = str(value)  # a Promise (lazy translation) or any other object: its text
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def append_row(sheet, values):
    """One row of cells, each through safe_cell."""
    sheet.append([safe_cell(v) for v in values])


def xlsx(headers, rows, title):
    book = Workbook()
    sheet = book.active
    sheet.title = str(title)[:31]
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, 4 + width * 2)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def assignments_xlsx(assignments, today):
    headers = [
        _("届次会议"),
        _("案号"),
        _("类型"),
        _("案由"),
        _("领衔人"),
        _("承办单位"),
        _("办理方式"),
        _("状态"),
        _("交办日期"),
        _("办理期限"),
        _("期限情况"),
    ]

    def rows():
        for a in assignments.iterator(chunk_size=500):
            _kind, status = standing_text(a.due_on, today)
            lead = next(iter(a.proposal.signatories.all()), None)
            yield [
                str(a.proposal.session),
                a.proposal.number,
                a.proposal.get_kind_display(),
                a.proposal.title,
                lead.proposer.name if lead else "",
                a.unit.name,
                a.get_role_display(),
                a.get_state_display(),
                timezone.localdate(a.assigned_at).isoformat(),
                a.due_on.isoformat(),
                status,
            ]

    return xlsx(headers, rows(), _("逾期监控"))


def proposals_xlsx(proposals):
    headers = [_("届次会议"), _("案号"), _("类型"), _("案由"), _("提出人"), _("主题")]
    headers += [_("重点"), _("状态"), _("收到日期")]

    def rows():
        for p in proposals.iterator(chunk_size=500):
            names = "、".join(s.proposer.name for s in p.signatories.all())
            yield [str(p.session), p.number, p.get_kind_display(), p.title, names, p.topic] + [
                _("是") if p.is_key else "",
                p.get_state_display(),
                timezone.localdate(p.received_at).isoformat(),
            ]

    return xlsx(headers, rows(), _("建议提案"))


def requests_xlsx(transfers, extensions, decided):
    """The requests page in one sheet: what is pending first, then transfer decisions."""
    headers = [_("类别"), _("案号"), _("案由"), _("承办单位"), _("理由"), _("申请时间")]
    headers += [_("申请内容"), _("状态"), _("审批意见")]

    def row(kind, r, asked):
        proposal = r.assignment.proposal
        return [
            kind,
            f"{proposal.session}{proposal.number}",
            proposal.title,
            r.assignment.unit.name,
            r.reason,
            timezone.localdate(r.requested_at).isoformat(),
            asked,
            r.get_state_display(),
            r.decision_comment,
        ]

    def rows():
        for t in transfers:
            yield row(_("申请调整"), t, t.suggested_unit.name if t.suggested_unit else "")
        for e in extensions:
            yield row(_("申请延期"), e, f"{e.previous_due} → {e.requested_due}")
        for t in decided.iterator(chunk_size=500):
            yield row(_("申请调整"), t, "")

    return xlsx(headers, rows(), _("调整与延期"))


def aging_chart(by_unit, width=900, bar=18, gap=8, label_width=170):
    """Stacked horizontal bars per unit (the first 20), one segment per aging band, all on
    one scale: the longest bar is the unit with most open items."""
    peak = max((sum(row[b[0]] for b in AGING_BANDS) for row in by_unit), default=0) or 1
    rows = [
        (
            row["unit__short_name"] or row["unit__name"],
            peak,
            [(row[key], BAND_COLOURS[key], label) for key, label, *_r in AGING_BANDS if row[key]],
        )
        for row in by_unit[:20]
    ]
    legend = [(BAND_COLOURS[key], label) for key, label, *_r in AGING_BANDS]
    return bar_chart(
        rows,
        width=width,
        bar=bar,
        gap=gap,
        label_width=label_width,
        span=width - label_width - 40,
        min_width=2,
        legend=legend,
        bottom=30,
    )


def publication_xlsx(context):
    """The office's publication page (responses' publication_context) as one sheet; the page
    shows the latest 20, the sheet all."""
    headers = [_("类别"), _("届次会议"), _("案号"), _("标题"), _("承办单位"), _("发出日期")]
    headers += [_("公开期限或公开时间"), _("未反馈的提出人")]

    def row(kind, reply, when="", waiting=""):
        proposal = reply.assignment.proposal
        sent = timezone.localdate(reply.sent_at).isoformat() if reply.sent_at else ""
        return [kind, str(proposal.session), proposal.number, reply.title] + [
            reply.assignment.unit.name,
            sent,
            when,
            waiting,
        ]

    rows = [row(_("待公开"), r, r.publication_deadline.isoformat()) for r in context["pending"]]
    rows += [
        row(_("已公开"), r, timezone.localdate(r.published_at).isoformat())
        for r in context["published"]
    ]
    rows += [row(_("不予公开"), r, r.get_withheld_reason_display()) for r in context["withheld"]]
    rows += [
        row(_("待反馈"), r, "", "、".join(p.name for p in r.unanswered))
        for r in context["awaiting"]
    ]
    return xlsx(headers, rows, _("公开与反馈"))
