"""公开 and 撤回公开: a sent letter on the public site, as its disclosure decision says."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import bigrams
from workflow.audit import ActionRefused, fire, lock, require_may

from ..models import (
    Disclosure,
    Reply,
)


@transaction.atomic
def publish_letter(letter, actor, at=None, system=False):
    """公开 on the public site, as the disclosure decision says (全文 or 摘要). `system` is the
    publication window closing (publish_due), with no person acting."""
    letter = lock(type(letter), letter.pk)
    if not system:
        require_may(letter, "publish", actor)
    at = at or timezone.now()
    if isinstance(letter, Reply):
        letter.search_grams = public_grams(letter)
        letter.title_grams = bigrams.stored(letter.title, letter.assignment.proposal.title)
    fire(
        letter,
        "publish",
        by=actor,
        at=at,
        logged_at=at,
        check_perm=not system,
        log_comment=_("公开期限届满，自动公开") if system else "",
        refusal=_("只有已发出且公开属性为主动公开的函件可以公开。"),
    )
    return letter


def public_grams(reply):
    """Search pieces of what the public will read: the titles and the text or its summary."""
    text = reply.summary if reply.disclosure == Disclosure.SUMMARY else reply.body
    return bigrams.stored(reply.title, reply.assignment.proposal.title, text)


@transaction.atomic
def withdraw_publication(letter, actor, reason):
    """撤回公开: the office takes a published letter off the public site."""
    if not reason.strip():
        raise ActionRefused(_("撤回公开必须说明理由。"))
    letter = lock(type(letter), letter.pk)
    require_may(letter, "withdraw", actor)
    fire(letter, "withdraw", by=actor, log_comment=reason)
    return letter
