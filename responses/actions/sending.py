"""发出: a signed letter is numbered, dated and sent; the assignment and the item follow, and
the letter is frozen and delivered after the commit. 签发并发出 does both in one step.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.models import Proposal
from workflow import deadlines, notices
from workflow.audit import ActionRefused, fire, lock, require_may
from workflow.models import REPLYING_ROLES, Assignment

from .. import rendering
from ..after_commit import deliver_letter, freeze_letter
from ..models import (
    LetterState,
    Opinion,
    Reply,
)
from .commitments import close_reported
from .delivery import require_reachable, start_delivery
from .numbering import allocate_doc_number, series_of
from .sign_off import sign_letter


@transaction.atomic
def sign_and_send_letter(letter, actor, at=None, seen_revision=None):
    """签发并发出: the leader signs and sends in one step, as one transaction: a letter that
    cannot be sent (a glyph that cannot be printed, …) is not left signed either. Each part
    logs its own row; sending's side effects (freezing, delivery) run after the commit."""
    at = at or timezone.now()
    letter = sign_letter(letter, actor, at=at, seen_revision=seen_revision)
    return send_letter(letter, actor, at=at)


@transaction.atomic
def send_letter(letter, actor, at=None, doc_number=None):
    """发出: the number is allocated, the date fixed, the content frozen; the assignment
    and the item follow. `doc_number` is given only for letters issued before Banli (imports
    and the seed letters); it may be empty where the original had none."""
    letter = lock(type(letter), letter.pk)
    require_may(letter, "send", actor)
    at = at or timezone.now()
    if letter.state != LetterState.SIGNED:
        raise ActionRefused(_("只有已签发的函件可以发出。"))
    issued_before_banli = doc_number is not None
    if isinstance(letter, Reply) and not issued_before_banli:
        require_reachable(letter)
    rendering.require_glyphs(letter)  # never send what cannot be printed with every glyph
    doc_number = _number_for(letter, doc_number, at)
    if issued_before_banli:
        letter.delivered_at = at  # delivered outside Banli, as it was sent
    fire(letter, "send", by=actor, doc_number=doc_number, at=at, logged_at=at)
    _follow_the_letter(letter, actor, at)
    # Publication is a reply's (the public site shows replies): an opinion stays 已发出.
    if isinstance(letter, Reply) and not letter.discloses():
        fire(
            letter,
            "withhold",
            by=actor,
            check_perm=False,
            log_comment=letter.get_disclosure_display(),
            logged_at=at,
        )
    _queue_freezing_and_delivery(letter, at)
    return letter


def _number_for(letter, doc_number, at):
    """The number given (a past letter's), else the one given at sign-off, else the next of
    the unit's series."""
    if doc_number is None and letter.doc_number:  # numbered at sign-off
        doc_number = letter.doc_number
    if doc_number is None:
        doc_number = allocate_doc_number(
            letter.assignment.unit, series_of(letter), timezone.localdate(at).year
        )
    return doc_number


def _follow_the_letter(letter, actor, at):
    """The assignment follows its sent letter: an opinion is sent; a reply is replied, with its
    feedback window, the lead's late co-handlers lapse, and the item may follow."""
    assignment = lock(Assignment, letter.assignment_id)
    if isinstance(letter, Opinion):
        fire(assignment, "mark_opinion_sent", by=actor, at=at, check_perm=False, logged_at=at)
        _announce_opinion(letter)
        return
    if letter.kind == Reply.Kind.FOLLOW_UP:
        close_reported(letter, actor, at)  # the item's handling is done; it reports
        return
    if not assignment.takes_reply:
        return
    window = _feedback_window(letter, assignment.proposal, at)
    fire(
        assignment,
        "mark_replied",
        by=actor,
        at=at,
        feedback_until=window,
        check_perm=False,
        logged_at=at,
    )
    if assignment.role == Assignment.Role.LEAD:
        for late in letter.outstanding_opinions().select_for_update():
            fire(
                late,
                "lapse",
                by=actor,
                at=at,
                check_perm=False,
                log_comment=_("主办单位已答复"),
                logged_at=at,
            )
    _follow_replies(assignment.proposal_id, actor, at)


def _announce_opinion(opinion):
    """A co-handler's opinion reaches the lead unit's clerks, who write the reply."""
    proposal = opinion.assignment.proposal
    notices.announce(
        notices.Event.OPINION_SENT,
        subject=f"opinion:{opinion.pk}",
        title=lambda: _("会办意见已送达：%(ref)s") % {"ref": proposal.reference},
        body=lambda: (
            _("%(unit)s对“%(title)s”的会办意见（%(number)s）已发出，请在答复中统筹考虑。")
            % {
                "unit": opinion.assignment.unit,
                "title": proposal.title,
                "number": opinion.doc_number,
            }
        ),
        link=reverse("item", args=[proposal.pk]),
        unit=opinion.lead_unit,
    )


def _feedback_window(letter, proposal, at):
    """A reply issued before Banli was delivered when it was sent: its window runs from then.
    Any other opens its feedback window once every proposer is reached (送达, see
    delivery_worker.deliver_if_everyone_reached): until then the item does not close."""
    if letter.delivered_at is None:
        return None
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    return deadlines.feedback_until(timezone.localdate(at), rules, deadlines.WorkingCalendar())


def _queue_freezing_and_delivery(letter, at):
    """After the commit the letter is frozen (its PDF goes with the emails) and delivered:
    an opinion to the lead unit in the app, a reply to each proposer by their channels."""
    label = letter._meta.label_lower
    if settings.FREEZE_LETTERS_AT_SENDING:
        transaction.on_commit(lambda: freeze_letter.delay(label, letter.pk), robust=True)
    if isinstance(letter, Reply):
        if letter.delivered_at is None:
            start_delivery(letter, at)
        return
    transaction.on_commit(lambda: deliver_letter.delay(label, letter.pk), robust=True)


def _follow_replies(proposal_id, actor, at=None):
    """The item is replied once every lead and separate unit of this round has replied."""
    proposal = lock(Proposal, proposal_id)
    waiting = proposal.assignments.open().filter(role__in=REPLYING_ROLES)
    if not waiting.exists():
        fire(proposal, "mark_replied", by=actor, check_perm=False, logged_at=at)
