"""Mail and texts of the notices (workflow.notices): each person's choice per channel
(`NoticePreference`), sent once. The database says what went out: a notice's `emailed_at`
and `texted_at` are set in the transaction that holds its row locked while sending, and a
daily digest is a `NoticeDigest` row unique per person, channel and day. A task retried,
run twice or run beside another sends nothing twice; a failed send leaves its mark empty,
so the retry, or beat's sweep of what is still waiting, sends it later."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sms
from .models import (
    DEFAULT_MODES,
    NoticeChannel,
    NoticeDigest,
    NoticeMode,
    NoticePreference,
    Notification,
)

logger = logging.getLogger(__name__)

MARK = {NoticeChannel.EMAIL: "emailed_at", NoticeChannel.SMS: "texted_at"}
# Notices waiting longer than this are no longer news: beat's sweep leaves them to the centre.
WAITING_AT_MOST = timezone.timedelta(days=3)
TEXT_AT_MOST = 140  # characters of a text: one long SMS


def backoff(retries):
    """Seconds before retry number `retries` + 1: a minute, doubling, at most an hour."""
    return min(3600, 60 * 2**retries)


def address(user, channel):
    return user.email if channel == NoticeChannel.EMAIL else user.phone


def full_link(link):
    return settings.SITE_URL.rstrip("/") + link if link.startswith("/") else link


def _send_one(notice, channel, gateway):
    if channel == NoticeChannel.EMAIL:
        lines = [notice.body, "", full_link(notice.link)] if notice.link else [notice.body]
        send_mail(notice.title, "\n".join(lines).strip(), None, [notice.recipient.email])
    else:
        text = _("【办理】%(title)s。请登录系统查看。") % {"title": notice.title}
        gateway.send(notice.recipient.phone, text[:TEXT_AT_MOST])


def deliver(notification_ids, gateway=None):
    """Send each of these notices by the channels its recipient wants at once; returns how
    many sends failed (to be retried)."""
    gateway = gateway or sms.backend()
    failed = 0
    for pk in notification_ids:
        failed += _deliver_one(pk, gateway)
    return failed


def _deliver_one(pk, gateway):
    with transaction.atomic():
        notice = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=pk)
            .exclude(event="")
            .first()
        )
        if notice is None:  # gone, not an event's notice, or another worker has it now
            return 0
        modes = NoticePreference.objects.modes_for([notice.recipient_id])[notice.recipient_id]
        failed, sent = 0, []
        for channel, mark in MARK.items():
            wanted = modes[channel] == NoticeMode.IMMEDIATE
            if not wanted or getattr(notice, mark) or not address(notice.recipient, channel):
                continue
            try:
                _send_one(notice, channel, gateway)
            except OSError:
                logger.warning("notice %s not sent by %s; will retry", pk, channel, exc_info=True)
                failed += 1
                continue
            setattr(notice, mark, timezone.now())
            sent.append(mark)
        if sent:
            notice.save(update_fields=sent)
    return failed


EMPTY_ADDRESS = {NoticeChannel.EMAIL: "recipient__email", NoticeChannel.SMS: "recipient__phone"}


def waiting(channel, mode, now=None):
    """Recent notices of events not yet sent by `channel` to people who chose `mode` for it
    (and have an address there): beat's sweep of immediate sends, and the digests."""
    now = now or timezone.now()
    rows = (
        Notification.objects.exclude(event="")
        .filter(created_at__gte=now - WAITING_AT_MOST, created_at__lte=now)
        .filter(**{f"{MARK[channel]}__isnull": True})
        .exclude(**{EMPTY_ADDRESS[channel]: ""})
    )
    choices = NoticePreference.objects.filter(channel=channel)
    if DEFAULT_MODES[channel] == mode:  # those who chose nothing, and those who chose this
        return rows.exclude(recipient__in=choices.exclude(mode=mode).values("user_id"))
    return rows.filter(recipient__in=choices.filter(mode=mode).values("user_id"))


def waiting_immediate(now=None):
    """Ids of notices someone wants at once that have not gone out: their task never ran,
    or every retry failed."""
    ids = set()
    for channel in MARK:
        ids.update(waiting(channel, NoticeMode.IMMEDIATE, now).values_list("pk", flat=True))
    return sorted(ids)


class _NotSent(Exception):
    pass


def send_digests(day=None, now=None, gateway=None):
    """The daily digest: for each person who chose it, one mail and one text listing the
    notices not yet sent them by that channel; at most one per person, channel and day.
    Returns how many digests failed (to be retried)."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    gateway = gateway or sms.backend()
    failed = 0
    for channel in MARK:
        people = waiting(channel, NoticeMode.DIGEST, now).values_list("recipient_id", flat=True)
        for recipient_id in sorted(set(people)):
            try:
                _digest_one(recipient_id, channel, day, now, gateway)
            except _NotSent:
                logger.warning("digest for %s by %s not sent; will retry", recipient_id, channel)
                failed += 1
    return failed


def _digest_one(recipient_id, channel, day, now, gateway):
    with transaction.atomic():
        if NoticeDigest.objects.filter(
            recipient_id=recipient_id, channel=channel, day=day
        ).exists():
            return False  # today's has gone; what came since waits for tomorrow's
        notices = list(
            waiting(channel, NoticeMode.DIGEST, now)
            .filter(recipient_id=recipient_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .order_by("created_at", "id")
        )
        if not notices:
            return False
        try:
            with transaction.atomic():
                NoticeDigest.objects.create(
                    recipient_id=recipient_id, channel=channel, day=day, notices=len(notices)
                )
        except IntegrityError:  # another worker is sending today's
            return False
        try:
            _send_digest(notices, channel, day, gateway)
        except OSError as exc:
            raise _NotSent from exc  # rolls back the digest's row: the retry sends it
        Notification.objects.filter(pk__in=[n.pk for n in notices]).update(**{MARK[channel]: now})
    return True


DIGEST_LISTS_AT_MOST = 50


def _send_digest(notices, channel, day, gateway):
    person = notices[0].recipient
    count = len(notices)
    if channel == NoticeChannel.SMS:
        text = _("【办理】您有%(n)d条新通知，最近一条：%(title)s。请登录系统查看。") % {
            "n": count,
            "title": notices[-1].title,
        }
        gateway.send(person.phone, text[:TEXT_AT_MOST])
        return
    lines = []
    for notice in notices[:DIGEST_LISTS_AT_MOST]:
        lines.append(f"- {timezone.localtime(notice.created_at):%H:%M} {notice.title}")
        if notice.body:
            lines.append(f"  {notice.body}")
        if notice.link:
            lines.append(f"  {full_link(notice.link)}")
    if count > DIGEST_LISTS_AT_MOST:
        lines.append(_("……共%(n)d条") % {"n": count})
    lines += ["", full_link("/notifications/")]
    send_mail(
        _("【通知汇总】%(day)s 共%(n)d条通知") % {"day": day, "n": count},
        "\n".join(lines),
        None,
        [person.email],
    )
