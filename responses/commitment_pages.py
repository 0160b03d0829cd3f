"""The staff's steps on commitments (承诺事项), each a plain form post answered by a redirect,
or, for htmx, by the panel it changed (a partial of the same page's template). In the letter
editor: 从正文中查找承诺, 确认, 删除, 添加承诺事项 and a follow-up reply's report on each; on
the item page: 登记进展, 申请撤销, the office's decision on it, 起草跟踪办理答复 and 转为已解决.
A refusal naming a field is shown beside it with what was typed kept; any other refusal is a
message (refusals_to_messages)."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflow.audit import ActionRefused
from workflow.models import Assignment
from workflow.views import item_url, refusals_to_messages, unit_required

from . import actions, commitment_panels, selectors
from .commitment_forms import CommitmentForm, ReportForm
from .models import CommitmentState
from .views import editor_context, editor_url, item_page, letter_or_404, require_letter_access


# ---- the letter editor ----------------------------------------------------------------------
def reply_for_panel(request, pk):
    reply = letter_or_404("reply", pk)
    require_letter_access(request.roles, reply)
    return reply


def commitment_for_panel(request, pk):
    commitment = commitment_panels.commitment_or_404(request.roles, pk)
    require_letter_access(request.roles, commitment.reply)
    return commitment


def editor_answer(request, reply, message, refused=None):
    """htmx: the panel as it is now, and the pre-flight check out of band; a form post: back
    to the panel, or, refused, the page with the form as typed."""
    reply = letter_or_404("reply", reply.pk)  # as the verb left it
    if request.htmx:
        context = commitment_panels.editor_panel(reply, refused)
        context |= selectors.preflight_context(reply) | {"letter": reply, "answer": True}
        context["message"] = None if refused else message
        return render(request, "responses/letter.html#commitments", context)
    if refused is not None:
        context = editor_context(request, reply, refused=refused)
        return render(request, "responses/letter.html", context, status=400)
    messages.success(request, message)
    return redirect(editor_url(reply) + "#commitments")


def refused_form(form, exc):
    """Puts a refusal naming one of the form's fields beside it; any other is raised on."""
    if exc.field not in form.fields:
        raise exc
    form.add_error(exc.field, exc.message)
    return form


@unit_required
def panel(request, pk):
    """The editor's panel anew (after an autosave changed the result class)."""
    reply = reply_for_panel(request, pk)
    if not request.htmx:
        return redirect(editor_url(reply) + "#commitments")
    context = commitment_panels.editor_panel(reply) | {"letter": reply}
    return render(request, "responses/letter.html#commitments", context)


@require_POST
@unit_required
@refusals_to_messages
def suggest(request, pk):
    reply = reply_for_panel(request, pk)
    made = actions.suggest_commitments(reply, request.user)
    message = (
        _("从正文中找到%(n)d项承诺，请逐项确认、修改或删除。") % {"n": len(made)}
        if made
        else _("正文中没有找到新的承诺。")
    )
    return editor_answer(request, reply, message)


@require_POST
@unit_required
@refusals_to_messages
def add(request, pk):
    reply = reply_for_panel(request, pk)
    units = commitment_panels.handling_units(reply)
    form = CommitmentForm(request.POST, units=units, prefix="new")
    try:
        if not form.is_valid():
            return editor_answer(request, reply, "", refused=form)
        actions.add_commitment(reply, request.user, **form.cleaned_data)
    except ActionRefused as exc:
        return editor_answer(request, reply, "", refused=refused_form(form, exc))
    return editor_answer(request, reply, _("已添加承诺事项。"))


@require_POST
@unit_required
@refusals_to_messages
def confirm(request, pk):
    """确认 a candidate as found or edited, or 保存 a confirmed one's changes."""
    commitment = commitment_for_panel(request, pk)
    units = commitment_panels.handling_units(commitment.reply)
    form = CommitmentForm.of(commitment, units, request.POST)
    try:
        if not form.is_valid():
            return editor_answer(request, commitment.reply, "", refused=form)
        was_candidate = commitment.state == CommitmentState.CANDIDATE
        actions.confirm_commitment(commitment, request.user, **form.cleaned_data)
    except ActionRefused as exc:
        return editor_answer(request, commitment.reply, "", refused=refused_form(form, exc))
    done = _("已确认承诺事项。") if was_candidate else _("已修改承诺事项。")
    return editor_answer(request, commitment.reply, done)


@require_POST
@unit_required
@refusals_to_messages
def reject(request, pk):
    commitment = commitment_for_panel(request, pk)
    actions.reject_commitment(commitment, request.user)
    return editor_answer(request, commitment.reply, _("已删除承诺事项。"))


@require_POST
@unit_required
@refusals_to_messages
def report(request, pk, commitment_pk):
    """A follow-up reply's word on one commitment: 已落实, 部分落实 or 不报告."""
    follow_up = reply_for_panel(request, pk)
    commitment = commitment_for_panel(request, commitment_pk)
    form = ReportForm.of(commitment, follow_up, request.POST)
    try:
        if not form.is_valid():
            return editor_answer(request, follow_up, "", refused=form)
        actions.report_commitment(follow_up, commitment, request.user, **form.cleaned_data)
    except ActionRefused as exc:
        return editor_answer(request, follow_up, "", refused=refused_form(form, exc))
    return editor_answer(request, follow_up, _("已记录落实情况。"))


# ---- the item page --------------------------------------------------------------------------
def item_answer(request, commitment, message, refused=None):
    """htmx: the item's 承诺事项 as they are now; a form post: back to the commitment, or,
    refused, the item page with the form as typed."""
    pk = commitment.reply.assignment.proposal_id
    if request.htmx or refused is not None:
        context = item_page(request, pk, refused) | {"message": None if refused else message}
        name = "responses/item.html#commitments" if request.htmx else "responses/item.html"
        return render(request, name, context, status=400 if not request.htmx else 200)
    messages.success(request, message)
    return redirect(f"{item_url(pk)}#commitment-{commitment.pk}")


def typed_step(request, commitment, step, verb, message, **typed):
    """One of the item page's steps on a commitment: the verb's refusal by field is put back
    beside the field, with what was typed."""
    try:
        verb()
    except ActionRefused as exc:
        if not exc.field:
            raise
        refused = (commitment.pk, step, exc.field, exc.message, typed)
        return item_answer(request, commitment, "", refused)
    return item_answer(request, commitment, message)


@require_POST
@login_required
@refusals_to_messages
def note_progress(request, pk):
    commitment = commitment_panels.commitment_or_404(request.roles, pk)
    text = request.POST.get("text", "")
    verb = partial(actions.note_progress, commitment, request.user, text)
    return typed_step(request, commitment, "progress", verb, _("已登记进展。"), text=text)


@require_POST
@login_required
@refusals_to_messages
def request_drop(request, pk):
    commitment = commitment_panels.commitment_or_404(request.roles, pk)
    reason = request.POST.get("reason", "")
    verb = partial(actions.request_drop, commitment, request.user, reason)
    message = _("已申请撤销，待建议提案处审批。")
    return typed_step(request, commitment, "drop", verb, message, reason=reason)


@require_POST
@login_required
@refusals_to_messages
def decide_drop(request, pk):
    commitment = commitment_panels.commitment_or_404(request.roles, pk)
    approve, comment = request.POST.get("approve") == "1", request.POST.get("comment", "")
    verb = partial(actions.decide_drop, commitment, request.user, approve=approve, comment=comment)
    message = _("已同意撤销。") if approve else _("已不同意撤销，该承诺事项继续落实。")
    return typed_step(request, commitment, "decide", verb, message, comment=comment)


@require_POST
@unit_required
@refusals_to_messages
def start_follow_up(request, assignment_pk):
    """起草跟踪办理答复: the unit's draft (its open one if there is one), in the editor."""
    assignment = get_object_or_404(Assignment, pk=assignment_pk)
    return redirect(editor_url(actions.start_follow_up(assignment, request.user)))


@require_POST
@login_required
@refusals_to_messages
def mark_solved(request, pk):
    """转为已解决: the office, once every commitment of the reply is delivered."""
    reply = letter_or_404("reply", pk)
    actions.mark_solved(reply, request.user)
    messages.success(request, _("已将办理结果转为已解决。"))
    return redirect(f"{item_url(reply.assignment.proposal_id)}#commitments")
