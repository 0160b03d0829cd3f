"""网上提交 on the proposer's side (under /me/drafts/): the lead drafts an item in a session
open for filing, sees similar earlier items while typing its title, asks co-signers, and
submits (or withdraws); a co-signer reads the draft and confirms or declines; a draft the
office returned is revised and resubmitted. Each view calls one filing verb of workflow's;
the verbs decide who acts (Proposer.is_acted_for_by) and refuse what they do not accept."""

from functools import wraps

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from workflow import actions
from workflow import selectors as workflow_selectors
from workflow.audit import ActionRefused

from . import selectors
from .forms import AttachmentForm, CosignersForm, DraftForm, NewDraftForm
from .views import proposer_required


def on_the_draft(view):
    """The draft (404 unless the account leads it or was invited to co-sign it) as the
    view's argument; a refusal is a message on the draft's page."""

    @wraps(view)
    @proposer_required
    def wrapper(request, pk, *args, **kwargs):
        draft = selectors.draft_for(request.user, pk)
        try:
            return view(request, draft, *args, **kwargs)
        except ActionRefused as exc:
            messages.error(request, exc.message)
            return redirect("portal-draft", draft.pk)

    return wrapper


@proposer_required
def drafts(request):
    """我的草稿, and the sessions open for filing (or when the next window opens)."""
    open_now, upcoming = selectors.filing_windows(request.proposer)
    context = {"drafts": selectors.my_drafts(request.user), "open_now": open_now}
    return render(request, "portal/drafts.html", {**context, "upcoming": upcoming})


@proposer_required
def new_draft(request):
    """新建提案/建议: a session open to this proposer, the title (with the similar-case
    check) and text, the suggested units."""
    open_now, upcoming = selectors.filing_windows(request.proposer)
    if not open_now:
        return render(request, "portal/drafts.html", {"open_now": [], "upcoming": upcoming})
    form = NewDraftForm(open_now, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {k: form.cleaned_data[k] for k in ("session", "title", "body", "units")}
            draft = actions.start_draft(request.user, lead=request.proposer, **fields)
            messages.success(request, _("已保存草稿。"))
            return redirect("portal-draft", draft.pk)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
    return render(request, "portal/new_draft.html", {"form": form})


@on_the_draft
def draft(request, draft):
    """The draft: its editor for the lead while editable (POST saves), else its text, the
    co-signers' answers and what this account may do now."""
    page = selectors.draft_page(draft, request.user)
    data = request.POST if request.method == "POST" else None
    initial = {"title": draft.title, "body": draft.body, "units": draft.suggested_units.all()}
    form = DraftForm(draft.session, data, initial=initial) if page["may_edit"] else None
    if data is not None and form is not None and form.is_valid():
        try:
            actions.edit_draft(draft, request.user, **form.cleaned_data)
            messages.success(request, _("已保存。"))
            return redirect("portal-draft", draft.pk)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
    similar = selectors.similar_earlier(draft.title, draft.body) if page["may_edit"] else []
    context = {**page, "form": form, "attach_form": AttachmentForm(), "similar": similar}
    return render(request, "portal/draft.html", context)


@require_POST
@on_the_draft
def attach(request, draft):
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ActionRefused(_("请选择要上传的文件。"))
    attachment = actions.attach_to_draft(draft, request.user, form.cleaned_data["file"])
    messages.success(request, _("已添加附件%(name)s。") % {"name": attachment.name})
    return redirect("portal-draft", draft.pk)


@on_the_draft
def attachment(request, draft, attachment_pk):
    """A file of the draft, for its lead and its invited co-signers only."""
    found = get_object_or_404(draft.attachments.all(), pk=attachment_pk)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@on_the_draft
def cosigners(request, draft):
    """联名: choose co-signers one by one (each link adds one, in order), then ask them.
    Only the lead, and only while drafting (what ask_cosigners accepts)."""
    if not selectors.may_invite(draft, request.user):
        raise ActionRefused(_("该稿已请联名人确认或已提交，不能再邀请联名人。"))
    picked = [int(pk) for pk in request.GET.getlist("pick") if pk.isdigit()]
    form = CosignersForm(workflow_selectors.cosigner_candidates(draft), request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            raise ActionRefused(_("请至少选择一位联名人，确认期限为1至30天。"))
        actions.ask_cosigners(draft, request.user, form.chosen(), days=form.cleaned_data["days"])
        messages.success(request, _("已邀请联名人确认。"))
        return redirect("portal-draft", draft.pk)
    choice = selectors.cosigner_choice(draft, picked, request.GET.get("q", ""))
    return render(request, "portal/cosigners.html", {"draft": draft, "form": form, **choice})


def _verb(name, done):
    """A button's view: one verb on the draft, then the draft's page with what happened."""

    @require_POST
    @on_the_draft
    def view(request, draft):
        getattr(actions, name)(draft, request.user)
        messages.success(request, done)
        return redirect("portal-draft", draft.pk)

    view.__name__ = name
    return view


submit = _verb("submit_draft", gettext_lazy("已提交，建议提案处将审查登记。"))
resubmit = _verb("resubmit_draft", gettext_lazy("已重新提交，建议提案处将再次审查。"))
withdraw = _verb("withdraw_draft", gettext_lazy("已撤回。"))


@require_POST
@on_the_draft
def answer(request, draft):
    """附议: the invited co-signer confirms or declines."""
    page = selectors.draft_page(draft, request.user)
    if page["mine"] is None:
        raise ActionRefused(_("您没有收到该稿的联名邀请。"))
    confirm = request.POST.get("answer") == "confirm"
    actions.answer_cosignature(page["mine"], request.user, confirm=confirm)
    messages.success(request, _("已确认联名。") if confirm else _("已谢绝联名。"))
    return redirect("portal-draft", draft.pk)


@proposer_required
def similar(request):
    """相似的往年件 for the title typed: the editor's htmx panel, or a page of its own."""
    title = request.GET.get("title", "")[:300]
    context = {"similar": selectors.similar_earlier(title), "title": title}
    name = "portal/similar.html#panel" if request.htmx else "portal/similar.html"
    return render(request, name, context)
