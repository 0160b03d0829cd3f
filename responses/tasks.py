"""Delivery of sent letters. The row says whether a letter was delivered, not the broker."""

from celery import shared_task
from django.apps import apps
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _


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
            recipients = [p.email for p in proposal.proposers.all() if p.email]
            if recipients:
                try:
                    send_mail(
                        _("%(organ)s：%(title)s（%(number)s）")
                        % {
                            "organ": letter.signing_organ,
                            "title": letter.title,
                            "number": letter.doc_number,
                        },
                        f"{letter.addressee}：\n\n{letter.body}\n\n"
                        f"{letter.signing_organ}\n{letter.letter_date}",
                        None,
                        recipients,
                    )
                except OSError as exc:
                    raise self.retry(exc=exc) from exc
        letter.delivered_at = timezone.now()
        letter.save(update_fields=["delivered_at"])
    return True
