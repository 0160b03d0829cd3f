"""Notices to proposers (issue 22): the steps of their item they care about — received by
the office, 立案 or not (with the reason), 交办 (to which units, by when), reopened for
re-handling — told by text or mail as each proposer chose (通知方式).

A verb calls `tell_proposers` inside its transaction: a `ProposerNotice` row per proposer of
the item, unique per (proposer, event, subject), so a repeated verb or a retried task never
tells anyone twice (the database decides). After the commit a task takes the rows' ids and
sends each (workflow.proposer_dispatch).

A group proposer (党派, 界别, 专委会) that acts through named contacts (portal's ContactPerson)
is told at its own recorded address and each named contact is told too, by their own way:
one ledger row per (notice, contact), so each hears once.

Replies and follow-up replies are delivered themselves, to every proposer, by the reply's
delivery (responses.delivery_worker), which is the office's duty whatever a proposer chose
for notices; a group's named contacts, whom the delivery does not reach, are told of them
here (`contacts_only`). The notices are about a proposer, not an account: a proposer with no
account is told at the contacts the office recorded.
"""

from django.db import transaction

from proposals.models import ProposalProposer, Proposer
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
def tell_proposers(event, proposal, *, subject, title, body="", contacts_only=False):
    """Inside the verb's transaction: a notice to each proposer of `proposal` (lead and
    co-signers) and to each named contact of a group among them, of `event` about `subject`,
    once each ever; sent after the commit. `contacts_only`: the named contacts alone (the
    proposers themselves hear of it otherwise). `title` and `body` are functions of no
    arguments (or strings), built in the site's language. Returns the ids of the notices
    written now for the first time."""
    pairs = list(
        ProposalProposer.objects.filter(proposal=proposal).values_list(
            "proposer_id", "proposer__contact_people__mobile"
        )
    )  # the groups' named contacts, through the relation (no import of the app above)
    return _tell(event, pairs, proposal, subject, title, body, contacts_only)


def tell_proposer(event, proposer, *, subject, title, body=""):
    """tell_proposers for one proposer (and a group's named contacts) and no item yet, as
    when asked to co-sign a draft: told whether or not they have an account, at the
    contacts the office recorded."""
    pairs = list(
        Proposer.objects.filter(pk=proposer.pk).values_list("pk", "contact_people__mobile")
    )
    return _tell(event, pairs, None, subject, title, body, False)


def _tell(event, pairs, proposal, subject, title, body, contacts_only):
    title, body = in_site_language(title), in_site_language(body)
    subject = subject[:80]
    whom = {(pk, mobile) for pk, mobile in pairs if mobile}
    if not contacts_only:
        whom |= {(pk, "") for pk, _mobile in pairs}
    ledger = ProposerNotice.objects.filter(
        event=event, subject=subject, proposer_id__in={pk for pk, _mobile in whom}
    )
    fresh = sorted(whom - set(ledger.values_list("proposer_id", "contact_mobile")))
    ProposerNotice.objects.bulk_create(
        [
            ProposerNotice(
                proposer_id=pk,
                contact_mobile=mobile,
                proposal=proposal,
                event=event,
                subject=subject,
                title=one_line(title)[:200],
                body=body,
            )
            for pk, mobile in fresh
        ],
        ignore_conflicts=True,  # a concurrent verb wrote it first: the constraint holds
    )
    if not fresh:
        return []
    ids = [
        pk
        for pk, *key in ledger.order_by("pk").values_list("pk", "proposer_id", "contact_mobile")
        if tuple(key) in set(fresh)
    ]
    transaction.on_commit(lambda: send_proposer_notices.delay(ids), robust=True)
    return ids
