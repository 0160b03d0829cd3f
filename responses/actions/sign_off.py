"""签发 or 退回修改: the unit's leader signs the submitted letter (four eyes) or returns it with
comments. (The electronic seal on the sent PDF is responses/signing.py.)
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import notices
from workflow.audit import ActionRefused, fire, lock, require_may

from ..models import LetterState
from ..permissions import is_unit_leader
from .numbering import allocate_doc_number, series_of


@transaction.atomic
def return_letter(letter, actor, comment, seen_revision=None):
    """退回修改 with the leader's comments, shown to the drafter."""
    if not comment.strip():
        raise ActionRefused(_("退回时请写明修改意见。"))
    letter = lock(type(letter), letter.pk)
    require_may(letter, "return_for_revision", actor)
    _require_seen(letter, seen_revision)
    fire(letter, "return_for_revision", by=actor, comment=comment, log_comment=comment)
    _announce_returned(letter, actor, comment)
    return letter


def _announce_returned(letter, actor, comment):
    """退回修改 reaches whoever sent this submission up (its drafter when no one else did),
    with the leader's comment. Each submission is a revision, so a second return is a new
    notice."""
    revision = letter.revisions.order_by("-number").select_related("submitted_by").first()
    drafter = revision.submitted_by if revision else letter.drafted_by
    proposal = letter.assignment.proposal
    notices.announce(
        notices.Event.DRAFT_RETURNED,
        subject=f"{letter._meta.model_name}:{letter.pk}:{revision.number if revision else 0}",
        title=lambda: (
            _("稿件被退回：%(ref)s %(title)s") % {"ref": proposal.reference, "title": letter.title}
        ),
        body=lambda: (
            _("%(leader)s退回修改，意见：%(comment)s") % {"leader": actor, "comment": comment}
        ),
        link=reverse("letter", args=[letter._meta.model_name, letter.pk]),
        person=drafter,
    )


def _require_seen(letter, seen_revision):
    """Optimistic check: the leader acts on the submission they were shown. If the letter was
    returned and submitted again meanwhile (another leader, the clerk), they must look again."""
    if seen_revision is None or letter.state != LetterState.SUBMITTED:
        return
    latest = letter.revisions.order_by("-number").values_list("number", flat=True).first()
    if latest is not None and latest != seen_revision:
        raise ActionRefused(
            _("该函已重新送审为第%(latest)s稿（您看到的是第%(seen)s稿），请刷新页面审阅新稿。")
            % {"latest": latest, "seen": seen_revision}
        )


@transaction.atomic
def sign_letter(letter, actor, at=None, seen_revision=None):
    """签发: by a leader of the unit who wrote none of it (four eyes: Letter.may_sign)."""
    letter = lock(type(letter), letter.pk)
    if not is_unit_leader(letter, actor):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    refusal = letter.four_eyes_refusal(actor)
    if refusal:
        raise ActionRefused(refusal)
    _require_seen(letter, seen_revision)
    blockers = letter.sign_blockers()
    if letter.state == LetterState.SUBMITTED and blockers:
        raise ActionRefused(" ".join(str(b) for b in blockers))
    at = at or timezone.now()
    fire(
        letter,
        "sign",
        by=actor,
        signer=actor,
        at=at,
        logged_at=at,
        refusal=_("该函已由他人处理（当前状态：%(state)s），请刷新页面。")
        % {"state": letter.get_state_display()},
    )
    if (
        letter.assignment.proposal.session.jurisdiction.number_at == "sign"
        and not letter.doc_number
    ):
        letter.doc_number = allocate_doc_number(
            letter.assignment.unit, series_of(letter), timezone.localdate(at).year
        )
        letter.save(update_fields=["doc_number"])
    return letter
