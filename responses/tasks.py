"""Background work of the letters: every Celery task of this app. Those the verbs queue on
commit (delivery, freezing, reading an upload) are defined in after_commit.py, below the
verbs, and listed here; those here run on beat's schedule and call the verbs."""

from celery import shared_task
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Proposal, ProposalState
from workflow import deadlines, notices
from workflow.after_commit import notify_extension, notify_urge
from workflow.models import REPLYING_ROLES, Assignment, AssignmentState, Decision, Extension, Urge

from . import commitment_reminders, delivery_worker
from .actions import close_without_feedback, publish_letter
from .after_commit import deliver, deliver_letter, freeze_letter, read_letter_import_task
from .models import PUBLISHED_DISCLOSURES, Delivery, LetterState, Opinion, Reply

__all__ = [
    # queued by the verbs on commit (after_commit.py)
    "deliver",
    "deliver_letter",
    "freeze_letter",
    "read_letter_import_task",
    # beat's
    "redeliver",
    "remind_undelivered",
    "close_unanswered",
    "publish_due",
    "announce_publication_due",
    "sweep_commitment_reminders",
]


@shared_task
def redeliver():
    """Side effects whose task never reached a worker (broker down at commit) are re-derived
    from the rows: emails and texts still queued past their next try, sent letters without
    delivery rows, 催办 and extensions not notified."""
    stale = timezone.now() - timezone.timedelta(minutes=5)
    queued = 0
    for pk in Delivery.objects.waiting_for_worker(stale).values_list("pk", flat=True):
        deliver.delay(pk)  # its task was lost: the row is still queued past its next try
        queued += 1
    letters = (
        Opinion.objects.all(),
        # Sent before deliveries had rows of their own: deliver_letter gives them theirs.
        Reply.objects.filter(deliveries__isnull=True),
    )
    for letters_of_a_kind in letters:
        for pk in letters_of_a_kind.filter(
            sent_at__lt=stale, delivered_at__isnull=True
        ).values_list("pk", flat=True):
            deliver_letter.delay(letters_of_a_kind.model._meta.label_lower, pk)
            queued += 1
    for pk in Urge.objects.filter(urged_at__lt=stale, notified_at__isnull=True).values_list(
        "pk", flat=True
    ):
        notify_urge.delay(pk)
        queued += 1
    for pk in Extension.objects.filter(
        state=Decision.APPROVED, decided_at__lt=stale, proposer_notified_at__isnull=True
    ).values_list("pk", flat=True):
        notify_extension.delay(pk)
        queued += 1
    return queued


@shared_task
def remind_undelivered(today=None):
    """The ladder of undelivered replies: the unit's clerks after 2 working days, the office
    after 5 (delivery_worker.announce_undelivered); each notice once."""
    return delivery_worker.announce_undelivered(today or timezone.localdate())


@shared_task
def close_unanswered(today=None):
    """未反馈: items whose every feedback window has passed close without a rating. A reply
    not yet delivered to every proposer has no window yet: its item waits."""
    today = today or timezone.localdate()
    waiting = Assignment.objects.filter(
        Q(feedback_until__gte=today) | Q(feedback_until__isnull=True),
        role__in=REPLYING_ROLES,
        state=AssignmentState.REPLIED,
    ).values("proposal_id")
    due = Proposal.objects.filter(state=ProposalState.REPLIED).exclude(pk__in=waiting)
    closed = 0
    for proposal in due.iterator():
        close_without_feedback(proposal)
        closed += 1
    return closed


@shared_task
def publish_due(today=None):
    """公开 by the rule: a sent reply whose disclosure is 全文 or 摘要 appears on the public
    site by the end of its publication window, if nobody published it earlier. The decision
    itself was taken at sign-off."""
    today = today or timezone.localdate()
    rules, cal = deadlines.RuleBook(), deadlines.WorkingCalendar()
    published = 0
    sent = Reply.objects.filter(state=LetterState.SENT, disclosure__in=PUBLISHED_DISCLOSURES)
    for reply in sent.select_related("assignment__proposal__session"):
        proposal = reply.assignment.proposal
        in_force = rules(proposal.session.jurisdiction_id, proposal.kind)
        if reply.publication_due(in_force, cal) <= today:
            publish_letter(reply, None, system=True)
            published += 1
    return published


def _announce_publication(reply, proposal, due):
    return notices.announce(
        notices.Event.PUBLICATION_DUE,
        subject=f"reply:{reply.pk}",
        title=lambda: _("答复待公开：%(ref)s") % {"ref": proposal.reference},
        body=lambda: (
            _("答复“%(title)s”（%(number)s）将于%(due)s按%(disclosure)s自动公开。")
            % {
                "title": reply.title,
                "number": reply.doc_number,
                "due": due,
                "disclosure": reply.get_disclosure_display(),
            }
        ),
        link=reverse("item", args=[proposal.pk]),
        unit=reply.assignment.unit,
        jurisdiction=proposal.session.jurisdiction,
    )


PUBLICATION_NOTICE_DAYS = 3  # calendar days before a reply is published by the rule


@shared_task
def announce_publication_due(today=None):
    """答复待公开: the unit's clerks and the office hear, once per reply, that a sent reply
    will be published by the rule within PUBLICATION_NOTICE_DAYS (a last look at its text,
    summary and disclosure). The notice's key makes a daily run tell each person once."""
    today = today or timezone.localdate()
    horizon = today + timezone.timedelta(days=PUBLICATION_NOTICE_DAYS)
    rules, cal = deadlines.RuleBook(), deadlines.WorkingCalendar()
    sent = Reply.objects.filter(state=LetterState.SENT, disclosure__in=PUBLISHED_DISCLOSURES)
    told = 0
    for reply in sent.select_related(
        "assignment__proposal__session__jurisdiction", "assignment__unit"
    ):
        proposal = reply.assignment.proposal
        due = reply.publication_due(rules(proposal.session.jurisdiction_id, proposal.kind), cal)
        if due > horizon:
            continue
        told += bool(_announce_publication(reply, proposal, due))
    return told


@shared_task
def sweep_commitment_reminders():
    """Beat's sweep of the commitments' reminder ladder (responses/commitment_reminders.py)."""
    return commitment_reminders.sweep()
