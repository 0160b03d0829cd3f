"""沟通 and 催办: a unit records its contact with the proposers; the office urges a unit."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notices
from ..audit import ActionRefused, lock, log
from ..models import (
    Assignment,
    Contact,
    Unit,
    Urge,
)
from ..permissions import require_office, require_unit_member


@transaction.atomic
def record_contact(
    assignment, actor, *, contacted_on, method, summary, proposer=None, with_whom="", at=None
):
    """沟通 / 办前面商: recorded before the reply is signed. `at`: when it was recorded, if
    not now (the demo's past items)."""
    assignment = lock(Assignment, assignment.pk)
    require_unit_member(actor, assignment.unit)
    if not assignment.takes_contacts:
        raise ActionRefused(
            _("该件当前状态为“%(state)s”，不能再登记沟通情况。")
            % {"state": assignment.get_state_display()}
        )
    if not summary.strip():
        raise ActionRefused(_("请填写沟通情况。"))
    if contacted_on > timezone.localdate():
        raise ActionRefused(_("沟通日期不能晚于今天。"))
    if proposer is not None and not assignment.proposal.proposers.filter(pk=proposer.pk).exists():
        raise ActionRefused(_("沟通对象须是该件的提出人。"))
    contact = Contact.objects.create(
        assignment=assignment,
        proposer=proposer,
        contacted_on=contacted_on,
        method=method,
        with_whom=with_whom,
        summary=summary,
        recorded_by=actor,
        **({"recorded_at": at} if at else {}),
    )
    log(contact, "contact", actor, "", "", summary[:500], at=at)
    return contact


@transaction.atomic
def urge(actor, unit, message, proposal=None):
    """催办: the unit's people are told at once (in the centre, and by mail or text as each
    chose); the item's timeline shows it. The same message to the same unit about the same
    item twice in a day is refused: a repeat is said differently, or waits a day."""
    require_office(actor, unit.jurisdiction)
    if proposal is not None:
        require_office(actor, proposal.session.jurisdiction)
    message = message.strip()
    if not message:
        raise ActionRefused(_("请填写催办内容。"))
    if proposal is not None:
        _require_urgeable(proposal, unit)
    unit = lock(Unit, unit.pk)  # one urge of a unit at a time: the repeat check holds
    if _urged_today(unit, proposal, message):
        raise ActionRefused(
            _("今天已催办过%(unit)s，内容相同。如需再次催办，请修改催办内容。")
            % {"unit": unit.name}
        )
    record = Urge.objects.create(
        unit=unit, proposal=proposal, message=message, urged_by=actor, notified_at=timezone.now()
    )
    log(record, "urge", actor, "", "", message[:500])

    def title():
        title = _("催办：%(what)s") % {"what": proposal.reference if proposal else unit.name}
        return f"{title}“{proposal.title}”" if proposal is not None else title

    link = reverse("item", args=[proposal.pk]) if proposal else reverse("inbox") + "?due=overdue"
    notices.announce(
        notices.Event.URGED,
        subject=f"urge:{record.pk}",
        title=title,
        body=message,
        link=link,
        unit=unit,
    )
    return record


def _require_urgeable(proposal, unit):
    """The unit handles the item and still owes its letter (Assignment.is_urgeable)."""
    handling = proposal.assignments.current().filter(unit=unit)
    if not handling.exists():
        raise ActionRefused(_("该单位未承办此件。"))
    if not handling.urgeable().exists():
        raise ActionRefused(
            _("%(unit)s已就此件发出答复或会办意见，无需催办。") % {"unit": unit.name}
        )


def _urged_today(unit, proposal, message):
    """Whether this very message went to the unit about the item (or about all its items)
    earlier today."""
    return Urge.objects.filter(
        unit=unit,
        proposal=proposal,
        message=message,
        urged_at__date=timezone.localdate(),
    ).exists()
