"""The item page, the letter editor, the leader's queue, the office's feedback and
publication pages, the public site and the proposer's feedback link."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from proposals.models import Jurisdiction, ProposalProposer, Proposer
from proposals.params import plain_int
from workflow import downloads
from workflow.actions import update_proposer_contacts
from workflow.audit import ActionRefused
from workflow.exports import publication_xlsx
from workflow.forms import (
    AssignForm,
    ContactForm,
    ExtensionForm,
    ProposerContactsForm,
    ReviewForm,
    TransferForm,
    UrgeForm,
)
from workflow.models import Assignment, Heartbeat
from workflow.redirects import back_to
from workflow.views import (
    PAGE_SIZE,
    item_url,
    office_required,
    page_of,
    refusals_to_messages,
    render_partial,
    unit_required,
)

from . import actions, commitment_panels, rendering, selectors, textsearch, verification
from .actions.drafting import fields_of
from .forms import (
    AttachmentForm,
    LetterForm,
    PaperDeliveryForm,
    PaperFeedbackForm,
    RatingForm,
    VerifyForm,
    confirmed_letters,
    show_refusals,
)
from .models import (
    Attachment,
    Delivery,
    Feedback,
    LetterImport,
    LetterState,
    LetterTemplate,
    Opinion,
    Reply,
)

LETTER_MODELS = {"reply": Reply, "opinion": Opinion}


def letter_or_404(kind, pk):
    model = LETTER_MODELS.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(
        model.objects.select_related(
            "assignment__proposal__session__jurisdiction", "assignment__unit"
        ),
        pk=pk,
    )


def editor_url(letter):
    return reverse("letter", args=[letter._meta.model_name, letter.pk])


def require_letter_access(roles, letter):
    """The letter's own page, its files and attachments: the drafting unit and the office
    (Letter.is_handled_by)."""
    if not letter.is_handled_by(roles, letter.assignment.proposal.session.jurisdiction_id):
        raise PermissionDenied(_("只有起草单位和建议提案处可以查看该函件。"))


# ---- asking before an irreversible step -------------------------------------------------------
def confirm_first(step):
    """签发并发出, 发出, 公开 and 撤回公开 are done only when the form says confirmed=1. The
    first post changes nothing: it shows what the step will do (the page, or its partial for
    htmx) with a button posting the same fields again, confirmed, and a way back. `step`
    names the step, or is a function of the posted fields (None: nothing to confirm). When
    the step is not offered now, the view runs and its verb says why."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, kind, pk):
            name = step(request.POST) if callable(step) else step
            if name is None or request.POST.get("confirmed") == "1":
                return view(request, kind, pk)
            letter = letter_or_404(kind, pk)
            today = timezone.localdate()
            facts = selectors.confirmation_context(request.roles, name, letter, request.POST, today)
            if facts is None:
                return view(request, kind, pk)
            context = facts | confirm_form(request, letter)
            return render_partial(request, "responses/confirm.html", context, "confirmation")

        return wrapper

    return decorate


def confirm_form(request, letter):
    """What the confirm button posts again, and where 取消 leads: `next`, else the item."""
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirmed")
        for value in values
    ]
    default = item_url(letter.assignment.proposal_id)
    cancel = back_to(request, request.POST.get("next"), default=default)
    return {"action": request.path, "fields": fields, "cancel_url": cancel}


def signing_step(posted):
    """签发 alone is not confirmed; 签发并发出 is."""
    return "sign_and_send" if posted.get("send") else None


# ---- the item page: everyone who handles the item, each seeing what is theirs -------------
def item_forms(context):
    """The blank forms of the actions the item page offers: the office's, and a unit's."""
    office, mine = context["is_office"], context["mine"]
    return {
        "review_form": ReviewForm(transitions=context["review_choices"]) if office else None,
        "assign_form": AssignForm(
            jurisdiction=context["jurisdiction"].pk,
            current=[a for a in context["assignments"] if a.is_current],
        )
        if office
        else None,
        "urge_form": UrgeForm() if office else None,
        "contact_form": ContactForm(proposal=context["proposal"]) if mine else None,
        "transfer_form": TransferForm(jurisdiction_id=context["jurisdiction"].pk) if mine else None,
        "extension_form": ExtensionForm() if mine else None,
        "contact_forms": contact_forms(context),
    }


def item_page(request, pk, refused=None):
    """The item page's context with its blank forms and the 承诺事项 panel (`refused`: a
    commitment step refused, put back as typed)."""
    context = selectors.item_context(request.roles, pk, timezone.localdate())
    panel = commitment_panels.item_panel(request.roles, context, refused)
    return context | item_forms(context) | panel


@login_required
def item(request, pk):
    return render(request, "responses/item.html", item_page(request, pk))


def contact_forms(context, posted=None):
    """登记联系方式: a form per proposer whose contacts the viewer may record, filled with
    what is on record; `posted`, a refused form, stands in for its proposer's."""
    forms = {
        s.proposer_id: ProposerContactsForm.of(s.proposer)
        for s in context["signatories"]
        if s.proposer_id in context["contact_keepers"]
    }
    return forms | ({int(posted.prefix[1:]): posted} if posted is not None else {})


@require_POST
@login_required
def proposer_contacts(request, pk, proposer_pk):
    """The item page's 提出人 card: the office, or a clerk of a unit answering the proposer,
    records their contacts. What is refused stays in the form, each problem by its field."""
    signatory = get_object_or_404(
        ProposalProposer.objects.select_related("proposer"), proposal_id=pk, proposer_id=proposer_pk
    )
    form = ProposerContactsForm.of(signatory.proposer, request.POST)
    try:
        if form.is_valid():
            person = update_proposer_contacts(request.user, signatory.proposer, **form.cleaned_data)
            messages.success(request, _("已更新%(name)s的联系方式。") % {"name": person.name})
            return redirect(f"{item_url(pk)}#proposer-{proposer_pk}")
    except ActionRefused as exc:
        form.add_error(None, exc.message)
    context = item_page(request, pk)
    if proposer_pk not in context["contact_keepers"]:
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    forms = {"contact_forms": contact_forms(context, form)}
    return render(request, "responses/item.html", context | forms, status=400)


@require_POST
@unit_required
@refusals_to_messages
def start_letter(request, assignment_pk):
    """拟稿: open (or continue) this assignment's reply or opinion."""
    letter = actions.start_letter(get_object_or_404(Assignment, pk=assignment_pk), request.user)
    return redirect(editor_url(letter))


# ---- the letter editor ----------------------------------------------------------------------
def saved(request, letter):
    """The answer to a save: the htmx editor swaps in the saved time and the refreshed
    pre-flight check; a form post reloads the page, which draws both."""
    if request.htmx:
        response = render(
            request,
            "responses/_autosaved.html",
            selectors.preflight_context(letter) | {"letter": letter},
        )
        response["HX-Trigger"] = "letter-saved"
        return response
    messages.success(request, _("已保存。"))
    return redirect(editor_url(letter))


def letter_form(letter, data=None):
    """The editor's form of every element of the letter, filled with its own values."""
    return LetterForm(
        data,
        scheme=letter.assignment.proposal.session.jurisdiction.scheme,
        initial=selectors.letter_initial(letter),
        editable=letter.is_editable,
        elements=fields_of(letter),
    )


def editor_context(request, letter, form=None, refused=None):
    """The editor's page: the letter's form, its files, the pre-flight check and the 承诺事项
    panel (`refused`: a commitment form the verb refused, shown as typed)."""
    form = form or letter_form(letter)
    context = selectors.letter_context(request.roles, letter, form, AttachmentForm())
    return context | commitment_panels.editor_panel(letter, refused)


@unit_required
@refusals_to_messages
def letter(request, kind, pk):
    letter = letter_or_404(kind, pk)
    require_letter_access(request.roles, letter)
    form = letter_form(letter, request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            raise ActionRefused(_("请检查填写内容：") + "；".join(form.errors))
        return saved(request, actions.save_letter(letter, request.user, **form.cleaned_data))
    return render(request, "responses/letter.html", editor_context(request, letter, form))


@unit_required
def letter_preview(request, kind, pk):
    letter = letter_or_404(kind, pk)
    require_letter_access(request.roles, letter)
    return render(request, "responses/letter.html#preview", {"letter": letter})


@require_POST
@unit_required
@refusals_to_messages
def submit(request, kind, pk):
    letter = actions.submit_letter(letter_or_404(kind, pk), request.user)
    messages.success(request, _("已送审，等待领导签发。"))
    return redirect(item_url(letter.assignment.proposal_id))


@require_POST
@unit_required
@refusals_to_messages
def use_template(request, kind, pk):
    letter = letter_or_404(kind, pk)
    template = get_object_or_404(LetterTemplate, pk=request.POST.get("template"))
    actions.apply_template(letter, request.user, template)
    messages.success(request, _("已套用模板“%(t)s”。") % {"t": template.name})
    return redirect(editor_url(letter))


@require_POST
@unit_required
@refusals_to_messages
def attach(request, kind, pk):
    letter = letter_or_404(kind, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        raise ActionRefused(_("请选择要上传的文件。"))
    actions.attach_file(letter, request.user, form.cleaned_data["file"])
    messages.success(request, _("附件已上传。"))
    return redirect(editor_url(letter))


CONTENT_TYPES = {kind: Attachment.MEDIA_TYPES[kind] for kind in ("pdf", "docx")}


def letter_download(letter, fmt, content, digest=None):
    name = f"{letter.doc_number or letter.title}.{fmt}"
    return downloads.download(content, name, CONTENT_TYPES[fmt], digest)


@login_required
def download(request, kind, pk, fmt):
    """The letter as PDF or DOCX: the frozen files once sent, a fresh rendering of a draft
    (drafts only for their unit and the office)."""
    letter = letter_or_404(kind, pk)
    require_letter_access(request.roles, letter)
    if fmt not in CONTENT_TYPES:
        raise Http404
    try:
        if letter.sent_at is None:
            render = rendering.pdf if fmt == "pdf" else rendering.docx
            return letter_download(letter, fmt, render(letter))
        frozen = actions.freeze(letter)[fmt]
    except ActionRefused as exc:  # characters without a glyph, or no PDF engine here
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    return letter_download(letter, fmt, bytes(frozen.content), frozen.sha256)


def public_pdf(request, pk):
    """The frozen PDF of a reply published in full; a summary-only reply has none."""
    reply = get_object_or_404(selectors.public_queryset().filter(disclosure="full"), pk=pk)
    try:
        frozen = actions.freeze(reply)["pdf"]
    except ActionRefused as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    return letter_download(reply, "pdf", bytes(frozen.content), frozen.sha256)


@login_required
def attachment(request, pk):
    found = get_object_or_404(
        Attachment.objects.select_related("reply__assignment", "opinion__assignment"), pk=pk
    )
    require_letter_access(request.roles, found.reply or found.opinion)
    # Served as the kind sniffed at upload, never as its name says: a PDF named poly.html
    # is application/pdf, poly.pdf, downloaded rather than shown, and not to be sniffed.
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.download_name,
        content_type=found.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---- the leader ------------------------------------------------------------------------------
def queue_result(request, letter, message):
    """After 签发 or 退回: htmx swaps the letter's card for the outcome; else back to the queue."""
    if request.htmx:
        return render(request, "responses/queue.html#done", {"letter": letter, "message": message})
    messages.success(request, message)
    return redirect("leader-queue")


def seen_revision(request):
    """The submission (稿) the leader's page showed, sent back with the decision."""
    return plain_int(request.POST.get("revision", ""))


@unit_required
def leader_queue(request):
    if not request.roles.is_leader:
        raise PermissionDenied(_("只有单位审核签发人可以访问此页面。"))
    context = selectors.queue_context(request.roles, timezone.localdate())
    return render(request, "responses/queue.html", context)


@require_POST
@unit_required
@refusals_to_messages
@confirm_first(signing_step)
def sign(request, kind, pk):
    verb = actions.sign_and_send_letter if request.POST.get("send") else actions.sign_letter
    letter = verb(letter_or_404(kind, pk), request.user, seen_revision=seen_revision(request))
    if letter.state == LetterState.SIGNED:
        refusal = isinstance(letter, Reply) and letter.send_refusal()
        return queue_result(request, letter, _("已签发。") + (refusal or ""))
    message = _("已签发并发出，文号 %(n)s。") % {"n": letter.doc_number or "—"}
    return queue_result(request, letter, message)


@require_POST
@unit_required
@refusals_to_messages
def return_letter(request, kind, pk):
    letter = actions.return_letter(
        letter_or_404(kind, pk),
        request.user,
        request.POST.get("comment", ""),
        seen_revision=seen_revision(request),
    )
    return queue_result(request, letter, _("已退回修改。"))


@require_POST
@unit_required
@refusals_to_messages
@confirm_first("send")
def send(request, kind, pk):
    letter = actions.send_letter(letter_or_404(kind, pk), request.user)
    messages.success(request, _("已发出，文号 %(n)s。") % {"n": letter.doc_number or "—"})
    return redirect(item_url(letter.assignment.proposal_id))


# ---- the office: feedback forms on paper, publication ---------------------------------------
@office_required
def publication(request):
    context = selectors.publication_context(request.roles, timezone.localdate())
    context["feedback_form"] = PaperFeedbackForm()
    return render(request, "responses/publication.html", context)


@office_required
def publication_export(request):
    today = timezone.localdate()
    context = selectors.publication_context(request.roles, today, limit=None)
    return downloads.download(publication_xlsx(context), f"publication-{today:%Y%m%d}.xlsx")


@require_POST
@login_required
@refusals_to_messages
@confirm_first("publish")
def publish(request, kind, pk):
    letter = actions.publish_letter(letter_or_404(kind, pk), request.user)
    messages.success(request, _("已公开：%(t)s") % {"t": letter.title})
    return back_to_item(request, letter)


@require_POST
@office_required
@refusals_to_messages
@confirm_first("withdraw")
def withdraw(request, kind, pk):
    letter = actions.withdraw_publication(
        letter_or_404(kind, pk), request.user, request.POST.get("reason", "")
    )
    messages.success(request, _("已撤回公开。"))
    return back_to_item(request, letter)


@require_POST
@office_required
@refusals_to_messages
def paper_feedback(request, pk):
    reply = get_object_or_404(Reply, pk=pk)
    form = PaperFeedbackForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("请选择对办理工作和办理结果的评价。"))
    data = form.cleaned_data
    actions.record_feedback(
        reply,
        get_object_or_404(Proposer, pk=data["proposer"]),
        handling=data["handling"],
        result=data["result"],
        comment=data["comment"],
        actor=request.user,
        channel=Feedback.Channel.PAPER,
    )
    messages.success(request, _("已录入征询意见表。"))
    return redirect(back_to(request, request.POST.get("next"), default="publication"))


# ---- 送达: the office's list of undelivered replies, resending, paper records -------------
@office_required
def undelivered(request):
    return render(
        request, "responses/undelivered.html", selectors.undelivered_context(request.roles)
    )


def back_to_item(request, letter):
    """Where a step on a letter returns: the page it was posted from, else the item's page."""
    return redirect(
        back_to(request, request.POST.get("next"), default=item_url(letter.assignment.proposal_id))
    )


@require_POST
@login_required
@refusals_to_messages
def resend_delivery(request, pk):
    delivery = get_object_or_404(Delivery.objects.select_related("reply__assignment"), pk=pk)
    delivery = actions.resend_delivery(request.user, delivery)
    messages.success(request, _("已重新排队发送。"))
    return back_to_item(request, delivery.reply)


@require_POST
@login_required
@refusals_to_messages
def send_by(request, pk, proposer_pk):
    reply = get_object_or_404(Reply.objects.select_related("assignment"), pk=pk)
    proposer = get_object_or_404(Proposer, pk=proposer_pk)
    channel = request.POST.get("channel", "")
    actions.resend_delivery(request.user, reply=reply, proposer=proposer, channel=channel)
    messages.success(request, _("已排队发送。"))
    return back_to_item(request, reply)


def form_problems(form):
    """A refused form's errors in one message, each after its field's label."""
    labels = {name: f"{field.label}：" for name, field in form.fields.items()}
    return "；".join(
        labels.get(name, "") + "、".join(errors) for name, errors in form.errors.items()
    )


@require_POST
@login_required
@refusals_to_messages
def record_paper_delivery(request, pk, proposer_pk):
    reply = get_object_or_404(Reply.objects.select_related("assignment"), pk=pk)
    proposer = get_object_or_404(Proposer, pk=proposer_pk)
    form = PaperDeliveryForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(form_problems(form))
    actions.record_paper_delivery(request.user, reply, proposer, **form.cleaned_data)
    messages.success(request, _("已登记%(name)s的纸质送达。") % {"name": proposer.name})
    return back_to_item(request, reply)


# ---- the public ------------------------------------------------------------------------------
def public_list(request):
    rows, filters = selectors.public_replies(request.GET)
    if filters["q"]:
        page = textsearch.hits_page(rows, request.GET.get("page"), PAGE_SIZE)
        textsearch.with_excerpts(page, filters["q"], "replies")
    else:
        page = page_of(request, rows)
    context = {"page": page, **filters}
    return render_partial(request, "responses/public_list.html", context, "rows")


def public_reply(request, pk):
    reply = selectors.published_reply(pk)
    return render(request, "responses/public_reply.html", {"reply": reply})


def verify(request):
    """核验: anyone checks a letter's PDF (or its number and SHA-256); no login."""
    posted = request.method == "POST"
    form = VerifyForm(request.POST if posted else None, request.FILES if posted else None)
    result = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload:
            content = upload.read(verification.MAX_BYTES + 1)
            result = verification.verify_pdf(content)
        else:
            result = verification.verify_number(
                form.cleaned_data["doc_number"], form.cleaned_data["sha256"]
            )
    return render(request, "responses/verify.html", {"form": form, "result": result})


# ---- the proposer ----------------------------------------------------------------------------
def proposer_feedback(request, token):
    """征询意见表 through a signed link: no account; one rating per proposer and round."""
    state = selectors.link_state(token)
    if state["problem"]:
        return render(request, "responses/feedback_link.html", state, status=state["status"])
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_feedback(state["reply"], state["proposer"], **form.cleaned_data)
        except ActionRefused as exc:
            if not exc.field:
                context = {**state, "problem": "used", "message": str(exc)}
                return render(request, "responses/feedback_link.html", context, status=409)
            form.add_error(exc.field, exc.message)
        else:
            return render(request, "responses/feedback_link.html", {**state, "done": True})
    return render(request, "responses/feedback_link.html", {**state, "form": form})


# ---- the office: letters sent before Banli ---------------------------------------------------
@office_required
@refusals_to_messages
def import_letters(request):
    """Upload → the files are read in the worker (the import's page shows progress, then the
    preview of what was recognised in each file) → save (one transaction)."""
    ids = request.roles.office_jurisdiction_ids
    jurisdiction = Jurisdiction.objects.filter(pk__in=ids).first()
    if request.method == "POST":
        record = actions.start_letter_import(
            request.user, jurisdiction, request.FILES.getlist("files")
        )
        return redirect("office-letter-import", record.pk)
    recent = LetterImport.objects.filter(jurisdiction_id__in=ids).select_related("created_by")
    imports = [actions.end_letter_import_if_stuck(r) for r in recent[:20]]
    context = {"jurisdiction": jurisdiction, "imports": imports}
    return render(request, "responses/import.html", context)


def letter_import_or_404(request, pk):
    return get_object_or_404(
        LetterImport, pk=pk, jurisdiction_id__in=request.roles.office_jurisdiction_ids
    )


@office_required
def letter_import(request, pk):
    record = actions.end_letter_import_if_stuck(letter_import_or_404(request, pk))
    context = {"record": record, **selectors.letter_import_preview(record)}
    context["worker_silent"] = record.is_running and Heartbeat.objects.worker_silent()
    return render_partial(request, "responses/import.html", context, "status")


@require_POST
@office_required
def letter_import_save(request, pk):
    """Saves the confirmed letters as corrected, or shows each refusal beside its field."""
    record = letter_import_or_404(request, pk)
    page = {"record": record, **selectors.letter_import_preview(record, request.POST)}
    corrections = confirmed_letters(page["letters"])
    try:
        if corrections is None:  # the forms say which fields; the top of the page says that
            raise ActionRefused(_("有确认的函件要素不全或有误，请按标出的字段补全。"))
        saved = actions.save_letter_import(request.user, record, corrections)
    except actions.LettersRefused as exc:
        show_refusals(page["letters"], exc.problems)
        messages.error(request, str(exc))
    except ActionRefused as exc:
        messages.error(request, _("未保存任何函件：%(e)s") % {"e": exc})
    else:
        done = _("已保存 %(n)d 份函件，%(m)d 份未确认，留在本次导入中。")
        left = page["pending_count"] - len(saved)
        messages.success(request, done % {"n": len(saved), "m": left})
        return redirect("office-letter-import", record.pk)
    return render(request, "responses/import.html", page)
