"""送达, the worker's part and what every delivery verb shares: the rows queued when a reply
is sent (`queue_deliveries`), one try of an email or a text (`attempt`), what follows when a
proposer is reached (`reached`: their feedback window, the reply delivered once everyone is)
and the ladder of notices for replies not yet delivered (`announce_undelivered`).

Below the verbs (responses/actions/delivery.py) and the tasks (after_commit.py), which both
call these; it never imports either.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import ProposalProposer, Proposer
from proposals.untrusted import one_line
from workflow import deadlines, notices, sms
from workflow.audit import ActionRefused, fire, lock, log
from workflow.models import Assignment, AssignmentState

from . import freezing
from .links import feedback_url
from .models import (
    ELECTRONIC_CHANNELS,
    MAX_ATTEMPTS,
    Delivery,
    DeliveryState,
    LetterFile,
    Reply,
)

logger = logging.getLogger(__name__)

# The first retry after a minute, then 2, 4, 8 minutes (MAX_ATTEMPTS tries in all).
BACKOFF_SECONDS = 60
# The ladder: the unit's clerks hear of an undelivered reply after 2 working days, the
# office after 5 (counted from the day it was sent, on the working calendar).
UNIT_AFTER_WORKING_DAYS = 2
OFFICE_AFTER_WORKING_DAYS = 5


# ---- sending ---------------------------------------------------------------------------------
def queue_deliveries(reply):
    """A queued row per proposer of the item and electronic channel they have (email, a text
    to a mobile), inside the sending transaction. Returns the new rows."""
    rows = [
        Delivery(reply=reply, proposer=signatory.proposer, channel=channel)
        for signatory in ProposalProposer.objects.filter(
            proposal_id=reply.assignment.proposal_id
        ).select_related("proposer")
        for channel in signatory.proposer.channels
        if channel in ELECTRONIC_CHANNELS
    ]
    existing = set(Delivery.objects.filter(reply=reply).values_list("proposer_id", "channel"))
    made = []
    for row in rows:
        if (row.proposer_id, row.channel) not in existing:
            row.save(force_insert=True)
            log(row, "queue", None, "", row.state)
            made.append(row)
    return made


@dataclass
class Outcome:
    state: str | None  # the row's state after the try; None: nothing to do
    retry_in: int | None = None  # seconds until the next try, when there is one


def attempt(delivery_id):
    """One try of a queued email or text. The row is locked (another worker holding it means
    it is being tried: skipped) and its state, not the broker, says whether anything is left
    to do. A failure is counted; after MAX_ATTEMPTS the row is failed, with the reason."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=delivery_id, state=DeliveryState.QUEUED, channel__in=ELECTRONIC_CHANNELS)
            .select_related(
                "reply__assignment__proposal__session__jurisdiction",
                "reply__assignment__unit",
                "proposer",
            )
            .first()
        )
        if delivery is None:
            return Outcome(None)
        now = timezone.now()
        try:
            SENDERS[delivery.channel](delivery)
        except Exception as exc:  # noqa: BLE001 - any gateway's failure is recorded, never lost
            return _failed(delivery, f"{type(exc).__name__}: {exc}", now)
        window = proposer_window(delivery.reply, timezone.localdate(now))
        fire(delivery, "mark_sent", by=None, check_perm=False, at=now, feedback_until=window)
        reached(delivery, now)
        return Outcome(delivery.state)


def _failed(delivery, error, now):
    error = error[:500] or _("未知错误")
    if delivery.attempts + 1 >= MAX_ATTEMPTS:
        fire(delivery, "mark_failed", by=None, check_perm=False, error=error, at=now)
        _tell_unreached(delivery, error)
        return Outcome(delivery.state)
    wait = BACKOFF_SECONDS * 2**delivery.attempts
    fire(
        delivery,
        "retry_later",
        by=None,
        check_perm=False,
        error=error,
        next_attempt_at=now + timedelta(seconds=wait),
    )
    return Outcome(delivery.state, retry_in=wait)


def _tell_unreached(delivery, error):
    """未能送达: the unit and the office hear of a failed round of tries, once per round (the
    notice's key counts the resends, so a resend that fails again is told again)."""
    reply, proposal = delivery.reply, delivery.reply.assignment.proposal
    notices.announce(
        notices.Event.PROPOSER_UNREACHED,
        subject=f"reply:{reply.pk}:{delivery.proposer_id}:{delivery.channel}:{delivery.resends}",
        title=lambda: (
            _("%(ref)s的答复未能通过%(channel)s送达%(name)s")
            % {
                "ref": proposal.reference,
                "channel": delivery.get_channel_display(),
                "name": delivery.proposer.name,
            }
            + (_("（第%(n)s次重新发送后）") % {"n": delivery.resends} if delivery.resends else "")
        ),
        body=error,
        link=reverse("item", args=[proposal.pk]),
        unit=reply.assignment.unit,
        jurisdiction=proposal.session.jurisdiction,
    )


def personal_link(reply, proposer):
    return settings.SITE_URL.rstrip("/") + feedback_url(reply, proposer)


def mail_subject(reply):
    """One line, whatever the letter's texts hold (a line break would be a header)."""
    return one_line(
        _("%(organ)s：%(title)s（%(number)s）")
        % {"organ": reply.signing_organ, "title": reply.title, "number": reply.doc_number}
    )


def signed_pdf_of(reply):
    """The reply's signed PDF for the mail. Freezing runs in its own task after sending, and
    the mail may be first: then it is frozen here (freezing is idempotent). A letter that
    cannot be rendered goes without it: the mail carries the full text, and the failure is
    logged where freezing logs it."""
    pdf = LetterFile.objects.filter(reply=reply, format=LetterFile.Format.PDF).first()
    if pdf is not None or not settings.FREEZE_LETTERS_AT_SENDING:
        return pdf
    try:
        return freezing.freeze(reply)[LetterFile.Format.PDF]
    except ActionRefused as exc:  # a broken letter, or a machine that cannot render
        logger.error("reply %s mailed without its PDF: %s", reply.pk, exc)
        return None


def send_email(delivery):
    """The reply as plain text and HTML, its signed PDF, and the proposer's own feedback
    link."""
    reply, person = delivery.reply, delivery.proposer
    context = {"reply": reply, "proposer": person, "link": personal_link(reply, person)}
    message = EmailMultiAlternatives(
        mail_subject(reply),
        render_to_string("responses/delivery_email.txt", context).strip(),
        to=[person.email],
    )
    message.attach_alternative(
        render_to_string("responses/delivery_email.html", context), "text/html"
    )
    pdf = signed_pdf_of(reply)
    if pdf is not None:
        name = f"{reply.doc_number or reply.pk}.pdf"
        message.attach(name, bytes(pdf.content), "application/pdf")
    message.send()


def send_sms(delivery):
    """A short notice with the proposer's link (the gateway is settings.SMS_BACKEND)."""
    reply, person = delivery.reply, delivery.proposer
    text = _("【%(organ)s】您提出的%(ref)s已答复（%(number)s），请查看答复并评价：%(link)s") % {
        "organ": reply.assignment.unit.short_name or reply.signing_organ,
        "ref": reply.assignment.proposal.reference,
        "number": reply.doc_number,
        "link": personal_link(reply, person),
    }
    sms.backend().send(person.mobile, text)


SENDERS = {Proposer.Channel.EMAIL: send_email, Proposer.Channel.SMS: send_sms}


# ---- reached ---------------------------------------------------------------------------------
def proposer_window(reply, reached_on):
    """The last day of a proposer's feedback window, reached on `reached_on`."""
    proposal = reply.assignment.proposal
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    return deadlines.feedback_until(reached_on, rules, deadlines.WorkingCalendar())


def reached(delivery, at):
    """A row has just reached its proposer: their unit hears of it the first time, and the
    reply is delivered once every proposer of the item has been reached."""
    reply = delivery.reply
    proposal = reply.assignment.proposal
    notices.announce(
        notices.Event.PROPOSER_REACHED,
        subject=f"reply:{reply.pk}:{delivery.proposer_id}",
        title=lambda: (
            _("%(ref)s的答复已送达%(name)s（%(channel)s）")
            % {
                "ref": proposal.reference,
                "name": delivery.proposer.name,
                "channel": delivery.get_channel_display(),
            }
        ),
        link=reverse("item", args=[proposal.pk]),
        unit=reply.assignment.unit,
    )
    deliver_if_everyone_reached(reply, at)


def proposer_windows(reply):
    """Each reached proposer's feedback window: from the first day they were reached."""
    windows = {}
    for proposer_id, until in (
        Delivery.objects.reached().filter(reply=reply).values_list("proposer_id", "feedback_until")
    ):
        windows[proposer_id] = min(until, windows.get(proposer_id, until))
    return windows


def deliver_if_everyone_reached(reply, at):
    """送达: every proposer reached. The reply is delivered now, and the assignment's feedback
    window is the latest proposer's, so nobody's window closes the item before it ends."""
    reply = lock(Reply, reply.pk)
    if reply.delivered_at is not None:
        return False
    windows = proposer_windows(reply)
    everyone = set(
        ProposalProposer.objects.filter(proposal_id=reply.assignment.proposal_id).values_list(
            "proposer_id", flat=True
        )
    )
    count_unreached(reply, len(everyone - windows.keys()))
    if not everyone or everyone - windows.keys():
        return False
    reply.delivered_at = at
    reply.save(update_fields=["delivered_at"])
    log(reply, "deliver", None, reply.state, reply.state, at=at)
    assignment = lock(Assignment, reply.assignment_id)
    if assignment.state == AssignmentState.REPLIED and assignment.round == reply.round:
        assignment.feedback_until = max(windows.values())
        assignment.save(update_fields=["feedback_until"])
        comment = _("答复已送达全部提出人，反馈期限至%(d)s") % {"d": assignment.feedback_until}
        log(assignment, "open_feedback", None, assignment.state, assignment.state, comment, at=at)
    return True


def count_unreached(reply, unreached):
    """The unit's inbox shows how many proposers the assignment's latest reply has not
    reached (a later round's reply replaces an earlier one's count)."""
    Assignment.objects.filter(pk=reply.assignment_id, round=reply.round).update(
        unreached_proposers=unreached
    )


# ---- the ladder ------------------------------------------------------------------------------
def undelivered_replies():
    """Sent replies some proposer of which has not been reached."""
    return Reply.objects.sent().filter(sent_at__isnull=False, delivered_at__isnull=True)


def announce_undelivered(today):
    """The unit's clerks hear of a reply still undelivered 2 working days after it was sent,
    the office after 5: once each (the notices' keys), however often this runs."""
    cal = deadlines.WorkingCalendar()
    told = 0
    for reply in undelivered_replies().select_related(
        "assignment__unit", "assignment__proposal__session__jurisdiction"
    ):
        sent_on = timezone.localdate(reply.sent_at)
        proposal = reply.assignment.proposal
        ladder = (
            (UNIT_AFTER_WORKING_DAYS, notices.Event.UNDELIVERED_UNIT, "item"),
            (OFFICE_AFTER_WORKING_DAYS, notices.Event.UNDELIVERED_OFFICE, "office-undelivered"),
        )
        for days, event, page in ladder:
            if today < deadlines.add_working_days(sent_on, days, cal):
                continue
            told += len(_announce_undelivered(reply, proposal, event, days, page))
    return told


def _announce_undelivered(reply, proposal, event, days, page):
    return notices.announce(
        event,
        subject=f"reply:{reply.pk}",
        title=lambda: (
            _("%(ref)s的答复发出已%(n)s个工作日，仍有提出人未送达")
            % {"ref": proposal.reference, "n": days}
        ),
        link=reverse(page, args=[proposal.pk] if page == "item" else []),
        unit=reply.assignment.unit,
        jurisdiction=proposal.session.jurisdiction,
    )
