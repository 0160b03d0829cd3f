import re
from datetime import date

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from proposals.classification import shown
from proposals.models import ProposalState
from workflow.models import AssignmentState, Decision
from workflow.templatetags.banli import punct

from .. import rendering
from ..models import CommitmentState, DeliveryState, LetterState, Outcome

# 交办's audit row records the deadline as written then ("期限 2026-10-04"); it is read back
# in the page's language.
ASSIGNED_DUE = re.compile(r"期限 (\d{4}-\d{2}-\d{2})")

register = template.Library()

TRANSITION_LABELS = {
    "receive": _("登记"),
    "correct": _("更正登记"),
    "start_review": _("提交审查"),
    "file": _("立案"),
    "reject": _("不予立案"),
    "merge": _("并案"),
    "return_for_revision": _("退回修改"),
    "convert": _("转意见建议"),
    "assign": _("交办"),
    "start_handling": _("开始办理"),
    "mark_replied": _("答复"),
    "close": _("办结"),
    "reopen": _("重新办理"),
    "accept": _("签收"),
    "request_transfer": _("申请调整"),
    "approve_transfer": _("同意调整"),
    "reject_transfer": _("不同意调整"),
    "mark_opinion_sent": _("送会办意见"),
    "lapse": _("会办结束"),
    "complete": _("办结"),
    "extend": _("延期"),
    "draft": _("起草"),
    "submit": _("送审"),
    "sign": _("签发"),
    "send": _("发出"),
    "publish": _("公开"),
    "withhold": _("不公开"),
    "withdraw": _("撤回公开"),
    "refreeze": _("重新生成定稿PDF"),
    "request": _("申请"),
    "approve": _("同意"),
    "edit": _("修改"),
    "attach": _("添加附件"),
    "apply_template": _("套用模板"),
    "queue": _("排队发送"),
    "mark_sent": _("已发送"),
    "retry_later": _("发送失败，稍后重试"),
    "mark_failed": _("发送失败"),
    "resend": _("重新发送"),
    "record_posting": _("登记寄出"),
    "record_handover": _("登记当面送达"),
    "deliver": _("已送达全部提出人"),
    "open_feedback": _("反馈期限起算"),
}
# A commitment's own steps (承诺事项): some share a name with another machine's ("deliver").
COMMITMENT_TRANSITION_LABELS = {
    "confirm": _("确认承诺事项"),
    "edit_commitment": _("修改承诺事项"),
    "deliver": _("已落实"),
    "deliver_partly": _("部分落实"),
    "request_drop": pgettext_lazy("button", "申请撤销"),  # the step, not the state
    "approve_drop": _("同意撤销"),
    "refuse_drop": _("不同意撤销"),
    "note_progress": _("登记进展"),
    # In a draft follow-up reply: the commitment's state changes only when the reply is sent.
    "report_commitment": _("拟报告落实情况"),
    "suggest_commitments": _("从正文中查找承诺"),  # a candidate's row: the step that found it
    "add_commitment": _("添加承诺事项"),
}
# The reply's rows about its commitments.
TRANSITION_LABELS |= {
    "suggest_commitments": _("从正文中查找承诺"),
    "reject_commitment": _("删除承诺事项"),
    "draft_follow_up": _("起草跟踪办理答复"),
    "mark_solved": _("转为已解决"),
    "record_look_back": _("记录回头看"),
}
STATES = {
    "proposal": ProposalState,
    "assignment": AssignmentState,
    "transferrequest": Decision,
    "extension": Decision,
    "reply": LetterState,
    "opinion": LetterState,
    "delivery": DeliveryState,
    "commitment": CommitmentState,
}


@register.filter
def transition_label(name, kind=None):
    if kind == "commitment" and name in COMMITMENT_TRANSITION_LABELS:
        return COMMITMENT_TRANSITION_LABELS[name]
    return TRANSITION_LABELS.get(name, name)


@register.filter
def log_comment(comment, transition):
    """An audit row's comment as the page's language writes it: an edit row records the
    letter's changed fields by their Chinese names (正文、办理结果类别), each a msgid."""
    if transition == "assign" and (due := ASSIGNED_DUE.fullmatch(comment or "")):
        return gettext("期限 %(due)s") % {"due": date_format(date.fromisoformat(due[1]))}
    if transition == "report_commitment" and comment:
        return reported_comment(comment)
    if transition != "edit" or not comment:
        return comment
    return punct("、").join(gettext(name) for name in comment.split("、"))


def reported_comment(comment):
    """report_commitment's row: the outcome the draft reports (its code, "-" for none) then
    the note; rows written before the code was recorded are the note alone."""
    code, _space, note = comment.partition(" ")
    if code == "-":
        shown_outcome = gettext("不再报告")
    elif code in Outcome.values:
        shown_outcome = Outcome(code).label
    else:
        return comment
    return f"{shown_outcome}{punct('：')}{note}" if note else str(shown_outcome)


@register.filter
def result_label(label):
    """A reply's 办理结果类别 as the page's language writes it."""
    return shown(label)


@register.filter
def state_label(value, kind):
    """A state's label for the timeline, whichever machine it belongs to."""
    choices = STATES.get(kind)
    return dict(choices.choices).get(value, value) if choices else value


@register.filter
def letter_lines(letter):
    return rendering.lines(letter)


@register.filter
def tab_split(text):
    return text.split("\t")


@register.filter
def of_session(similar, same):
    """The similar items of this item's own session ("same") or of the others ("earlier"):
    the first are likely duplicates, the others precedents (textsearch.similar_items)."""
    wanted = same == "same"
    return [s for s in similar if bool(s.get("same_session")) == wanted]
