"""The tasks the verbs queue on commit: the proposers told of an extension, a unit told of
催办 (urges from before notices), the notices of an event mailed and texted
(workflow.dispatch), an Excel upload checked and saved. They sit below the verbs and never
import them, so the verbs can name the task they queue; tasks.py, the app's list of every
task, imports these and the verbs. Each keeps the name it had in tasks.py (`name=`), which queued
messages carry."""

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import background, dispatch, item_import_worker, proposer_dispatch
from .models import Decision, Extension, Urge


@shared_task(
    name="workflow.tasks.notify_extension", bind=True, max_retries=5, default_retry_delay=60
)
def notify_extension(self, extension_id):
    """Tell the proposers an extension was approved (DOMAIN.md §3: notice to proposer)."""
    with transaction.atomic():
        extension = (
            Extension.objects.select_for_update(skip_locked=True)
            .filter(pk=extension_id, state=Decision.APPROVED, proposer_notified_at__isnull=True)
            .select_related("assignment__proposal__session", "assignment__unit")
            .first()
        )
        if extension is None:
            return False
        proposal = extension.assignment.proposal
        recipients = [p.email for p in proposal.proposers.all() if p.email]
        if recipients:
            try:
                send_mail(
                    _("关于%(ref)s办理期限延期的告知") % {"ref": proposal.reference},
                    _("您提出的%(ref)s“%(title)s”由%(unit)s办理，经同意，答复期限延至%(due)s。")
                    % {
                        "ref": proposal.reference,
                        "title": proposal.title,
                        "unit": extension.assignment.unit,
                        "due": extension.requested_due,
                    },
                    None,
                    recipients,
                )
            except OSError as exc:
                raise self.retry(exc=exc) from exc
        extension.proposer_notified_at = timezone.now()
        extension.save(update_fields=["proposer_notified_at"])
    return True


@shared_task(name="workflow.tasks.notify_urge", bind=True, max_retries=5, default_retry_delay=60)
def notify_urge(self, urge_id):
    """催办 of the days before notices (an urge recorded without its people told by
    workflow.notices) reaches every member of the unit by email. Urges now are notices,
    mailed by each person's choice; the verb marks them told, and this returns early."""
    with transaction.atomic():
        record = (
            Urge.objects.select_for_update(skip_locked=True)
            .filter(pk=urge_id, notified_at__isnull=True)
            .select_related("unit", "proposal__session")
            .first()
        )
        if record is None:
            return False
        recipients = [
            m.user.email for m in record.unit.memberships.select_related("user") if m.user.email
        ]
        subject = _("催办：%(what)s") % {
            "what": record.proposal.reference if record.proposal else record.unit.name
        }
        if recipients:
            try:
                send_mail(subject, record.message, None, recipients)
            except OSError as exc:
                raise self.retry(exc=exc) from exc
        record.notified_at = timezone.now()
        record.save(update_fields=["notified_at"])
    return True


@shared_task(name="workflow.tasks.send_notices", bind=True, max_retries=8)
def send_notices(self, notification_ids):
    """The notices an event just wrote, by mail and text to those who want them at once.
    Sends that failed are retried with backoff; past the last retry, beat's
    `send_waiting_notices` finds them still unmarked."""
    failed = dispatch.deliver(notification_ids)
    if failed:
        raise self.retry(countdown=dispatch.backoff(self.request.retries))
    return len(notification_ids)


@shared_task(name="workflow.tasks.send_proposer_notices", bind=True, max_retries=8)
def send_proposer_notices(self, notice_ids):
    """The notices to proposers a verb just wrote (workflow.proposer_notices), by their ids:
    each sent once, by text or mail as its proposer chose; failures retried with backoff,
    then found by beat's `send_waiting_notices`."""
    failed = proposer_dispatch.deliver(notice_ids)
    if failed:
        raise self.retry(countdown=dispatch.backoff(self.request.retries))
    return len(notice_ids)


@shared_task(name="workflow.tasks.check_item_import_task", **background.TASK_LIMITS)
def check_item_import_task(record_id):
    background.guarded(
        record_id, item_import_worker.check_item_import, item_import_worker.fail_item_import
    )


@shared_task(name="workflow.tasks.save_item_import_task", **background.TASK_LIMITS)
def save_item_import_task(record_id):
    background.guarded(
        record_id, item_import_worker.save_item_import, item_import_worker.fail_item_import
    )
