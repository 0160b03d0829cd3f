"""The tasks the letter verbs queue on commit: a sent letter delivered and frozen, an upload
of past letters read. They sit below the verbs and never import them, so the verbs can name
the task they queue; tasks.py, the app's list of every task, imports these and the verbs.
Each keeps the name it had in tasks.py (`name=`), which queued messages carry."""

import logging

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import background
from workflow.audit import ActionRefused

from . import freezing, letter_import_worker
from .links import feedback_url

logger = logging.getLogger(__name__)


@shared_task(
    name="responses.tasks.deliver_letter", bind=True, max_retries=5, default_retry_delay=60
)
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


@shared_task(name="responses.tasks.freeze_letter")
def freeze_letter(model_label, letter_id):
    """Render and keep the sent letter's PDF and DOCX (idempotent)."""
    letter = apps.get_model(model_label).objects.filter(pk=letter_id, sent_at__isnull=False).first()
    try:
        return bool(letter and freezing.freeze(letter))
    except ActionRefused as exc:  # a broken letter or a machine that cannot render: kept unfrozen
        logger.error("letter %s %s not frozen: %s", model_label, letter_id, exc)
        return False


@shared_task(name="responses.tasks.read_letter_import_task", **background.TASK_LIMITS)
def read_letter_import_task(record_id):
    background.guarded(
        record_id, letter_import_worker.read_letter_import, letter_import_worker.fail_letter_import
    )
