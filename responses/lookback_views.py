"""回头看, the proposal office's pages on what replies promised (reads in responses/lookback.py),
and the list behind a digest of commitment reminders (responses/commitment_reminders.py)."""

from urllib.parse import parse_qs, urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflow.models import DeadlineKind, ReminderDigest
from workflow.redirects import back_to
from workflow.views import office_required, page_of, refusals_to_messages, render_partial

from . import actions, commitment_reminders, lookback
from .models import Rating, Reply


@office_required
def look_back(request):
    """回头看: commitments by unit and state; the standing ones, overdue first."""
    context = lookback.commitments_context(request.roles, request.GET)
    context["page"] = page_of(request, context.pop("rows"), context.pop("count"))
    context["page"].object_list = lookback.with_latest(context["page"].object_list)
    context["ratings"] = dict(Rating.choices)
    return render_partial(request, "responses/look_back.html", context, "list")


@office_required
def look_back_yearly(request):
    """The yearly 回头看 list: replies whose commitments were delivered one to two years ago."""
    context = lookback.yearly_context(request.roles, request.GET)
    context["page"] = page_of(request, context.pop("rows"))
    return render_partial(request, "responses/look_back_yearly.html", context, "list")


@require_POST
@office_required
@refusals_to_messages
def record_look_back(request, pk):
    reply = get_object_or_404(
        Reply, pk=pk, assignment__unit__jurisdiction_id__in=request.roles.office_jurisdiction_ids
    )
    form = lookback.LookBackForm(request.POST)
    if not form.is_valid():
        # The yearly page again, the errors beside this reply's fields, what was typed kept.
        context = lookback.yearly_context(request.roles, request.POST)
        context["page"] = page_of(request, context.pop("rows"))
        context["failed"] = (reply.pk, form)
        return render(request, "responses/look_back_yearly.html", context, status=400)
    actions.record_look_back(reply, request.user, **form.cleaned_data)
    messages.success(request, _("已记录回头看。"))
    return redirect(yearly_list(request, form.cleaned_data["year"]))


def yearly_list(request, year):
    """Back to the page the form was on if it lists that year, else that year's list."""
    back = back_to(request, request.POST.get("next"), default="")
    parts = urlsplit(back)
    listed = reverse("office-look-back-yearly")
    if parts.path == listed and parse_qs(parts.query).get("year") == [str(year)]:
        return back
    return f"{listed}?{urlencode({'year': year})}"


@login_required
def commitment_digest(request, pk):
    """The commitments one reminder digest told its recipient about, as they stand now."""
    digest = get_object_or_404(
        ReminderDigest.objects.select_related("unit", "jurisdiction"),
        pk=pk,
        recipient=request.user,
        deadline_kind=DeadlineKind.COMMITMENT,
    )
    rows = commitment_reminders.reminders_of(digest).select_related(
        "rung", "unit", "commitment__reply__assignment__proposal__session"
    )
    page = page_of(request, rows.order_by("due_on", "commitment_id", "rung_id"), digest.items)
    context = {"digest": digest, "page": page, "today": timezone.localdate()}
    return render_partial(request, "responses/commitment_digest.html", context, "list")
