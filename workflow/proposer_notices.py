"""Notices to proposers (issue 22): the steps of their item they care about — received by
the office, 立案 or not (with the reason), 交办 (to which units, by when), reopened for
re-handling — told by text or mail as each proposer chose (通知方式).

A verb calls `tell_proposers` inside its transaction: a `ProposerNotice` row per proposer of
the item, unique per (proposer, event, subject), so a repeated verb or a retried task never
tells anyone twice (the database decides). After the commit a task takes the rows' ids and
sends each (workflow.proposer_dispatch).

Replies and follow-up replies are not told here: they are delivered themselves, to every
proposer, by the reply's delivery (responses.delivery_worker), which is the office's duty
whatever a proposer chose for notices. The notices are about a proposer, not an account: a
proposer with no account is told at the contacts the office recorded.
"""

from django.db import transaction

from proposals.models import ProposalProposer
from proposals.untrusted import one_line

from .after_commit import send_proposer_notices
from .models import ProposerEvent, ProposerNotice, ProposerNoticeChoice
from .notices import in_site_language
from .proposer_dispatch import default_way

__all__ = ["ProposerEvent", "chosen_way", "tell_proposer", "tell_proposers"]


def chosen_way(proposer):
    """The way this proposer is told now (their choice, or the default): for their page."""
    choice = ProposerNoticeChoice.objects.filter(proposer=proposer).first()
    return choice.way if choice else default_way(proposer)


# ---- announcing ---------------------------------------------------------------------------
def tell_proposers(event, proposal, *, subject, title, body=""):
    """Inside the verb's transaction: a notice to each proposer of `proposal` (lead and
    co-signers) of `event` about `subject`, once each ever; sent after the commit. `title`
    and `body` are functions of no arguments (or strings), built in the site's language.
    Returns the ids of the notices written now for the first time."""
    people = list(
        ProposalProposer.objects.filter(proposal=proposal).values_list("proposer_id", flat=True)
    )
    return _tell(event, people, proposal, subject, title, body)


def tell_proposer(event, proposer, *, subject, title, body=""):
    """tell_proposers for one proposer and no item yet (asked to co-sign a draft): told
    whether or not they have an account, at the contacts the office recorded."""
    return _tell(event, [proposer.pk], None, subject, title, body)


def _tell(event, people, proposal, subject, title, body):
    title, body = in_site_language(title), in_site_language(body)
    subject = subject[:80]
    told = set(
        ProposerNotice.objects.filter(
            event=event, subject=subject, proposer_id__in=people
        ).values_list("proposer_id", flat=True)
    )
    fresh = [pk for pk in people if pk not in told]
    ProposerNotice.objects.bulk_create(
        [
            ProposerNotice(
                proposer_id=pk,
                proposal=proposal,
                event=event,
                subject=subject,
                title=one_line(title)[:200],
                body=body,
            )
            for pk in fresh
        ],
        ignore_conflicts=True,  # a concurrent verb wrote it first: the constraint holds
    )
    if not fresh:
        return []
    ids = list(
        ProposerNotice.objects.filter(
            event=event, subject=subject, proposer_id__in=fresh
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: send_proposer_notices.delay(ids), robust=True)
    return ids
