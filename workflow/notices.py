"""Who hears of what: the one registry of the work's events and the people each reaches.

A verb announces an event once its change is made (inside its transaction): the notices are
rows of the notification centre, so they appear at once and roll back with the change. The
row's key — event and subject — is the ledger: `Notification` holds it unique per recipient,
so a retried task or a repeated verb never tells anyone twice. Mail and texts follow each
person's own choice, sent after the commit from these rows (workflow.tasks).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from proposals.untrusted import one_line

from .after_commit import send_notices
from .models import Notification, OfficeMembership, UnitMembership


class Event(models.TextChoices):
    ASSIGNED = "assigned", _("新交办")
    TRANSFER_DECIDED = "transfer_decided", _("调整申请已决定")
    EXTENSION_DECIDED = "extension_decided", _("延期申请已决定")
    DRAFT_RETURNED = "draft_returned", _("稿件被退回")
    SUBMITTED = "submitted", _("送审待签发")
    OPINION_SENT = "opinion_sent", _("会办意见已送达")
    REPLY_SENT = "reply_sent", _("答复已发出")
    PROPOSER_REACHED = "proposer_reached", _("答复已送达提出人")
    PROPOSER_UNREACHED = "proposer_unreached", _("答复未能送达提出人")
    UNDELIVERED_UNIT = "undelivered_unit", _("答复发出后尚未送达")
    UNDELIVERED_OFFICE = "undelivered_office", _("答复长期未送达")
    FEEDBACK_RECEIVED = "feedback_received", _("收到征询意见")
    FEEDBACK_UNSATISFIED = "feedback_unsatisfied", _("收到不满意评价")
    REOPENED = "reopened", _("重新办理")
    URGED = "urged", _("催办")
    PUBLICATION_DUE = "publication_due", _("答复待公开")
    COSIGN_INVITED = "cosign_invited", _("联名邀请")
    COSIGNS_ANSWERED = "cosigns_answered", _("联名人均已答复")
    FILED_ONLINE = "filed_online", _("收到网上提交")
    FILING_RETURNED = "filing_returned", _("网上提交被退回修改")


class To(models.TextChoices):
    UNIT_CLERKS = "unit_clerks", _("单位承办人")
    UNIT_LEADERS = "unit_leaders", _("单位领导")
    UNIT = "unit", _("单位全体")
    OFFICE = "office", _("建议提案处")
    PERSON = "person", _("经办本人")


# Which event reaches whom (issue 20). The unit is the one the event concerns: for an
# opinion sent, the lead unit that receives it.
REGISTRY = {
    Event.ASSIGNED: (To.UNIT_CLERKS,),
    Event.TRANSFER_DECIDED: (To.UNIT,),
    Event.EXTENSION_DECIDED: (To.UNIT,),
    Event.DRAFT_RETURNED: (To.PERSON,),
    Event.SUBMITTED: (To.UNIT_LEADERS,),
    Event.OPINION_SENT: (To.UNIT_CLERKS,),
    Event.REPLY_SENT: (To.OFFICE,),
    Event.PROPOSER_REACHED: (To.UNIT_CLERKS,),
    Event.PROPOSER_UNREACHED: (To.UNIT_CLERKS, To.OFFICE),
    Event.UNDELIVERED_UNIT: (To.UNIT_CLERKS,),
    Event.UNDELIVERED_OFFICE: (To.OFFICE,),
    Event.FEEDBACK_RECEIVED: (To.UNIT_CLERKS, To.OFFICE),
    Event.FEEDBACK_UNSATISFIED: (To.UNIT_CLERKS, To.UNIT_LEADERS, To.OFFICE),
    Event.REOPENED: (To.UNIT_CLERKS, To.UNIT_LEADERS),
    Event.URGED: (To.UNIT,),
    Event.PUBLICATION_DUE: (To.UNIT_CLERKS, To.OFFICE),
    # Online filing (issue 22). A proposer is reached as the person of their account
    # (Proposer.user): one without an account hears nothing here.
    Event.COSIGN_INVITED: (To.PERSON,),
    Event.COSIGNS_ANSWERED: (To.PERSON,),
    Event.FILED_ONLINE: (To.OFFICE,),
    Event.FILING_RETURNED: (To.PERSON,),
}


def recipients(event, *, unit=None, jurisdiction=None, person=None):
    """The ids of the active users `event` reaches, by the registry."""
    audiences = REGISTRY[event]
    ids = set()
    for audience in audiences:
        if audience == To.PERSON and person is not None:
            ids.add(person.pk)
        elif audience == To.OFFICE and jurisdiction is not None:
            ids.update(
                OfficeMembership.objects.filter(jurisdiction=jurisdiction).values_list(
                    "user_id", flat=True
                )
            )
        elif unit is not None and audience in (To.UNIT, To.UNIT_CLERKS, To.UNIT_LEADERS):
            members = UnitMembership.objects.filter(unit=unit)
            if audience != To.UNIT:
                role = UnitMembership.Role.CLERK
                if audience == To.UNIT_LEADERS:
                    role = UnitMembership.Role.LEADER
                members = members.filter(role=role)
            ids.update(members.values_list("user_id", flat=True))
    active = get_user_model().objects.filter(pk__in=ids, is_active=True)
    return sorted(active.values_list("pk", flat=True))


def in_site_language(text):
    """A notice's words in the site's own language (Chinese), whoever's action raised it: a
    notice is stored once and read by others, so an English-using actor must not make
    Chinese-reading clerks get English notices. `text` is a string, a lazy string or a
    function of no arguments that builds the words (evaluated here, under the override)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text() if callable(text) else text)


def announce(event, *, subject, title, body="", link="", unit=None, jurisdiction=None, person=None):
    """Tell everyone `event` reaches, once: `subject` names what it is about (e.g. "reply:7",
    "reply:7:round2"), so the same event about the same thing is one notice per person
    however often it is announced. Returns the ids of those told now for the first time.
    `title` and `body` are functions of no arguments (or lazy strings) that build the words:
    they are built in the site's language (in_site_language), not the actor's.
    Once the change commits, their notices go by mail and text as each person chose
    (workflow.dispatch): a task by the notices' ids, which never sends one twice."""
    key = f"{event}:{subject}"[:100]
    title, body = in_site_language(title), in_site_language(body)
    targets = recipients(event, unit=unit, jurisdiction=jurisdiction, person=person)
    told = set(
        Notification.objects.filter(key=key, recipient_id__in=targets).values_list(
            "recipient_id", flat=True
        )
    )
    fresh = [pk for pk in targets if pk not in told]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                event=event,
                key=key,
                title=one_line(title)[:200],  # a mail subject and a text: one line
                body=body,
                link=link[:200],
            )
            for pk in fresh
        ],
        ignore_conflicts=True,  # a concurrent announcement of the same event: the key holds
    )
    if fresh:
        ids = list(
            Notification.objects.filter(key=key, recipient_id__in=fresh).values_list(
                "pk", flat=True
            )
        )
        transaction.on_commit(lambda: send_notices.delay(ids), robust=True)
    return fresh
