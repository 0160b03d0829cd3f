"""The tasks the letter verbs queue on commit: a sent reply's emails and texts tried (with
backoff), a sent letter frozen, an upload
of past letters read. They sit below the verbs and never import them, so the verbs can name
the task they queue; tasks.py, the app's list of every task, imports these and the verbs.
Each keeps the name it had in tasks.py (`name=`), which queued messages carry."""

import logging

from celery import shared_task
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from proposals.models import Proposer
from workflow import background
from workflow.audit import ActionRefused

from . import delivery_worker, freezing, letter_import_worker
from .models import MAX_ATTEMPTS, DeliveryState

logger = logging.getLogger(__name__)


@shared_task(name="responses.tasks.deliver", bind=True, max_retries=MAX_ATTEMPTS)
def deliver(self, delivery_id):
    """One email or text of a sent reply (a Delivery row): tried, and tried again with a
    growing pause until it is sent or, after MAX_ATTEMPTS, shown as failed. The row counts
    the tries; a message delivered twice by the broker finds nothing queued."""
    outcome = delivery_worker.attempt(delivery_id)
    while outcome.retry_in is not None and self.request.is_eager:
        outcome = delivery_worker.attempt(delivery_id)  # run in-process: no broker to wait on
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@shared_task(name="responses.tasks.deliver_letter")
def deliver_letter(model_label, letter_id):
    """Kept for messages queued before deliveries had rows of their own: a reply gets its
    rows (if it has none) and each queued one is tried; an opinion reaches the lead unit in
    the app, so it is delivered as it is sent."""
    model = apps.get_model(model_label)
    with transaction.atomic():
        letter = (
            model.objects.select_for_update(skip_locked=True)
            .filter(pk=letter_id, sent_at__isnull=False, delivered_at__isnull=True)
            .first()
        )
        if letter is None:
            return False
        if model._meta.model_name != "reply":
            letter.delivered_at = timezone.now()
            letter.save(update_fields=["delivered_at"])
            return True
        delivery_worker.queue_deliveries(letter)
        queued = list(
            letter.deliveries.filter(state=DeliveryState.QUEUED)
            .exclude(channel=Proposer.Channel.PAPER)
            .values_list("pk", flat=True)
        )
    for pk in queued:
        deliver.delay(pk)
    return True


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
