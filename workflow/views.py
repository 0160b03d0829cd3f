"""Pages of the units (inbox, 签收, 申请调整, 沟通, 延期) and of the proposal office (intake,
review, 交办, decisions, 催办, overdue monitor). Each view parses, calls one workflow
function, and renders; refusals come back as a message naming the rule."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from proposals.models import REVIEW_PERMISSION, Channel, Proposal, ProposalState
from proposals.params import plain_int

from . import actions, deadlines, exports, item_import, selectors
from .audit import ActionRefused
from .downloads import download
from .forms import (
    AssignForm,
    ContactForm,
    DecisionForm,
    ExtensionForm,
    InboxFilter,
    IntakeForm,
    ItemImportForm,
    MonitorFilter,
    NoticePreferenceForm,
    ReviewForm,
    TransferForm,
    UrgeForm,
)
from .models import (
    Assignment,
    Extension,
    Heartbeat,
    ItemImport,
    ItemImportState,
    NoticePreference,
    Notification,
    ReminderDigest,
    TransferRequest,
)
from .redirects import back_to

PAGE_SIZE = 25


def item_url(proposal_id):
    return reverse("item", args=[proposal_id])


def refusals_to_messages(view):
    """A refused action is a message on the page the user came from, never an error page.
    Someone who may not act at all gets a bare 403 (PermissionDenied is not caught): they
    are told nothing about the object."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ActionRefused as exc:
            message = str(exc) or _("您没有执行此操作的权限。")
            if request.htmx:
                # Only the message is swapped in: what the person typed stays in the form.
                response = render(request, "_refusal.html", {"message": message})
                response["HX-Retarget"], response["HX-Reswap"] = "#flash", "innerHTML"
                return response
            messages.error(request, message)
            return redirect(
                back_to(request, request.POST.get("next"), request.headers.get("referer"))
            )

    return wrapper


def office_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.roles.is_office:
            raise PermissionDenied(_("只有建议提案处可以访问此页面。"))
        return view(request, *args, **kwargs)

    return wrapper


def unit_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.roles.is_unit_member:
            raise PermissionDenied(_("只有承办单位人员可以访问此页面。"))
        return view(request, *args, **kwargs)

    return wrapper


def page_of(request, queryset, count=None):
    """A page of rows; `count` when the caller already knows how many there are."""
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not counted again
    return paginator.get_page(request.GET.get("page"))


def render_partial(request, template, context, partial):
    """HTMX asks for the part it swaps; a normal request gets the whole page."""
    name = f"{template}#{partial}" if request.htmx else template
    return render(request, name, context)


# ---- the unit -------------------------------------------------------------------------------
def inbox_rows(request, today):
    form = InboxFilter(
        request.GET or {"state": "open"}, jurisdiction_ids=request.roles.jurisdiction_ids
    )
    form.is_valid()  # a value it doesn't know drops that filter alone, never the others
    return form, selectors.inbox_rows(request.roles, form.cleaned_data, today)


@unit_required
def inbox(request):
    today = timezone.localdate()
    form, rows = inbox_rows(request, today)
    page = page_of(request, rows)
    missing = deadlines.unloaded_years([a.due_on for a in page])
    context = {"form": form, "page": page, "today": today, "missing_years": missing}
    context["query"] = request.GET.urlencode()
    return render_partial(request, "workflow/inbox.html", context, "rows")


@unit_required
def inbox_export(request):
    today = timezone.localdate()
    _form, rows = inbox_rows(request, today)
    return download(exports.assignments_xlsx(rows, today), f"work-{today:%Y%m%d}.xlsx")


@require_POST
@refusals_to_messages
def accept(request, pk):
    assignment = actions.accept_assignment(get_object_or_404(Assignment, pk=pk), request.user)
    messages.success(request, _("已签收。"))
    return redirect(item_url(assignment.proposal_id))


@require_POST
@refusals_to_messages
def request_transfer(request, pk):
    assignment = get_object_or_404(Assignment.objects.select_related("unit"), pk=pk)
    form = TransferForm(request.POST, jurisdiction_id=assignment.unit.jurisdiction_id)
    if not form.is_valid():
        raise ActionRefused(
            _("申请调整必须说明理由。")
            if "reason" in form.errors
            else _("只能建议本地区的承办单位。")
        )
    actions.request_transfer(
        assignment, request.user, form.cleaned_data["reason"], form.cleaned_data["suggested_unit"]
    )
    messages.success(request, _("调整申请已提交建议提案处。"))
    return redirect(item_url(assignment.proposal_id))


@require_POST
@refusals_to_messages
def record_contact(request, pk):
    assignment = get_object_or_404(Assignment, pk=pk)
    form = ContactForm(request.POST, proposal=assignment.proposal)
    if not form.is_valid():
        raise ActionRefused(_("沟通记录不完整：") + "；".join(form.errors))
    actions.record_contact(assignment, request.user, **form.cleaned_data)
    messages.success(request, _("已记录沟通情况。"))
    return redirect(item_url(assignment.proposal_id))


@require_POST
@refusals_to_messages
def request_extension(request, pk):
    assignment = get_object_or_404(Assignment, pk=pk)
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("请填写延期后的日期和理由。"))
    actions.request_extension(
        assignment, request.user, form.cleaned_data["requested_due"], form.cleaned_data["reason"]
    )
    messages.success(request, _("延期申请已提交建议提案处。"))
    return redirect(item_url(assignment.proposal_id))


# ---- the proposal office --------------------------------------------------------------------
def office_proposal_rows(request):
    state, query = request.GET.get("state", ""), request.GET.get("q", "").strip()
    missing = request.GET.get("missing") == "1"
    channel = request.GET.get("channel", "")
    rows = selectors.office_proposal_rows(request.roles, state, query, missing, channel)
    return state, query, rows


@office_required
def office_proposals(request):
    state, query, rows = office_proposal_rows(request)
    context = {"page": page_of(request, rows), "states": ProposalState.choices}
    context |= {"state": state, "q": query, "query": request.GET.urlencode()}
    context |= {"channels": Channel.choices, "channel": request.GET.get("channel", "")}
    context["missing"] = request.GET.get("missing") == "1"
    return render_partial(request, "workflow/office_proposals.html", context, "rows")


@office_required
def office_proposals_export(request):
    _state, _query, rows = office_proposal_rows(request)
    today = timezone.localdate()
    return download(exports.proposals_xlsx(rows), f"proposals-{today:%Y%m%d}.xlsx")


@office_required
@refusals_to_messages
def intake(request):
    """登记新件; a refusal comes back on the form itself, with everything typed kept."""
    form = IntakeForm(request.POST or None, jurisdiction_ids=request.roles.office_jurisdiction_ids)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = actions.receive_proposal(
                request.user, proposers=form.proposer_list(), **form.proposal_fields()
            )
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("已登记 %(ref)s。") % {"ref": proposal.shown_reference})
            return redirect(item_url(proposal.pk))
    return render(request, "workflow/intake.html", {"form": form})


@office_required
def office_draft_attachment(request, pk):
    """A file a proposer filed with an item online, as the kind sniffed at upload."""
    found = selectors.office_draft_attachment(request.roles, pk)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@office_required
def proposer_duplicates(request):
    """重复的提出人: namesakes of one jurisdiction, each group with a merge form."""
    groups = selectors.likely_duplicates(request.roles)
    return render(request, "workflow/proposer_duplicates.html", {"groups": groups})


@office_required
@refusals_to_messages
def merge_proposers(request):
    """GET: the two records side by side to confirm; POST: the merge (an audited verb)."""
    source = request.POST if request.method == "POST" else request.GET
    keep_id, duplicate_id = (plain_int(source.get(k, "")) for k in ("keep", "duplicate"))
    pair = selectors.merge_preview(request.roles, keep_id, duplicate_id)
    if pair is None:
        messages.error(request, _("请在同一组中选择两位不同的提出人。"))
        return redirect("office-proposer-duplicates")
    if request.method == "POST":
        kept = actions.merge_proposers(request.user, pair["keep"], pair["duplicate"])
        messages.success(request, _("已将重复记录并入“%(name)s”。") % {"name": kept.name})
        return redirect("office-proposer-duplicates")
    return render(request, "workflow/proposer_merge.html", pair)


# 审查结果 → its verb (并案 also needs the item it joins, looked up in the view).
REVIEW_VERBS = {
    "start_review": lambda proposal, actor, reason: actions.start_review(proposal, actor),
    "file": lambda proposal, actor, reason: actions.file_proposal(proposal, actor),
    "reject": actions.reject_proposal,
    "return": actions.return_proposal,
    "convert": actions.convert_proposal,
}


@require_POST
@office_required
@refusals_to_messages
def review(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("session__jurisdiction"), pk=pk)
    # Who acts, before the form's merge target is looked up in the item's session.
    actions.require_office(request.user, proposal.session.jurisdiction, REVIEW_PERMISSION)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("请选择审查结果。"))
    verb, reason = form.cleaned_data["verb"], form.cleaned_data["reason"]
    if verb == "merge":
        into = selectors.merge_target(proposal, form.cleaned_data["merge_into"])
        if into is None:
            raise ActionRefused(_("同一届次会议中没有该案号。"))
        actions.merge_proposal(proposal, request.user, into, reason)
    else:
        REVIEW_VERBS[verb](proposal, request.user, reason)
    messages.success(request, _("审查结果已记录。"))
    return redirect(item_url(pk))


@require_POST
@office_required
@refusals_to_messages
def assign(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("session"), pk=pk)
    form = AssignForm(request.POST, jurisdiction=proposal.session.jurisdiction_id)
    if not form.is_valid():
        raise ActionRefused(_("所选单位无效，请重新选择。"))
    made = actions.assign_proposal(proposal, request.user, **form.cleaned_data)
    messages.success(request, _("已交办 %(n)d 个单位。") % {"n": len(made)})
    return redirect(item_url(pk))


@office_required
def office_requests(request):
    context = selectors.office_request_rows(request.roles)
    context["decided"] = context["decided"][:20]
    return render(request, "workflow/office_requests.html", context)


@office_required
def office_requests_export(request):
    today = timezone.localdate()
    content = exports.requests_xlsx(**selectors.office_request_rows(request.roles))
    return download(content, f"requests-{today:%Y%m%d}.xlsx")


def _decide(request, verb, model, pk, fields, done):
    """同意/不同意 on a unit's request; which request and verb is all that differs."""
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("请选择同意或不同意。"))
    request_row = get_object_or_404(model, pk=pk)
    verb(request_row, request.user, **{name: form.cleaned_data[name] for name in fields})
    messages.success(request, done)
    return redirect("office-requests")


@require_POST
@office_required
@refusals_to_messages
def decide_transfer(request, pk):
    fields = ("approve", "comment", "new_unit")
    return _decide(
        request, actions.decide_transfer, TransferRequest, pk, fields, _("调整申请已审批。")
    )


@require_POST
@office_required
@refusals_to_messages
def decide_extension(request, pk):
    fields = ("approve", "comment")
    return _decide(request, actions.decide_extension, Extension, pk, fields, _("延期申请已审批。"))


@require_POST
@office_required
@refusals_to_messages
def urge(request):
    form = UrgeForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("请填写催办内容。"))
    actions.urge(request.user, **form.cleaned_data)
    messages.success(request, _("已催办 %(unit)s。") % {"unit": form.cleaned_data["unit"]})
    return redirect(back_to(request, request.POST.get("next"), default="office-monitor"))


@office_required
def monitor(request):
    form = MonitorFilter(request.GET or None, jurisdiction_ids=request.roles.jurisdiction_ids)
    data = form.cleaned_data if form.is_valid() else {}
    context = selectors.monitor_context(request.roles, data, request.GET, timezone.localdate())
    page = page_of(request, context.pop("rows"), count=context.pop("count"))
    context |= {"form": form, "page": page}
    context["missing_years"] = deadlines.unloaded_years([a.due_on for a in page])
    return render_partial(request, "workflow/monitor.html", context, "list")


@office_required
def monitor_export(request):
    form = MonitorFilter(request.GET or None, jurisdiction_ids=request.roles.jurisdiction_ids)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    rows = selectors.monitor_list(selectors.monitor_rows(request.roles, data, today), data, today)
    return download(exports.assignments_xlsx(rows, today), f"overdue-{today:%Y%m%d}.xlsx")


# ---- the notification centre ----------------------------------------------------------------
@login_required
def notifications(request):
    rows = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        rows = rows.filter(read_at__isnull=True)
    return render(request, "workflow/notifications.html", {"page": page_of(request, rows)})


@login_required
def notice_settings(request):
    """通知设置: the person's own choice of mail and texts (the centre shows every notice)."""
    current = NoticePreference.objects.modes_for([request.user.pk])[request.user.pk]
    form = NoticePreferenceForm(request.POST or None, initial=current)
    if form.is_valid():
        actions.set_notice_preferences(request.user, **form.cleaned_data)
        messages.success(request, _("通知设置已保存。"))
        return redirect("notice-settings")
    return render(request, "workflow/notice_settings.html", {"form": form})


@login_required
def reminder_digest(request, pk):
    """The items one reminder digest told its recipient about, with where each stands now."""
    digest = get_object_or_404(
        ReminderDigest.objects.select_related("unit", "jurisdiction", "notification"),
        pk=pk,
        recipient=request.user,
    )
    if digest.is_commitments:  # its list is the responses app's page, which its notice names
        return redirect(digest.notification.link)
    rows = digest.reminders().select_related("rung", "unit", "assignment__proposal__session")
    context = {
        "digest": digest,
        "page": page_of(request, rows.in_due_order(), count=digest.items),
        "today": timezone.localdate(),
    }
    return render_partial(request, "workflow/reminder_digest.html", context, "list")


@require_POST
@login_required
def mark_read(request, pk=None):
    rows = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    rows.update(read_at=timezone.now())
    return redirect(back_to(request, request.POST.get("next"), default="notifications"))


# ---- Excel intake ---------------------------------------------------------------------------
def office_import_or_404(request, pk):
    return get_object_or_404(
        ItemImport, pk=pk, jurisdiction_id__in=request.roles.office_jurisdiction_ids
    )


@office_required
@refusals_to_messages
def item_imports(request):
    ids = request.roles.office_jurisdiction_ids
    form = ItemImportForm(request.POST or None, request.FILES or None, jurisdiction_ids=ids)
    if request.method == "POST" and form.is_valid():
        record = actions.start_item_import(
            request.user, form.cleaned_data["jurisdiction"], form.cleaned_data["file"]
        )
        return redirect("office-item-import", record.pk)
    recent = ItemImport.objects.filter(jurisdiction_id__in=ids).select_related("created_by")
    context = {"form": form, "imports": [actions.end_item_import_if_stuck(r) for r in recent[:20]]}
    return render(request, "workflow/item_imports.html", context)


@office_required
def item_import_template(request):
    return download(item_import.template_workbook(), "banli-import-template.xlsx")


@office_required
def item_import_detail(request, pk):
    record = actions.end_item_import_if_stuck(office_import_or_404(request, pk))
    context = {
        "record": record,
        "states": ItemImportState,
        "can_confirm": selectors.may(request.roles, record, "confirm"),
        "errors": [row for row in record.report if row["errors"]],
        "notes": [row for row in record.report if row.get("notes")],
        "page": Paginator(record.report, 200).get_page(request.GET.get("page")),
        "worker_silent": record.is_running and Heartbeat.objects.worker_silent(),
    }
    return render_partial(request, "workflow/item_import.html", context, "status")


@require_POST
@office_required
@refusals_to_messages
def item_import_confirm(request, pk):
    record = actions.confirm_item_import(office_import_or_404(request, pk), request.user)
    return redirect("office-item-import", record.pk)


@office_required
def item_import_errors(request, pk):
    record = office_import_or_404(request, pk)
    return download(item_import.report_workbook(record.report), f"import-{pk}-errors.xlsx")
