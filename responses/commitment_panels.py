"""The reads behind the commitment panels (承诺事项) of the staff's pages: the letter editor's
(a 正在解决/计划解决 reply's commitments, as found and as confirmed; a follow-up reply's
report on each), and the item page's (each sent reply's commitments with their state, due
date and progress, and what the viewer may do with each, asked of the machine through
`workflow.selectors.may`). A fixed number of queries whatever the number of commitments."""

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404

from workflow.models import Assignment, Unit
from workflow.selectors import may

from .actions.commitments import solved_refusal
from .commitment_forms import CommitmentForm, ReportForm
from .models import Commitment, CommitmentNote, CommitmentState, LetterState, Reply
from .models.commitment_states import CLOSED_STATES


def item_reads():
    """What the item page prefetches on its replies for the panel: the confirmed commitments
    with their units and progress notes (`confirmed_commitments`)."""
    notes = Prefetch("notes", CommitmentNote.objects.select_related("author"))
    return Prefetch(
        "commitments",
        Commitment.objects.confirmed().select_related("unit").prefetch_related(notes),
        to_attr="confirmed_commitments",
    )


def with_commitments(letters):
    """The leader's queue: the commitments the pre-flight check and the page read, fetched
    once for all its letters: a reply's own, a follow-up reply's reported ones (no query when
    none of the letters has any to read)."""
    replies = [letter for letter in letters if isinstance(letter, Reply)]
    prefetch_related_objects(
        # every reply: one whose class changed since must shed what it confirmed
        [r for r in replies if r.kind == Reply.Kind.REPLY],
        Prefetch("commitments", Commitment.objects.select_related("unit")),
    )
    prefetch_related_objects(
        [r for r in replies if r.kind == Reply.Kind.FOLLOW_UP],
        Prefetch("reported_commitments", Commitment.objects.select_related("unit")),
    )
    return letters


def commitment_or_404(roles, pk):
    """A commitment for those it concerns: the unit that replied, the unit that delivers and
    the item's office. Anyone else is told nothing of it."""
    commitment = (
        Commitment.objects.select_related("reply__assignment__proposal__session", "unit")
        .filter(pk=pk)
        .first()
    )
    if commitment is None or not (
        roles.in_unit(commitment.reply.assignment.unit_id)
        or roles.in_unit(commitment.unit_id)
        or roles.is_office_for(commitment.reply.assignment.proposal.session.jurisdiction_id)
    ):
        raise Http404
    return commitment


# ---- the letter editor ----------------------------------------------------------------------
def handling_units(reply):
    """The item's handling units ({pk: unit}), the replying unit first: who may deliver."""
    current = Assignment.objects.current().filter(proposal_id=reply.assignment.proposal_id)
    units = Unit.objects.filter(assignments__in=current).distinct()
    ordered = sorted(units, key=lambda u: (u.pk != reply.assignment.unit_id, u.name))
    return {unit.pk: unit for unit in ordered}


def editor_panel(reply, refused=None):
    """The editor's 承诺事项 panel of a reply; `refused`, a form the verb refused, stands in
    for the one it replaces (its errors beside its fields, what was typed kept)."""
    if not isinstance(reply, Reply):
        return {"panel": None}
    if reply.kind == Reply.Kind.FOLLOW_UP:
        return {"panel": _report_panel(reply, refused)}
    return {"panel": _promise_panel(reply, refused)}


def _promise_panel(reply, refused):
    rows = list(reply.commitments.select_related("unit"))
    panel = {"kind": "promises", "letter": reply, "editable": reply.is_editable}
    if not rows and not reply.promises_work():
        return panel | {"shown": False}
    # Made (suggested, added, confirmed) only while the reply promises work, as the verbs
    # ask; left over from another result class, they may only be deleted.
    making = reply.is_editable and reply.promises_work()
    units = handling_units(reply) if making else {}
    forms = {c.pk: CommitmentForm.of(c, units) for c in rows} if making else {}
    add_form = CommitmentForm(units=units, prefix="new", initial={"due_kind": "date"})
    if refused is not None:
        if refused.prefix == "new":
            add_form = refused
        else:
            forms[int(refused.prefix[1:])] = refused
    return panel | {
        "shown": True,
        "making": making,
        "rows": [{"commitment": c, "form": forms.get(c.pk)} for c in rows],
        "add_form": add_form if making else None,
        "candidates": sum(1 for c in rows if c.state == CommitmentState.CANDIDATE),
    }


def _report_panel(follow_up, refused):
    editable = follow_up.is_editable
    # While drafted: what it may report, and what it reports though no longer reportable
    # (dropped meanwhile), to be taken out (report_commitment allows that always).
    if editable:
        reportable = Commitment.objects.reportable(follow_up.assignment)
        rows = Commitment.objects.filter(Q(pk__in=reportable) | Q(follow_up=follow_up))
        rows = list(rows.select_related("unit", "reply"))
    else:  # what it reported, as it said it (a later follow-up may report them again)
        rows = []
        reports = follow_up.commitment_reports.select_related(
            "commitment__unit", "commitment__reply"
        )
        for report in reports:
            commitment = report.commitment
            commitment.outcome, commitment.outcome_note = report.outcome, report.note
            rows.append(commitment)
    forms = {c.pk: ReportForm.of(c, follow_up) for c in rows} if editable else {}
    if refused is not None:
        forms[int(refused.prefix[1:])] = refused
    return {
        "kind": "report",
        "shown": True,
        "letter": follow_up,
        "editable": editable,
        "rows": [{"commitment": c, "form": forms.get(c.pk)} for c in rows],
    }


# ---- the item page --------------------------------------------------------------------------
def item_panel(roles, context, refused=None):
    """The item page's 承诺事项: each sent reply's confirmed commitments (prefetched by
    `item_reads`) with the steps the viewer may take on each; per unit of the viewer's, the
    follow-up replies (跟踪办理答复) it drafts. `refused` = (commitment pk, step, field,
    message, typed) puts a refused form back as typed."""
    replies = context["replies"]
    for reply in replies:  # all of this item: the permission questions read it, not a query
        reply.assignment.proposal = context["proposal"]
    by_pk = {r.pk: r for r in replies}
    groups = [
        _reply_group(roles, r, by_pk, refused)
        for r in replies
        if r.kind == Reply.Kind.REPLY and r.is_sent and getattr(r, "confirmed_commitments", [])
    ]
    follow_ups = [
        _follow_up_panel(roles, panel["assignment"], replies)
        for panel in context["mine"]
        if panel["assignment"].replies_to_proposer
    ]
    return {
        "commitment_groups": groups,
        "follow_ups": [f for f in follow_ups if f["shown"]],
    }


def _reply_group(roles, reply, by_pk, refused):
    is_office = roles.is_office_for(reply.assignment.proposal.session.jurisdiction_id)
    states = {c.state for c in reply.confirmed_commitments}
    return {
        "reply": reply,
        "rows": [_row(roles, c, by_pk, refused) for c in reply.confirmed_commitments],
        "may_mark_solved": is_office and solved_refusal(reply) is None,
        # all closed, one dropped: the office is told why 转为已解决 is not offered
        "closed_with_drop": is_office
        and CommitmentState.DROPPED in states
        and states <= CLOSED_STATES,
        "converted": reply.converted_on,
    }


def _row(roles, commitment, by_pk, refused):
    commitment.reply = by_pk[commitment.reply_id]  # its reply, read once for the page
    if commitment.follow_up_id in by_pk:  # read by request_drop's condition
        commitment.follow_up = by_pk[commitment.follow_up_id]
    mine = refused if refused and refused[0] == commitment.pk else None
    return {
        "commitment": commitment,
        "notes": list(commitment.notes.all()),
        "follow_up": by_pk.get(commitment.follow_up_id),
        # note_progress: while tracked (a drop asked for too), by deliver's permission
        # (is_unit_member: the delivering unit).
        "may_note": commitment.is_tracked and roles.in_unit(commitment.unit_id),
        "may_drop": may(roles, commitment, "request_drop"),
        "may_decide": may(roles, commitment, "approve_drop"),
        "refused": {"step": mine[1], "field": mine[2], "message": mine[3], "typed": mine[4]}
        if mine
        else None,
    }


def _follow_up_panel(roles, assignment, replies):
    """跟踪办理答复 of one of the viewer's units: the draft to continue, the one with the
    leader, the signed one to send, or a button to start one when there is something to
    report (start_follow_up asks the same)."""
    own = [
        r for r in replies if r.assignment_id == assignment.pk and r.kind == Reply.Kind.FOLLOW_UP
    ]
    current = next((r for r in reversed(own) if not r.is_sent), None)
    # A draft is continued; one with the leader (or signed) waits to be sent.
    reportable = Commitment.objects.reportable(assignment)
    may_start = (current is None or current.is_editable) and reportable.exists()
    return {
        "assignment": assignment,
        "current": current,
        "may_send": current is not None
        and current.state == LetterState.SIGNED
        and may(roles, current, "send"),
        "may_start": may_start and roles.in_unit(assignment.unit_id),
        "shown": current is not None or may_start,
    }
