"""承诺事项: the verbs that make a reply's commitments and track them until delivered.

While the reply is drafted, its unit finds candidates in the text (suggest_commitments),
confirms, edits or rejects each, or adds one by hand. Once the reply is sent the commitment is
tracked: the unit notes progress, a follow-up reply (跟踪办理答复, start_follow_up) reports it
delivered or partly delivered and closes it when sent (close_reported, from send_letter), or
the unit asks to drop it with a reason and the office decides. When every commitment of a
正在解决/计划解决 reply is delivered, the office may move the reply's result to 已解决
(mark_solved), so converted items are counted.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals.classification import PROMISING_BUCKETS, Bucket
from workflow import deadlines, notices
from workflow.audit import ActionRefused, fire, lock, log, require_may
from workflow.models import Assignment
from workflow.permissions import require_office, require_unit_member

from ..commitment_text import candidates
from ..models import (
    Commitment,
    CommitmentNote,
    CommitmentReport,
    CommitmentState,
    DueKind,
    LetterState,
    LookBack,
    Outcome,
    Reply,
)
from ..models.commitment_states import CONFIRMED_STATES, REPORTABLE_STATES, STANDING_STATES
from ..models.commitments import (
    FIRST_LOOK_BACK_YEAR,
    due_for_look_back,
    last_look_back_year,
    not_being_reported,
    reply_sent,
)
from .drafting import _fill_placeholders, _letter_defaults, _still_editable


def _editable_reply(reply, actor):
    reply = lock(Reply, reply.pk)
    require_unit_member(actor, reply.assignment.unit)
    return _still_editable(reply)


def _promising_reply(reply, actor):
    """Commitments are made (suggested, added, confirmed) on a reply, not a follow-up, whose
    result class promises work (正在解决/计划解决: Reply.promises_work); the editor shows
    the panel for those only. Any left over from another class may only be deleted."""
    reply = _editable_reply(reply, actor)
    if not reply.promises_work():
        raise ActionRefused(
            _("只有办理结果为正在解决或计划解决的答复可以列明承诺事项，请先选择办理结果类别。")
        )
    return reply


def _due(reply, due_kind, promised_on):
    """The deadline of a promise made in `reply`: not before the reply was drafted (its own
    day, not today: past replies are recorded too), nor more than ten years after it."""
    if due_kind not in DueKind.values:
        raise ActionRefused(_("请选择完成时限类型。"), "due_kind")
    if promised_on is None:
        raise ActionRefused(_("请填写承诺完成时间。"), "promised_on")
    due_on = deadlines.commitment_due(promised_on, due_kind, deadlines.WorkingCalendar())
    written_on = timezone.localdate(reply.created_at)
    # A quarter or a year promised is any day of it: its last day counts.
    last_day = promised_on if due_kind == DueKind.DATE else due_on
    if last_day < written_on:
        raise ActionRefused(
            _("承诺完成时间不能早于答复起草日期（%(date)s）。") % {"date": written_on},
            "promised_on",
        )
    if promised_on > deadlines.latest_promise(written_on):
        raise ActionRefused(
            _("承诺完成时间不能晚于答复起草后%(n)d年。") % {"n": deadlines.PROMISED_WITHIN_YEARS},
            "promised_on",
        )
    return due_on


def _clean_what(what):
    what = " ".join((what or "").split())
    if not what:
        raise ActionRefused(_("请填写承诺内容。"), "what")
    if len(what) > 500:
        raise ActionRefused(_("承诺内容不超过500字。"), "what")
    return what


def _require_tracked(commitment):
    """Progress, drops and their decisions are for tracked commitments: a reply's, once
    it was sent (Commitment.is_tracked; the item page offers them on sent replies only)."""
    if not reply_sent(commitment):
        raise ActionRefused(_("答复发出后方可跟踪该承诺事项（登记进展、申请或审批撤销）。"))


def _unit_of(reply, unit):
    """The unit that will deliver: the replying unit, or another unit of the same item."""
    if unit is None:
        return reply.assignment.unit
    # Current assignments only: a unit the item was transferred away from delivers nothing.
    units = Assignment.objects.current().filter(proposal_id=reply.assignment.proposal_id)
    if not units.filter(unit=unit).exists():
        raise ActionRefused(_("落实单位须为该件的承办单位。"), "unit")
    return unit


@transaction.atomic
def suggest_commitments(reply, actor, at=None):
    """候选: the dated and undated promises found in the reply's text, as candidates, each
    once (a sentence already a commitment of this reply is not suggested again)."""
    reply = _promising_reply(reply, actor)
    written_on = reply.letter_date or timezone.localdate(at)
    known = set(reply.commitments.values_list("source_text", flat=True))
    position = reply.commitments.count()
    made = []
    for found in candidates(reply.body, written_on, skip=known):
        if found.source_text in known:
            continue
        position += 1
        made.append(
            Commitment(
                reply=reply,
                unit=reply.assignment.unit,
                what=found.what,
                source_text=found.source_text,
                due_kind=found.due_kind or DueKind.DATE,
                promised_on=found.promised_on,
                position=position,
                created_by=actor,
            )
        )
    for commitment in made:  # at most commitment_text.MAX_CANDIDATES
        commitment.save()
        log(
            commitment,
            "suggest_commitments",
            actor,
            "",
            commitment.state,
            found_in(commitment),
            at=at,
        )
    return made


def found_in(commitment):
    return commitment.source_text[:500]


@transaction.atomic
def add_commitment(reply, actor, *, what, due_kind, promised_on, unit=None):
    """A commitment the clerk writes by hand: confirmed as written."""
    reply = _promising_reply(reply, actor)
    what, unit = _clean_what(what), _unit_of(reply, unit)
    due_on = _due(reply, due_kind, promised_on)
    commitment = Commitment.objects.create(
        reply=reply,
        unit=unit,
        what=what,
        due_kind=due_kind,
        promised_on=promised_on,
        position=reply.commitments.count() + 1,
        created_by=actor,
    )
    _refuse_twin(commitment)  # a second submit of the same form: refused, the row rolled back
    log(commitment, "add_commitment", actor, "", commitment.state)
    fire(
        commitment,
        "confirm",
        by=actor,
        due_on=due_on,
        log_comment=what,
        check_perm=False,  # the replying unit's clerk, asked above; it may name another unit
    )
    return commitment


@transaction.atomic
def confirm_commitment(commitment, actor, *, what, due_kind, promised_on, unit=None, at=None):
    """确认 a candidate (as found or as edited), or edit a confirmed one, while its reply is
    drafted: what, by whom, by when."""
    commitment = lock(Commitment, commitment.pk)
    reply = _promising_reply(commitment.reply, actor)
    commitment.what = _clean_what(what)
    commitment.unit = _unit_of(reply, unit)
    due_on = _due(reply, due_kind, promised_on)
    commitment.due_kind, commitment.promised_on = due_kind, promised_on
    _refuse_twin(commitment)  # edited into another of the reply's: one of them is enough
    if commitment.state == CommitmentState.CANDIDATE:
        fire(
            commitment,
            "confirm",
            by=actor,
            due_on=due_on,
            log_comment=commitment.what,
            logged_at=at,
            check_perm=False,  # as in add_commitment: the replying unit's, asked above
        )
        return commitment
    commitment.due_on = due_on
    commitment.save()
    log(commitment, "edit_commitment", actor, commitment.state, commitment.state, what, at=at)
    return commitment


@transaction.atomic
def reject_commitment(commitment, actor):
    """删除 a candidate that is no promise, or a confirmed one while the reply is drafted."""
    commitment = lock(Commitment, commitment.pk)
    reply = _editable_reply(commitment.reply, actor)
    log(reply, "reject_commitment", actor, commitment.state, "", commitment.what[:500])
    commitment.delete()


@transaction.atomic
def note_progress(commitment, actor, text, at=None):
    """进展: the unit's note on a tracked commitment. `at`: when, if not now (the demo)."""
    commitment = lock(Commitment, commitment.pk)
    require_may(commitment, "deliver", actor)
    _require_tracked(commitment)
    if commitment.state not in STANDING_STATES:
        raise ActionRefused(_("该承诺事项已办结，不能再登记进展。"))
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("请填写进展情况。"), "text")
    if (same := _same_note_lately(commitment, actor, text[:2000], at)) is not None:
        return same  # a second submit of the same note: the first stands
    note = CommitmentNote.objects.create(commitment=commitment, text=text[:2000], author=actor)
    if at is not None:
        CommitmentNote.objects.filter(pk=note.pk).update(created_at=at)
    log(commitment, "note_progress", actor, commitment.state, commitment.state, text[:500], at=at)
    return note


@transaction.atomic
def request_drop(commitment, actor, reason, at=None):
    """申请撤销: the unit says why the promise cannot be kept; the office decides."""
    commitment = lock(Commitment, commitment.pk)
    require_may(commitment, "request_drop", actor)
    _require_tracked(commitment)
    if not not_being_reported(commitment):
        raise ActionRefused(
            _(
                "该承诺事项已由尚未发出的跟踪办理答复报告落实情况，不能申请撤销："
                "请先在该跟踪办理答复中将其改为“不报告”。"
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("申请撤销须写明理由。"), "reason")
    fire(
        commitment,
        "request_drop",
        by=actor,
        reason=reason[:2000],
        log_comment=reason[:500],
        logged_at=at,
    )
    return commitment


@transaction.atomic
def decide_drop(commitment, actor, *, approve, comment=""):
    """The office approves the drop (已撤销) or refuses it (back to 落实中)."""
    commitment = lock(Commitment, commitment.pk)
    name = "approve_drop" if approve else "refuse_drop"
    require_may(commitment, name, actor)
    _require_tracked(commitment)
    if not approve and not comment.strip():
        raise ActionRefused(_("不同意撤销时请写明意见。"), "comment")
    fire(commitment, name, by=actor, log_comment=comment[:500])
    return commitment


# ---- 跟踪办理答复 -----------------------------------------------------------------------------
@transaction.atomic
def start_follow_up(assignment, actor, at=None):
    """A follow-up reply of the unit, to report standing commitments of its sent replies;
    the open draft if there is one."""
    assignment = lock(Assignment, assignment.pk)
    require_unit_member(actor, assignment.unit)
    if not Commitment.objects.reportable(assignment).exists():
        raise ActionRefused(_("该件没有待落实的承诺事项，无需跟踪办理答复。"))
    existing = assignment.replies.filter(
        kind=Reply.Kind.FOLLOW_UP, state__in=[LetterState.DRAFT, LetterState.RETURNED]
    ).first()
    if existing is not None:
        return existing
    waiting = assignment.replies.filter(
        kind=Reply.Kind.FOLLOW_UP, state__in=[LetterState.SUBMITTED, LetterState.SIGNED]
    )
    if waiting.exists():
        raise ActionRefused(_("已有一份跟踪办理答复在审签中，请待其发出后再起草。"))
    proposal = assignment.proposal
    reply = Reply.objects.create(
        **_letter_defaults(assignment, actor),
        kind=Reply.Kind.FOLLOW_UP,
        title=notices.in_site_language(  # the letter's words, whatever the page's language
            lambda: _("关于%(ref)s办理情况的跟踪答复") % {"ref": proposal.reference}
        ),
        addressee=assignment.replies.filter(kind=Reply.Kind.REPLY)
        .order_by("-round")
        .values_list("addressee", flat=True)
        .first()
        or "",
        created_at=at or timezone.now(),
    )
    _fill_placeholders(reply)
    log(reply, "draft_follow_up", actor, "", reply.state, at=at)
    return reply


@transaction.atomic
def report_commitment(follow_up, commitment, actor, *, outcome, note="", at=None):
    """The follow-up reply reports this commitment as delivered or partly delivered (or, with
    an empty outcome, no longer reports it)."""
    follow_up = _editable_reply(follow_up, actor)
    commitment = lock(Commitment, commitment.pk)
    reportable = Commitment.objects.reportable(follow_up.assignment)
    # Taking a commitment out of this draft's report is always allowed (it may have been
    # closed or dropped meanwhile); reporting it needs it reportable.
    unreporting = not outcome and commitment.follow_up_id == follow_up.pk
    if follow_up.kind != Reply.Kind.FOLLOW_UP or not (
        unreporting or reportable.filter(pk=commitment.pk).exists()
    ):
        raise ActionRefused(_("该承诺事项不能由此跟踪办理答复报告。"))
    if outcome and outcome not in Outcome.values:
        raise ActionRefused(_("请选择落实情况。"), "outcome")
    note = (note or "").strip()[:2000]
    if outcome:
        CommitmentReport.objects.update_or_create(
            follow_up=follow_up, commitment=commitment, defaults={"outcome": outcome, "note": note}
        )
    else:
        CommitmentReport.objects.filter(follow_up=follow_up, commitment=commitment).delete()
    # The commitment repeats its latest report: this draft's, or, taken out of it, the last
    # sent follow-up's (kept on its own row, never rewritten by a later follow-up).
    latest = commitment.reports.order_by("-follow_up_id").first()
    commitment.follow_up_id = latest.follow_up_id if latest else None
    commitment.outcome = latest.outcome if latest else ""
    commitment.outcome_note = latest.note if latest else ""
    commitment.save(update_fields=["follow_up", "outcome", "outcome_note", "updated_at"])
    reported = f"{outcome or '-'} {note}"[:500]  # read back by letters.reported_comment
    log(commitment, "report_commitment", actor, commitment.state, commitment.state, reported, at=at)
    return commitment


def close_reported(follow_up, actor, at):
    """Inside send_letter: the sent follow-up reply closes what it reports, delivered on the
    day it was sent (on time or late against the due date)."""
    on = timezone.localdate(at)
    rows = Commitment.objects.select_for_update().filter(follow_up=follow_up)
    # Only what may still be closed (the follow-up's blockers refuse the rest before sign-off).
    rows = rows.filter(state__in=REPORTABLE_STATES)
    for commitment in rows:
        name = "deliver" if commitment.outcome == Outcome.DELIVERED else "deliver_partly"
        fire(
            commitment,
            name,
            by=actor,
            on=on,
            check_perm=False,
            log_comment=commitment.outcome_note[:500],
            logged_at=at,
        )


# ---- 转为已解决 -------------------------------------------------------------------------------
@transaction.atomic
def mark_solved(reply, actor, at=None):
    """The office moves a 正在解决/计划解决 reply to 已解决 once every commitment it made is
    delivered: counted as converted (B/C→A) in the statistics."""
    reply = lock(Reply, reply.pk)
    require_office(actor, reply.assignment.proposal.session.jurisdiction)
    refusal = solved_refusal(reply)
    if refusal:
        raise ActionRefused(refusal)
    before = reply.result_bucket
    reply.bucket_before_conversion = before
    reply.result_bucket = Bucket.SOLVED
    reply.converted_on = timezone.localdate(at)
    reply.save(update_fields=["bucket_before_conversion", "result_bucket", "converted_on"])
    log(reply, "mark_solved", actor, before, Bucket.SOLVED, at=at)
    return reply


def solved_refusal(reply):
    """Why the office may not mark this reply solved yet; None when it may."""
    if reply.kind != Reply.Kind.REPLY or reply.result_bucket not in PROMISING_BUCKETS:
        return _("只有办理结果为正在解决或计划解决的答复可以转为已解决。")
    if not reply.is_sent:
        return _("答复尚未发出。")
    # The item page prefetched them (commitment_panels.item_reads); a verb asks the table.
    confirmed = getattr(reply, "confirmed_commitments", None)
    if confirmed is None:
        confirmed = reply.commitments.filter(state__in=CONFIRMED_STATES)
    states = [c.state for c in confirmed]
    if not states or any(state != CommitmentState.DELIVERED for state in states):
        return _("该答复的承诺事项尚未全部落实。")
    return None


# ---- 回头看 -----------------------------------------------------------------------------------
@transaction.atomic
def record_look_back(reply, actor, year, recurred, note="", at=None):
    """回头看: the office records, once a year, whether the problem of an item whose
    commitments were all delivered one to two years before came back."""
    reply = lock(Reply, reply.pk)
    require_office(actor, reply.assignment.proposal.session.jurisdiction)
    if not FIRST_LOOK_BACK_YEAR <= year <= last_look_back_year(timezone.localdate(at)):
        raise ActionRefused(
            _("回头看的年度须在%(first)d年至今年之间。") % {"first": FIRST_LOOK_BACK_YEAR}, "year"
        )
    if not due_for_look_back(Reply.objects.filter(pk=reply.pk), year).exists():
        raise ActionRefused(_("该答复不在%(year)d年度回头看的范围内。") % {"year": year})
    if LookBack.objects.filter(reply=reply, year=year).exists():
        raise ActionRefused(_("该件%(year)d年度的回头看已经记录。") % {"year": year})
    note = (note or "").strip()[:2000]
    record = LookBack.objects.create(
        reply=reply, year=year, recurred=bool(recurred), note=note, recorded_by=actor
    )
    outcome = _("问题反弹") if recurred else _("未反弹")
    log(
        reply,
        "record_look_back",
        actor,
        reply.state,
        reply.state,
        f"{year} {outcome} {note}"[:500],
        at=at,
    )
    return record


# ---- double submits ----------------------------------------------------------------------------
SAME_NOTE_WITHIN = timedelta(seconds=60)


def _refuse_twin(commitment):
    """add_commitment: the reply has this very commitment already (what, unit, due)."""
    twins = Commitment.objects.filter(
        reply_id=commitment.reply_id,
        what=commitment.what,
        unit_id=commitment.unit_id,
        due_kind=commitment.due_kind,
        promised_on=commitment.promised_on,
    ).exclude(pk=commitment.pk)
    if twins.exists():
        raise ActionRefused(_("该答复已有相同的承诺事项。"), "what")


def _same_note_lately(commitment, actor, text, at=None):
    """note_progress: the same note by the same person on this commitment in the last minute
    (a second click, a resent form), or None."""
    now = at or timezone.now()
    return (
        CommitmentNote.objects.filter(
            commitment=commitment,
            author=actor,
            text=text,
            created_at__gte=now - SAME_NOTE_WITHIN,
            created_at__lte=now,
        )
        .order_by("-created_at", "-id")
        .first()
    )
