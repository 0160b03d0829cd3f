"""Sending the notices to proposers (workflow.proposer_notices), the worker's part: each
notice held locked while it is sent (skip_locked: another worker has it), marked sent, or
skipped when its proposer (or the group's named contact it is for) chose no notices or has
no address for their way; a failed send
is retried, and one that keeps failing is marked failed. Below the announcing module and
the task, which both use it; it imports neither."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.untrusted import one_line

from . import sms
from .models import ProposerNotice, ProposerNoticeChoice, ProposerNoticeWay

logger = logging.getLogger(__name__)

TEXT_AT_MOST = 140  # one long SMS
ATTEMPTS_AT_MOST = 5
WAITING_AT_MOST = timezone.timedelta(days=3)  # older unsent notices are no longer news
SWEEP_BATCH = 50


# ---- whom and how -------------------------------------------------------------------------
def way_of(proposer, choice=None):
    """How this proposer is told, and where: their own choice of 通知方式; without one, the
    way they prefer replies when that is a text or a mail, else the first they have (mail,
    then text). ("none", "") when they chose none or have no address for their way."""
    way = choice.way if choice else default_way(proposer)
    if way == ProposerNoticeWay.SMS and proposer.mobile:
        return ProposerNoticeWay.SMS, proposer.mobile
    if way == ProposerNoticeWay.EMAIL and proposer.email:
        return ProposerNoticeWay.EMAIL, proposer.email
    return ProposerNoticeWay.NONE, ""


def contact_way(contact):
    """How a group's named contact is told, and where: their own 通知方式, by text to their
    mobile unless they chose otherwise. `contact` is (mobile, email, notice_way)."""
    mobile, email, way = contact
    if way == ProposerNoticeWay.EMAIL and email:
        return ProposerNoticeWay.EMAIL, email
    if way in ("", ProposerNoticeWay.SMS) and mobile:
        return ProposerNoticeWay.SMS, mobile
    return ProposerNoticeWay.NONE, ""


def address_of(notice):
    """(way, address) for one notice: its named contact's, or its proposer's. A group's own
    address that is also one of its named contacts' is left out when that contact is told
    of the same step (told as themselves, by their own way: never twice)."""
    # portal's ContactPerson rows, read through the relation (this app imports nothing above)
    contacts = list(notice.proposer.contact_people.values_list("mobile", "email", "notice_way"))
    if notice.contact_mobile:
        mine = [c for c in contacts if c[0] == notice.contact_mobile]
        return contact_way(mine[0]) if mine else (ProposerNoticeWay.NONE, "")
    choice = ProposerNoticeChoice.objects.filter(proposer=notice.proposer).first()
    way, to = way_of(notice.proposer, choice)
    theirs = [mobile for mobile, email, _way in contacts if to in (mobile, email)]
    told = ProposerNotice.objects.filter(
        proposer=notice.proposer,
        event=notice.event,
        subject=notice.subject,
        contact_mobile__in=theirs,
    )
    if to and theirs and told.exists():
        return ProposerNoticeWay.NONE, ""
    return way, to


def default_way(proposer):
    if proposer.preferred_channel in (ProposerNoticeWay.SMS, ProposerNoticeWay.EMAIL):
        return proposer.preferred_channel
    if proposer.email:
        return ProposerNoticeWay.EMAIL
    return ProposerNoticeWay.SMS if proposer.mobile else ProposerNoticeWay.NONE


# ---- sending (the worker) -----------------------------------------------------------------
def deliver(notice_ids, gateway=None):
    """Send each of these notices once; returns how many failed and are to be retried.
    Whatever one raises stops only that one."""
    gateway = gateway or sms.backend()
    failed = 0
    for pk in notice_ids:
        try:
            failed += _deliver_one(pk, gateway)
        except Exception:  # noqa: BLE001 — one notice never aborts the others
            logger.exception("proposer notice %s not sent; will retry", pk)
            failed += 1
    return failed


def _deliver_one(pk, gateway):
    with transaction.atomic():
        notice = (
            ProposerNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("proposer")
            .filter(pk=pk, sent_at=None, skipped_at=None, send_failed_at=None)
            .first()
        )
        if notice is None:  # sent, skipped, failed, gone, or another worker holds it
            return 0
        way, to = address_of(notice)
        notice.way, notice.sent_to = way, to
        if way == ProposerNoticeWay.NONE:
            notice.skipped_at = timezone.now()
            notice.save(update_fields=["way", "sent_to", "skipped_at"])
            return 0
        try:
            _send(notice, way, to, gateway)
        except OSError:
            logger.warning("proposer notice %s not sent by %s; will retry", pk, way, exc_info=True)
            return 1
        except Exception:  # noqa: BLE001 — building or sending this one notice
            return _count_failure(notice)
        notice.sent_at = timezone.now()
        notice.save(update_fields=["way", "sent_to", "sent_at"])
    return 0


def _send(notice, way, to, gateway):
    if way == ProposerNoticeWay.EMAIL:
        page = settings.SITE_URL.rstrip("/") + "/me/"
        body = _("%(body)s\n\n您可登录提出人页面查看办理情况：%(page)s") % {
            "body": notice.body or notice.title,
            "page": page,
        }
        send_mail(notice.title, body, None, [to])
        return
    text = _("【建议提案办理】%(title)s") % {"title": notice.title}
    if notice.body:
        text += "：" + one_line(notice.body)
    gateway.send(to, text[:TEXT_AT_MOST])


def _count_failure(notice):
    notice.send_attempts += 1
    fields = ["send_attempts"]
    if notice.send_attempts >= ATTEMPTS_AT_MOST:
        logger.error("proposer notice %s cannot be sent; marked failed", notice.pk, exc_info=True)
        notice.send_failed_at = timezone.now()
        fields.append("send_failed_at")
    else:
        logger.warning("proposer notice %s not sent; will retry", notice.pk, exc_info=True)
    notice.save(update_fields=fields)
    return 0 if notice.send_failed_at else 1


def waiting(now=None):
    """Ids of recent notices not yet sent nor skipped: their task never ran or ran out of
    retries (beat's sweep queues them again)."""
    now = now or timezone.now()
    return list(
        ProposerNotice.objects.filter(
            sent_at=None, skipped_at=None, send_failed_at=None, created_at__lte=now
        )
        .filter(created_at__gte=now - WAITING_AT_MOST)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
