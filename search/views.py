"""The search page of the office and the units, and its spreadsheet."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from responses import textsearch
from workflow.downloads import download
from workflow.exports import xlsx
from workflow.views import PAGE_SIZE, render_partial

from . import queries


def require_searcher(request):
    if not (request.roles.is_office or request.roles.is_unit_member):
        raise PermissionDenied(_("检索供建议提案处和承办单位使用；公众请使用公开答复页面。"))


@login_required
def search(request):
    require_searcher(request)
    context = queries.search(request.roles, request.GET)
    context["page"] = textsearch.hits_page(context.pop("rows"), request.GET.get("page"), PAGE_SIZE)
    textsearch.with_excerpts(context["page"], context["q"], context["kind"])
    context["query"] = request.GET.urlencode()
    return render_partial(request, "search/search.html", context, "results")


@login_required
def search_export(request):
    require_searcher(request)
    context = queries.search(request.roles, request.GET)
    headers, rows = queries.export_rows(context["rows"], context["kind"])
    return download(xlsx(headers, rows, _("检索结果")), "search.xlsx")
