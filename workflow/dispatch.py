"""Mail and texts of the notices (workflow.notices): each person's choice per channel
(`NoticePreference`), sent once. The database says what went out: a notice's `emailed_at`
and `texted_at` are set in the transaction that holds its row locked while sending, and a
daily digest is a `NoticeDigest` row unique per person, channel and day. A task retried,
run twice or run beside another sends nothing twice; a failed send leaves its mark empty,
so the retry, or beat's sweep of what is still waiting, sends it later. Each notice is
sent on its own: whatever one raises is logged and never stops the others; one that cannot
be sent as it is (a bad header) is marked failed (`send_failed_at`) and tried no more."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.untrusted import one_line

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
# Sends of one notice that raised something unexpected before it is marked failed; a
# ValueError (Django's BadHeaderError, an address it refuses) fails it at once.
ATTEMPTS_AT_MOST = 5
# Notices per task of beat's sweep: one slow or failing notice holds up at most its batch.
SWEEP_BATCH = 50


def backoff(retries):
    """Seconds before retry number `retries` + 1: a minute, doubling, at most an hour."""
    return min(3600, 60 * 2**retries)


def address(user, channel):
    return user.email if channel == NoticeChannel.EMAIL else user.phone


def full_link(link):
    return settings.SITE_URL.rstrip("/") + link if link.startswith("/") else link


def _send_one(notice, channel, gateway):
    title = one_line(notice.title)  # a subject is one line, whatever an older row holds
    if channel == NoticeChannel.EMAIL:
        lines = [notice.body, "", full_link(notice.link)] if notice.link else [notice.body]
        send_mail(title, "\n".join(lines).strip(), None, [notice.recipient.email])
    else:
        text = _("【办理】%(title)s。请登录系统查看。") % {"title": title}
        gateway.send(notice.recipient.phone, text[:TEXT_AT_MOST])


def deliver(notification_ids, gateway=None):
    """Send each of these notices by the channels its recipient wants at once; returns how
    many sends failed (to be retried). Whatever one notice raises stops only that one."""
    gateway = gateway or sms.backend()
    failed = 0
    for pk in notification_ids:
        try:
            failed += _deliver_one(pk, gateway)
        except Exception:  # noqa: BLE001 — one notice never aborts the others
            logger.exception("notice %s not sent; will retry", pk)
            failed += 1
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
            except Exception as exc:  # noqa: BLE001 — building or sending this one notice
                failed += _count_failure(notice, channel, exc, sent)
                continue
            setattr(notice, mark, timezone.now())
            sent.append(mark)
        if sent:
            notice.save(update_fields=sorted(set(sent)))
    return failed


def _count_failure(notice, channel, exc, changed):
    """A send that raised something other than a network error: counted; a ValueError (a
    bad header, an address refused) or too many attempts marks the notice failed, so no
    retry or sweep tries it again. Returns 1 when it is still to be retried."""
    notice.send_attempts += 1
    changed.append("send_attempts")
    if isinstance(exc, ValueError) or notice.send_attempts >= ATTEMPTS_AT_MOST:
        logger.error(
            "notice %s cannot be sent by %s; marked failed", notice.pk, channel, exc_info=True
        )
        notice.send_failed_at = timezone.now()
        changed.append("send_failed_at")
        return 0
    logger.warning("notice %s not sent by %s; will retry", notice.pk, channel, exc_info=True)
    return 1


EMPTY_ADDRESS = {NoticeChannel.EMAIL: "recipient__email", NoticeChannel.SMS: "recipient__phone"}


def waiting(channel, mode, now=None):
    """Recent notices of events not yet sent by `channel` to people who chose `mode` for it
    (and have an address there): beat's sweep of immediate sends, and the digests."""
    now = now or timezone.now()
    rows = (
        Notification.objects.exclude(event="")
        .filter(created_at__gte=now - WAITING_AT_MOST, created_at__lte=now)
        .filter(**{f"{MARK[channel]}__isnull": True}, send_failed_at__isnull=True)
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
            except Exception:  # noqa: BLE001 — one person's digest never stops the others'
                logger.exception("digest for %s by %s failed; will retry", recipient_id, channel)
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
            "title": one_line(notices[-1].title),
        }
        gateway.send(person.phone, text[:TEXT_AT_MOST])
        return
    lines = []
    for notice in notices[:DIGEST_LISTS_AT_MOST]:
        lines.append(f"- {timezone.localtime(notice.created_at):%H:%M} {one_line(notice.title)}")
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
