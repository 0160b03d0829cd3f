"""The office's decisions on a unit's requests: transfers (申请调整) and extensions (延期)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .. import deadlines, notices
from ..after_commit import notify_extension
from ..audit import ActionRefused, fire, lock, log
from ..models import (
    Assignment,
    Decision,
    Extension,
    TransferRequest,
)
from ..permissions import require_office, require_unit_member
from .assignment import assign_proposal, follow_assignments


@transaction.atomic
def decide_transfer(transfer, actor, *, approve, comment="", new_unit=None, at=None):
    """The office approves (the assignment ends; optionally re-assigned to `new_unit` in the
    same role) or rejects (the unit must handle it) a transfer request."""
    transfer = lock(TransferRequest, transfer.pk)
    assignment = lock(Assignment, transfer.assignment_id)
    require_office(actor, assignment.proposal.session.jurisdiction)
    at = at or timezone.now()
    if approve:
        fire(
            transfer,
            "approve",
            by=actor,
            user=actor,
            at=at,
            comment=comment,
            log_comment=comment,
        )
        fire(assignment, "approve_transfer", by=actor, at=at, log_comment=comment)
        if new_unit is not None:
            role = assignment.role
            assign_proposal(
                assignment.proposal,
                actor,
                lead=new_unit if role == Assignment.Role.LEAD else None,
                co=[new_unit] if role == Assignment.Role.CO else [],
                separate=[new_unit] if role == Assignment.Role.SEPARATE else [],
                at=at,
            )
    else:
        if not comment.strip():
            raise ActionRefused(_("不同意调整时请说明理由，承办单位将据此办理。"))
        fire(
            transfer,
            "reject",
            by=actor,
            user=actor,
            at=at,
            comment=comment,
            log_comment=comment,
        )
        fire(assignment, "reject_transfer", by=actor, at=at, log_comment=comment)
        follow_assignments(assignment.proposal_id, actor)
    _announce_decision(notices.Event.TRANSFER_DECIDED, transfer, assignment, approve, comment)
    return transfer


DECISION_TITLES = {
    (notices.Event.TRANSFER_DECIDED, True): _lazy("调整申请已同意：%(ref)s"),
    (notices.Event.TRANSFER_DECIDED, False): _lazy("调整申请未同意：%(ref)s"),
    (notices.Event.EXTENSION_DECIDED, True): _lazy("延期申请已同意：%(ref)s"),
    (notices.Event.EXTENSION_DECIDED, False): _lazy("延期申请未同意：%(ref)s"),
}


def _announce_decision(event, request, assignment, approve, comment):
    """The office's decision reaches the whole unit that asked."""
    proposal = assignment.proposal
    if event == notices.Event.TRANSFER_DECIDED:
        subject = f"transfer:{request.pk}"
    else:
        subject = f"extension:{request.pk}"

    def body():
        if event == notices.Event.TRANSFER_DECIDED:
            what = _("该件不再由本单位办理。") if approve else _("请按交办意见继续办理。")
        else:
            what = _("答复期限为%(due)s。") % {"due": assignment.due_on}
        opinion = _("建议提案处意见：%(comment)s") % {"comment": comment} if comment.strip() else ""
        return " ".join(part for part in (f"“{proposal.title}”。{what}", opinion) if part)

    notices.announce(
        event,
        subject=subject,
        title=lambda: DECISION_TITLES[event, bool(approve)] % {"ref": proposal.reference},
        body=body,
        link=reverse("item", args=[proposal.pk]),
        unit=assignment.unit,
    )


@transaction.atomic
def request_extension(assignment, actor, requested_due, reason):
    """申请延期: a later reply deadline, within the rule's ceiling."""
    assignment = lock(Assignment, assignment.pk)
    require_unit_member(actor, assignment.unit)
    if not reason.strip():
        raise ActionRefused(_("申请延期必须说明理由。"))
    if not assignment.takes_reply:
        raise ActionRefused(_("只有办理中的主办或分办件可以申请延期。"))
    proposal = assignment.proposal
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    ceiling = deadlines.extension_ceiling(timezone.localdate(assignment.assigned_at), rules)
    if requested_due <= assignment.due_on:
        raise ActionRefused(_("延期后的期限须晚于现期限（%(due)s）。") % {"due": assignment.due_on})
    if requested_due > ceiling:
        raise ActionRefused(
            _("延期最长至交办后%(months)s个月，即%(ceiling)s。")
            % {"months": rules.extension_ceiling_months, "ceiling": ceiling}
        )
    if assignment.extensions.filter(state=Decision.PENDING).exists():
        raise ActionRefused(_("已有一份延期申请待审批。"))
    extension = Extension.objects.create(
        assignment=assignment,
        reason=reason,
        requested_by=actor,
        previous_due=assignment.due_on,
        requested_due=requested_due,
    )
    log(extension, "request", actor, "", extension.state, reason)
    return extension


@transaction.atomic
def decide_extension(extension, actor, *, approve, comment="", at=None):
    """The office approves (the deadline moves; the proposer is told) or rejects."""
    extension = lock(Extension, extension.pk)
    assignment = lock(Assignment, extension.assignment_id)
    require_office(actor, assignment.proposal.session.jurisdiction)
    at = at or timezone.now()
    fire(
        extension,
        "approve" if approve else "reject",
        by=actor,
        user=actor,
        at=at,
        comment=comment,
        log_comment=comment,
    )
    if approve:
        assignment.due_on, assignment.due_basis = extension.requested_due, "extension"
        assignment.due_from = timezone.localdate(at)
        assignment.due_version += 1
        assignment.save(update_fields=["due_on", "due_basis", "due_from", "due_version"])
        log(
            assignment,
            "extend",
            actor,
            assignment.state,
            assignment.state,
            _("期限由%(old)s延至%(new)s")
            % {"old": extension.previous_due, "new": assignment.due_on},
        )
        transaction.on_commit(lambda: notify_extension.delay(extension.pk), robust=True)
    _announce_decision(notices.Event.EXTENSION_DECIDED, extension, assignment, approve, comment)
    return extension
