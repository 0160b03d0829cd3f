"""The one way a state changes: check, transition, save, log — inside the caller's transaction.

Every workflow verb (workflow.actions, responses.actions) locks its row and calls `fire`;
a verb that writes without a transition (an edit, an attachment, a contact, a membership)
calls `log`; the bulk writers (Excel import, deadline recompute) build rows with `entry`
and write them with `log_many`. Nothing else creates a TransitionLog row, so every row is a
link of its subject's hash chain (auditchain). tests/workflow/test_every_verb_logs.py lists
every public verb and checks that each writes its row.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from .auditchain import link
from .models import TransitionLog


class ActionRefused(Exception):
    """A rule refused the action; the message says which rule and what to do instead."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = str(message)
        self.field = field  # the form field whose value the rule refused, for the message

    def __str__(self):
        return self.message


def proposal_id_of(obj):
    if obj._meta.model_name == "proposal":
        return obj.pk
    if hasattr(obj, "proposal_id"):
        return obj.proposal_id
    if hasattr(obj, "assignment_id"):
        return obj.assignment.proposal_id
    return None  # not one item's (an Excel import of many)


def entry(content_type, object_id, proposal_id, actor, name, source, target, comment="", at=None):
    """One unsaved log row, for `log_many` (a bulk writer that has ids, not objects)."""
    return TransitionLog(
        at=at or timezone.now(),
        content_type=content_type,
        object_id=object_id,
        proposal_id=proposal_id,
        actor=actor if actor is not None and actor.is_authenticated else None,
        transition=name,
        source=source,
        target=target,
        comment=comment,
    )


def log(obj, name, actor, source, target, comment="", at=None):
    """The one audit row of a verb about `obj`. `at` is when it happened, for verbs told so
    (imports of past letters, the demo)."""
    row = entry(
        ContentType.objects.get_for_model(obj),
        obj.pk,
        proposal_id_of(obj),
        actor,
        name,
        source,
        target,
        comment,
        at,
    )
    link([row])
    row.save(force_insert=True)
    return row


def log_many(rows, new_subjects=False, batch_size=1000):
    """Write many `entry` rows (in the order they happened) in one insert per batch, each
    chained to its subject's last row. `new_subjects`: every subject was created in this
    transaction (an import), so no chain head is looked up (see auditchain.link)."""
    return TransitionLog.objects.bulk_create(
        link(list(rows), new_subjects=new_subjects), batch_size=batch_size
    )


def fire(
    obj, name, *, by, log_comment="", check_perm=True, refusal=None, logged_at=None, **arguments
):
    """Run transition `name` on a locked `obj` as `by`, save it and write its one log row.

    The transition's own arguments are passed by keyword, under the names of its
    `@transition` method, so a call reads without opening the model:
    `fire(transfer, "approve", by=actor, user=actor, at=at, comment=comment,
    log_comment=comment)`. fire's own arguments are named so no transition's can be taken
    for them: `log_comment` is the log row's comment, `logged_at` its time when that is not
    now (past letters, the demo). `check_perm=False` is for transitions no person fires
    directly: the workflow advances them as the consequence of another verb whose
    permission was already checked.
    """
    method = getattr(obj, name)
    if check_perm:
        require_may(obj, name, by)  # who acts, before anything about the object is said
    if not can_proceed(method):
        raise ActionRefused(
            refusal
            or _("“%(object)s”当前状态为“%(state)s”，不能执行此操作。")
            % {"object": obj, "state": obj.get_state_display()}
        )
    if check_perm and not has_transition_perm(method, by):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    source = obj.state
    result = method(**arguments)
    obj.save()
    log(obj, name, by, source, obj.state, log_comment, at=logged_at)
    return result


def may_act(obj, name, actor):
    """Whether `actor` is among those who may fire transition `name` on `obj` at all,
    whatever state it is in now: the transition's permission, asked of the transition
    leaving the current state, or of any if none does (they share one permission)."""
    meta = getattr(obj, name)._django_fsm
    transition = meta.get_transition(meta.field.get_state(obj))
    if transition is None:
        transition = next(iter(meta.transitions.values()), None)
    return transition is not None and transition.has_perm(obj, actor)


def require_may(obj, name, actor):
    """Asked first by every verb: someone who may not act on the object is told only that
    (403), never its state, its blockers or its content."""
    if not may_act(obj, name, actor):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def lock(model, pk):
    """Re-read the row under a lock: the state we check is the state we change."""
    return model.objects.select_for_update().get(pk=pk)
