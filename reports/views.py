"""The office's statistics: the page, the workbook and the year-end summary, all from one
report of one filter, read from the stored figures (reports/figures.py)."""

from django.shortcuts import render

from responses.models import Attachment
from workflow.downloads import download
from workflow.views import office_required

from . import figures, yearend
from .forms import StatisticsFilter

DOCX = Attachment.MEDIA_TYPES[Attachment.Kind.DOCX]


def statistics_report(request):
    form = StatisticsFilter(request.GET, request.roles.office_jurisdiction_ids)
    report = figures.build_report(request.roles.office_jurisdiction_ids, form.filters())
    return form, report


@office_required
def statistics_page(request):
    form, report = statistics_report(request)
    context = {
        "form": form,
        "report": report,
        "tables": yearend.page_tables(report),
        "definitions": yearend.DEFINITIONS,
        "on_time_chart": yearend.on_time_chart(report.units),
        "bucket_chart": yearend.bucket_chart(report.units),
        "trend_chart": yearend.trend_chart(report.months),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/statistics.html", context)


@office_required
def statistics_export(request):
    _form, report = statistics_report(request)
    content = yearend.report_workbook(report)
    return download(content, f"statistics-{report.today:%Y%m%d}.xlsx")


@office_required
def statistics_summary(request):
    form, report = statistics_report(request)
    content = yearend.summary_docx(report, yearend.heading(form.filters()))
    return download(content, f"summary-{report.today:%Y%m%d}.docx", DOCX)
