"""Delivery of sent letters. The row says whether a letter was delivered, not the broker."""

import logging

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Proposal
from workflow import background, deadlines
from workflow.audit import ActionRefused
from workflow.models import Assignment, Extension, Urge
from workflow.tasks import notify_extension, notify_urge

from .links import feedback_url
from .models import PUBLISHED_DISCLOSURES, LetterState, Opinion, Reply

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def deliver_letter(self, model_label, letter_id):
    """Send a reply to its proposers by email (an opinion goes to the lead unit in the app)."""
    model = apps.get_model(model_label)
    with transaction.atomic():
        letter = (
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=letter_id, sent_at__isnull=False, delivered_at__isnull=True)
            .select_related("assignment__proposal__session", "assignment__unit")
            .first()
        )
        if letter is None:
            return False
        proposal = letter.assignment.proposal
        if model._meta.model_name == "reply":
            subject = _("%(organ)s：%(title)s（%(number)s）") % {
                "organ": letter.signing_organ,
                "title": letter.title,
                "number": letter.doc_number,
            }
            # Each proposer gets the letter and a link of their own for the feedback form.
            messages = [
                (subject, reply_mail(letter, person), None, [person.email])
                for person in proposal.proposers.all()
                if person.email
            ]
            try:
                send_mass_mail(messages)
            except OSError as exc:
                raise self.retry(exc=exc) from exc
        letter.delivered_at = timezone.now()
        letter.save(update_fields=["delivered_at"])
    return True


def reply_mail(letter, person):
    link = settings.SITE_URL.rstrip("/") + feedback_url(letter, person)
    return _(
        "%(addressee)s：\n\n%(body)s\n\n%(organ)s\n%(date)s\n\n"
        "请通过以下链接填写征询意见表，对办理工作和办理结果作出评价（链接仅供您本人使用）：\n%(link)s"
    ) % {
        "addressee": letter.addressee,
        "body": letter.body,
        "organ": letter.signing_organ,
        "date": letter.letter_date,
        "link": link,
    }


@shared_task
def redeliver():
    """Side effects whose task never reached a worker (broker down at commit) are re-derived
    from the rows: sent letters not delivered, 催办 and extensions not notified."""
    stale = timezone.now() - timezone.timedelta(minutes=5)
    queued = 0
    for model in (Reply, Opinion):
        for pk in model.objects.filter(sent_at__lt=stale, delivered_at__isnull=True).values_list(
            "pk", flat=True
        ):
            deliver_letter.delay(model._meta.label_lower, pk)
            queued += 1
    for pk in Urge.objects.filter(urged_at__lt=stale, notified_at__isnull=True).values_list(
        "pk", flat=True
    ):
        notify_urge.delay(pk)
        queued += 1
    for pk in Extension.objects.filter(
        state="approved", decided_at__lt=stale, proposer_notified_at__isnull=True
    ).values_list("pk", flat=True):
        notify_extension.delay(pk)
        queued += 1
    return queued


@shared_task
def close_unanswered(today=None):
    """未反馈: items whose every feedback window has passed close without a rating."""
    from .actions import close_without_feedback  # actions schedules tasks from here

    today = today or timezone.localdate()
    waiting = Assignment.objects.filter(
        role__in=["lead", "separate"], state="replied", feedback_until__gte=today
    ).values("proposal_id")
    due = Proposal.objects.filter(state="replied").exclude(pk__in=waiting)
    closed = 0
    for proposal in due.iterator():
        close_without_feedback(proposal)
        closed += 1
    return closed


@shared_task
def freeze_letter(model_label, letter_id):
    """Render and keep the sent letter's PDF and DOCX (idempotent)."""
    from .actions import freeze  # actions schedules this task: import late

    letter = apps.get_model(model_label).objects.filter(pk=letter_id, sent_at__isnull=False).first()
    try:
        return bool(letter and freeze(letter))
    except ActionRefused as exc:  # a broken letter or a machine that cannot render: kept unfrozen
        logger.error("letter %s %s not frozen: %s", model_label, letter_id, exc)
        return False


@shared_task
def publish_due(today=None):
    """公开 by the rule: a sent reply whose disclosure is 全文 or 摘要 appears on the public
    site by the end of its publication window, if nobody published it earlier. The decision
    itself was taken at sign-off."""
    from .actions import publish_letter  # actions schedules tasks from here

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


@shared_task(**background.TASK_LIMITS)
def read_letter_import_task(record_id):
    from . import actions  # the verbs schedule this task: import at run time

    background.guarded(record_id, actions.read_letter_import, actions.fail_letter_import)
