"""Background work: every Celery task of this app. Tasks take ids, re-read the rows, and
return early when nothing is left to do: the database, not the broker, says what has been
done. Those the verbs queue on commit are defined in after_commit.py (below the verbs) and
listed here; those here may call the verbs."""

import socket

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import dispatch, holidays, proposer_dispatch, reminders, sms
from .actions import recompute_deadlines
from .actions.filing import close_expired_invitations
from .after_commit import (
    check_item_import_task,
    notify_extension,
    notify_urge,
    save_item_import_task,
    send_notices,
    send_proposer_notices,
)
from .models import Heartbeat, Notification, OfficeMembership, ReminderDigest
from .notices import in_site_language

__all__ = [
    # queued by the verbs on commit (after_commit.py)
    "notify_extension",
    "notify_urge",
    "send_notices",
    "send_proposer_notices",
    "check_item_import_task",
    "save_item_import_task",
    # beat's, the health page's and the admin's
    "beat_heartbeat",
    "complete_probe",
    "sweep_reminders",
    "send_email_digests",
    "send_sms_digests",
    "send_waiting_notices",
    "send_notice_digests",
    "verify_audit",
    "check_calendar",
    "recompute",
    "close_cosigning",
]


@shared_task
def beat_heartbeat():
    """Beat's periodic tick: the health page shows when the worker last ran one."""
    now = timezone.now()
    Heartbeat.objects.create(
        kind=Heartbeat.Kind.BEAT, requested_at=now, done_at=now, worker=socket.gethostname()
    )
    # Keep a day of ticks; older ones prove nothing more.
    Heartbeat.objects.filter(
        kind=Heartbeat.Kind.BEAT, requested_at__lt=now - timezone.timedelta(days=1)
    ).delete()


@shared_task
def complete_probe(heartbeat_id):
    """A probe a person started from the health page, answered by whichever worker runs."""
    updated = Heartbeat.objects.filter(pk=heartbeat_id, done_at__isnull=True).update(
        done_at=timezone.now(), worker=socket.gethostname()
    )
    return bool(updated)


# ---- reminders --------------------------------------------------------------------------------
@shared_task
def sweep_reminders():
    """Beat's sweep: insert due reminders into the ledger (and the notification centre)."""
    return reminders.sweep()


def backoff(task):
    return min(3600, 60 * 2**task.request.retries)


def _recipients_waiting(column):
    return (
        ReminderDigest.objects.filter(**{f"{column}__isnull": True})
        .values_list("recipient_id", flat=True)
        .distinct()
    )


@shared_task(bind=True, max_retries=8)
def send_email_digests(self):
    """One mail per digest not yet mailed: a unit's reminders for one person, or the
    office's for its jurisdiction."""
    waiting = _recipients_waiting("emailed_at").exclude(recipient__email="")
    failed = [rid for rid in waiting.iterator() if not _email_digest(rid)]
    if failed:
        raise self.retry(countdown=backoff(self))
    return len(failed)


MAIL_LISTS_AT_MOST = 50  # the rest is one link away; an office digest can cover thousands


def _digest_mail(digest):
    """Subject and text of one digest's mail: its items in due order, or, for a digest of
    commitments (whose ledger is the responses app's), what its notification says."""
    if digest.is_commitments:
        notice = digest.notification
        return notice.title, "\n".join([notice.body, "", settings.SITE_URL + notice.link])
    rows = digest.reminders().select_related("assignment__proposal__session")
    lines = [
        f"- {r.assignment.proposal.reference}“{r.assignment.proposal.title}”"
        f"（{r.get_deadline_kind_display()}：{r.due_on}）"
        for r in rows.in_due_order()[:MAIL_LISTS_AT_MOST]
    ]
    if digest.items > len(lines):
        lines.append(_("……共%(n)d件") % {"n": digest.items})
    subject = _("【办理提醒】%(unit)s有%(n)d件建议提案需要关注") % {
        "unit": digest.scope,
        "n": digest.items,
    }
    link = settings.SITE_URL + reverse("reminder-digest", args=[digest.pk])
    return subject, "\n".join([_("以下建议提案临近或已超过办理期限："), *lines, "", link])


def _email_digest(recipient_id):
    try:
        with transaction.atomic():
            digests = list(
                ReminderDigest.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(recipient_id=recipient_id, emailed_at__isnull=True)
                .select_related("recipient", "unit", "jurisdiction", "notification")
                .order_by("id")
            )
            for digest in digests:
                send_mail(*_digest_mail(digest), None, [digest.recipient.email])
            ReminderDigest.objects.filter(pk__in=[d.pk for d in digests]).update(
                emailed_at=timezone.now()
            )
        return True
    except OSError:
        return False


@shared_task(bind=True, max_retries=8)
def send_sms_digests(self):
    """One short text per recipient with a phone number, counting what needs attention."""
    waiting = _recipients_waiting("texted_at").exclude(recipient__phone="")
    gateway = sms.backend()
    failed = [rid for rid in waiting.iterator() if not _sms_digest(rid, gateway)]
    if failed:
        raise self.retry(countdown=backoff(self))
    return len(failed)


def _sms_digest(recipient_id, gateway):
    try:
        with transaction.atomic():
            digests = list(
                ReminderDigest.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(recipient_id=recipient_id, texted_at__isnull=True)
                .select_related("recipient")
            )
            if digests:
                gateway.send(
                    digests[0].recipient.phone,
                    _(
                        "【办理提醒】您有%(n)d件建议提案临近或超过期限（其中逾期%(o)d件），请登录系统查看。"
                    )
                    % {
                        "n": sum(d.items for d in digests),
                        "o": sum(d.overdue for d in digests),
                    },
                )
                ReminderDigest.objects.filter(pk__in=[d.pk for d in digests]).update(
                    texted_at=timezone.now()
                )
        return True
    except OSError:
        return False


# ---- notices (workflow.notices) by mail and text -------------------------------------------
@shared_task
def send_waiting_notices():
    """Notices someone wants at once that have not gone out (the task queued on commit
    never ran, or ran out of retries): queued again by their ids, in bounded batches (each
    notice is sent on its own, so one that fails holds up none of the others)."""
    ids = dispatch.waiting_immediate()
    for start in range(0, len(ids), dispatch.SWEEP_BATCH):
        send_notices.delay(ids[start : start + dispatch.SWEEP_BATCH])
    # The proposers' notices too (workflow.proposer_notices), each by its own ledger.
    told = proposer_dispatch.waiting()
    for start in range(0, len(told), proposer_dispatch.SWEEP_BATCH):
        send_proposer_notices.delay(told[start : start + proposer_dispatch.SWEEP_BATCH])
    return len(ids) + len(told)


@shared_task(bind=True, max_retries=8)
def send_notice_digests(self):
    """The day's digest for those who chose it: one mail and one text per person per day."""
    failed = dispatch.send_digests()
    if failed:
        raise self.retry(countdown=backoff(self))
    return failed


@shared_task
def verify_audit():
    """Nightly: walk every audit chain and record the run (shown on /status/)."""
    from .auditchain import check_and_record

    record, _result = check_and_record()
    return {"rows": record.rows, "breaks": record.breaks}


@shared_task
def check_calendar():
    """From December: remind the office once to load next year's holiday schedule."""
    year = holidays.next_year_missing()
    if year is None:
        return None
    title = in_site_language(lambda: _("请载入%(year)s年节假日安排") % {"year": year})
    body = in_site_language(
        lambda: (
            _(
                "%(year)s年的法定节假日和调休安排尚未载入，期限暂按周一至周五计算"
                "（已扣除元旦、劳动节、国庆节；春节、清明节、端午节、中秋节假期及调休尚未计入）。"
            )
            % {"year": year}
        )
    )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                key=f"calendar-{year}",
                title=title,
                body=body,
                link="/admin/workflow/calendarday/",
            )
            for user_id in OfficeMembership.objects.values_list("user_id", flat=True).distinct()
        ],
        ignore_conflicts=True,
    )
    return year


@shared_task
def recompute(jurisdiction_id=None, reason=""):
    return recompute_deadlines(jurisdiction_id=jurisdiction_id, reason=reason)


@shared_task
def close_cosigning():
    """Co-signing invitations past their time: closed as not confirmed, the lead told."""
    return close_expired_invitations()
