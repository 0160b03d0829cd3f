"""征询意见表: the proposers rate a sent reply; 不满意 reopens the unit's handling, and the item
closes once every proposer has answered (or the feedback window passed).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Proposal, ProposalState
from workflow import deadlines, notices
from workflow.audit import ActionRefused, fire, lock, log
from workflow.models import ANSWERED_STATES, Assignment
from workflow.permissions import require_office
from workflow.proposer_notices import ProposerEvent, tell_proposers

from ..models import (
    Feedback,
    Rating,
    Reply,
)


@transaction.atomic
def record_feedback(
    reply, proposer, *, handling, result, comment="", actor=None, channel=Feedback.Channel.LINK
):
    """征询意见表: a proposer's two-axis rating. 不满意 opens a new round for the unit;
    once every proposer is satisfied with every reply of the round, the item closes. A
    follow-up reply (跟踪办理答复) is rated too, but its rating is recorded and shown only:
    the item's course (its round, its state) follows its reply, not the follow-up.

    `actor` is the office member entering a paper form; None when the proposer used their
    signed link (the view has verified it)."""
    reply = lock(Reply, reply.pk)
    proposal = lock(Proposal, reply.assignment.proposal_id)
    _require_rateable(reply, proposal, proposer, actor, channel)
    if Rating.UNSATISFIED in (handling, result) and not comment.strip():
        # 不满意 reopens the handling (or, of a follow-up, tells the unit): it must learn why.
        raise ActionRefused(_("选择“不满意”时请填写意见建议，以便承办单位改进。"), "comment")
    feedback = Feedback.objects.create(
        reply=reply,
        proposer=proposer,
        handling_rating=handling,
        result_rating=result,
        comment=comment,
        channel=channel,
        entered_by=actor,
    )
    log(feedback, "feedback", actor, "", feedback.result_rating, str(feedback)[:500])
    _announce_feedback(feedback, reply, proposal)
    if reply.kind == Reply.Kind.FOLLOW_UP:
        return feedback  # neither reopens nor closes the item
    if feedback.is_unsatisfied:
        _reopen(reply, proposal, actor, comment or _("提出人不满意"), feedback)
    else:
        _close_if_everyone_answered(proposal, actor)
    return feedback


def _require_rateable(reply, proposal, proposer, actor, channel):
    """Who may rate this reply now: a proposer of the item (by their link, or the office
    entering their paper form), once, when it was sent; a reply only in the item's round (a
    follow-up reply reports on promises whatever the round)."""
    if actor is not None:
        require_office(actor, proposal.session.jurisdiction)
    elif channel != Feedback.Channel.LINK:
        raise PermissionDenied(_("纸质征询意见表须由建议提案处录入。"))
    if not proposal.proposers.filter(pk=proposer.pk).exists():
        raise PermissionDenied(_("只有该件的提出人可以反馈。"))
    if not reply.is_sent:
        raise ActionRefused(_("答复尚未发出，暂不能反馈。"))
    if reply.kind == Reply.Kind.REPLY and reply.round != proposal.round:
        raise ActionRefused(_("该答复属于已结束的办理轮次，请对最新答复进行反馈。"))
    if Feedback.objects.filter(reply=reply, proposer=proposer).exists():
        raise ActionRefused(_("您已对本次答复提交过意见，感谢您的反馈。"))


def ratings_text(feedback):
    """对办理工作：满意；对办理结果：不满意；意见：……"""
    text = _("对办理工作：%(handling)s；对办理结果：%(result)s") % {
        "handling": feedback.get_handling_rating_display(),
        "result": feedback.get_result_rating_display(),
    }
    # The notices end the sentence themselves: a comment's own full stop would double it.
    comment = feedback.comment.strip().rstrip("。.")
    if comment:
        text += _("；意见建议：%(comment)s") % {"comment": comment}
    return text


def _announce_feedback(feedback, reply, proposal):
    """征询意见 reaches the unit's clerks and the office; 不满意 its leaders too."""
    unsatisfied = feedback.is_unsatisfied
    event = notices.Event.FEEDBACK_UNSATISFIED if unsatisfied else notices.Event.FEEDBACK_RECEIVED
    notices.announce(
        event,
        subject=f"feedback:{feedback.pk}",
        title=lambda: (
            (_("不满意评价：%(ref)s") if unsatisfied else _("收到征询意见：%(ref)s"))
            % {"ref": proposal.reference}
        ),
        body=lambda: (
            _("%(proposer)s对答复“%(title)s”的评价——%(ratings)s。")
            % {
                "proposer": feedback.proposer,
                "title": reply.title,
                "ratings": ratings_text(feedback),
            }
        ),
        link=reverse("item", args=[proposal.pk]),
        unit=reply.assignment.unit,
        jurisdiction=proposal.session.jurisdiction,
    )


def _reopen(reply, proposal, actor, comment, feedback):
    """重新办理: the unit that replied gets a new round with the re-handling deadline; its
    clerks and leaders are told with the complaint and the new deadline."""
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    assignment = lock(Assignment, reply.assignment_id)
    today = timezone.localdate()
    due = deadlines.rehandling_due(today, rules, deadlines.WorkingCalendar())
    fire(
        assignment,
        "reopen",
        by=actor,
        due_on=due,
        reopened_on=today,
        check_perm=False,
        log_comment=comment,
    )
    fire(proposal, "reopen", by=actor, check_perm=False, log_comment=comment)
    notices.announce(
        notices.Event.REOPENED,
        subject=f"assignment:{assignment.pk}:round{assignment.round}",
        title=lambda: (
            _("重新办理：%(ref)s（第%(n)d轮）") % {"ref": proposal.reference, "n": assignment.round}
        ),
        body=lambda: (
            _("%(proposer)s不满意（%(ratings)s）。请重新办理，新的答复期限为%(due)s。")
            % {"proposer": feedback.proposer, "ratings": ratings_text(feedback), "due": due}
        ),
        link=reverse("item", args=[proposal.pk]),
        unit=assignment.unit,
    )
    _tell_proposers_reopened(proposal, assignment, due)


def _tell_proposers_reopened(proposal, assignment, due):
    """The proposers hear their item is handled again, by which unit, by when."""
    tell_proposers(
        ProposerEvent.REOPENED,
        proposal,
        subject=f"assignment:{assignment.pk}:round{assignment.round}",
        title=lambda: (
            _("您的%(kind)s“%(title)s”将再次办理")
            % {"kind": proposal.kind_word, "title": proposal.title[:40]}
        ),
        body=lambda: (
            _("因您不满意，%(unit)s将再次办理%(ref)s，新的答复期限为%(due)s。")
            % {"unit": assignment.unit.name, "ref": proposal.reference, "due": due}
        ),
    )


def _close_if_everyone_answered(proposal, actor):
    replies = Reply.objects.filter(
        assignment__proposal=proposal, round=proposal.round, kind=Reply.Kind.REPLY
    ).filter(assignment__in=Assignment.objects.current())
    proposers = proposal.proposers.count()
    answered = Feedback.objects.filter(reply__in=replies).count()
    if proposal.state == ProposalState.REPLIED and answered >= proposers * replies.count():
        _close(proposal, actor, _("提出人均已反馈"))


def _close(proposal, actor, comment):
    for assignment in proposal.assignments.filter(state__in=ANSWERED_STATES).select_for_update():
        fire(assignment, "complete", by=actor, check_perm=False)
    fire(proposal, "close", by=actor, check_perm=False, log_comment=comment)


@transaction.atomic
def close_without_feedback(proposal, actor=None):
    """未反馈: the feedback window passed; the item closes with no rating assumed."""
    proposal = lock(Proposal, proposal.pk)
    if proposal.state != ProposalState.REPLIED:
        return proposal
    _close(proposal, actor, _("反馈期限届满，未反馈"))
    return proposal
