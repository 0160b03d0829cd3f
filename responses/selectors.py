"""The reads behind responses' pages, in one place: what each page shows, with a fixed
number of queries per page whatever the number of rows; the visibility rules (drafts never
leave their unit); and which actions a page offers, asked of the machines (`may`,
workflow/selectors.py) so a page offers exactly what the verbs accept."""

import difflib

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import BooleanField, Case, F, Prefetch, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from proposals.classification import Bucket
from proposals.models import Proposal, ProposalProposer, ProposalState, Proposer, Session, User
from proposals.params import plain_int
from workflow import aging, deadlines
from workflow.models import (
    OPINION_OUTSTANDING_STATES,
    REPLYING_ROLES,
    Assignment,
    AssignmentState,
    Contact,
    Decision,
    Extension,
    Heartbeat,
    TransferRequest,
    TransitionLog,
    Unit,
    Urge,
)
from workflow.permissions import handles_reply, keeps_contacts, sees_contacts
from workflow.proposer_contacts import masked, masked_email
from workflow.selectors import may, may_assign, online_filing, review_choices

from . import commitment_panels, importer, links, textsearch
from .actions import LETTER_FIELDS
from .actions.numbering import next_doc_number, series_of
from .actions.past_letters import CONFIRMED_LETTER_FIELDS
from .forms import PastLetterForm
from .models import (
    ELECTRONIC_CHANNELS,
    Commitment,
    DeliveryState,
    Disclosure,
    Feedback,
    LetterImportState,
    LetterRevision,
    LetterState,
    LetterTemplate,
    Opinion,
    Reply,
)
from .permissions import handles_delivery
from .proposer_selectors import tell_commitments

# No deadline left to explain: re-routed elsewhere, or finished for good.
NO_DEADLINE = (AssignmentState.TRANSFERRED, AssignmentState.DONE)


# ---- the item page ---------------------------------------------------------------------------
def item_context(roles, pk, today):
    proposal = get_object_or_404(
        Proposal.objects.select_related("session__jurisdiction", "merged_into__session"), pk=pk
    )
    jurisdiction = proposal.session.jurisdiction
    is_office = roles.is_office_for(jurisdiction.pk)
    assignments = list(proposal.assignments.select_related("unit").order_by("round", "role", "id"))
    mine = [a for a in assignments if roles.in_unit(a.unit_id)]
    if not is_office and not mine:
        raise PermissionDenied(_("您所在单位未承办该件。"))
    replies, opinions = _item_letters(proposal, roles, jurisdiction.pk)
    contacts = _item_contacts(proposal, mine, is_office)
    approved, pending = _item_extensions(proposal)
    urges = _item_urges(proposal, assignments, today)
    cal = deadlines.WorkingCalendar()
    signatories = list(proposal.signatories.select_related("proposer"))
    return {
        **_item_proposers(roles, proposal, signatories, assignments, replies),
        "similar": textsearch.similar_items(proposal, roles),
        "explained": _explained(proposal, mine or assignments, approved, cal),
        "missing_years": cal.missing_years(*[a.due_on for a in assignments]),
        "proposal": proposal,
        "jurisdiction": jurisdiction,
        "is_office": is_office,
        "today": today,
        "assignments": assignments,
        "lead": next(
            (a for a in assignments if a.role == Assignment.Role.LEAD and a.is_current), None
        ),
        "mine": [_assignment_panel(roles, a, replies, opinions, pending, today) for a in mine],
        "opinions_due": _opinions_due(assignments, today),
        "replies": [_with_download(r, roles, is_office) for r in replies],
        "opinions": opinions,
        "contacts": contacts,
        "urges": urges,
        "urgeable": [a for a in assignments if a.is_urgeable] if is_office else [],
        "timeline": _timeline(
            proposal, assignments, contacts, urges, [*replies, *opinions], roles, is_office
        ),
        "transfers": _pending_transfers(proposal),
        "extensions": pending,
        "review_choices": review_choices(roles, proposal) if is_office else [],
        "online_filing": online_filing(roles, proposal) if is_office else None,
        "can_assign": is_office and may_assign(roles, proposal),
    }


def _item_letters(proposal, roles, jurisdiction_id):
    """The item's replies and opinions this person may see (Letter.is_visible_to)."""
    letter_related = ("assignment__unit", "signer", "drafted_by")
    replies = [
        r
        for r in Reply.objects.filter(assignment__proposal=proposal)
        .select_related(*letter_related)
        .prefetch_related(
            "attachments",
            Prefetch("feedback", Feedback.objects.select_related("proposer")),
            "deliveries",
            commitment_panels.item_reads(),
        )
        .order_by("round", "id")
        if r.is_visible_to(roles, jurisdiction_id)
    ]
    opinions = [
        o
        for o in Opinion.objects.filter(assignment__proposal=proposal)
        .select_related(*letter_related, "lead_unit")
        .prefetch_related("attachments")
        if o.is_visible_to(roles, jurisdiction_id)
    ]
    return replies, opinions


def _item_proposers(roles, proposal, signatories, assignments, replies):
    """What the item page shows of its proposers, and to whom (workflow.permissions): their
    contacts and each reply's delivery to them, their complaints of the round before, and
    whose contacts this person may record."""
    jurisdiction_id = proposal.session.jurisdiction_id
    is_office = roles.is_office_for(jurisdiction_id)
    shows_contacts = sees_contacts(is_office, roles.unit_ids, assignments)
    keepers = _contact_keepers(roles, signatories, assignments)
    for reply in replies:
        reply.delivery_rows = (
            _delivery_rows(reply, signatories, roles, jurisdiction_id, keepers)
            if shows_contacts
            else []
        )
    handles = handles_reply(is_office, roles.unit_ids, assignments)
    return {
        "signatories": signatories,
        "shows_contacts": shows_contacts,
        "contact_keepers": keepers,
        "earlier_feedback": earlier_feedback(replies, proposal.round) if handles else [],
    }


def _contact_keepers(roles, signatories, assignments):
    """The ids of the item's proposers whose contacts this person may record or correct
    (workflow.permissions.keeps_contacts, as update_proposer_contacts asks it)."""
    clerk_units = roles.clerk_unit_ids
    return {
        s.proposer_id
        for s in signatories
        if keeps_contacts(roles.is_office_for(s.proposer.jurisdiction_id), clerk_units, assignments)
    }


def _delivery_rows(reply, signatories, roles, jurisdiction_id, keepers):
    """A sent reply's delivery to each proposer, for the office and the unit that sent it
    (while it may see the proposers' contacts)."""
    unit_id = reply.assignment.unit_id
    if not reply.is_sent or not (roles.in_unit(unit_id) or roles.is_office_for(jurisdiction_id)):
        return []
    may_handle = handles_delivery(roles, unit_id, jurisdiction_id)
    return proposer_deliveries(reply, signatories, may_handle, keepers)


def earlier_feedback(replies, round_):
    """重新办理: the proposers' ratings and comments on the replies of the round before
    `round_`, shown at the top of a reopened item and its new draft (feedback prefetched)."""
    if round_ < 2:
        return []
    return [f for r in replies if r.round == round_ - 1 for f in r.feedback.all()]


def _item_contacts(proposal, mine, is_office):
    """The office sees every unit's contacts; a unit sees its own."""
    contacts = Contact.objects.filter(assignment__proposal=proposal).select_related(
        "proposer", "recorded_by", "assignment__unit"
    )
    if not is_office:
        contacts = contacts.filter(assignment__unit_id__in={a.unit_id for a in mine})
    return list(contacts)


def _pending_transfers(proposal):
    return list(
        TransferRequest.objects.filter(
            assignment__proposal=proposal, state=Decision.PENDING
        ).select_related("assignment__unit")
    )


def _item_urges(proposal, assignments, today):
    """The item's 催办, newest first; each assignment learns its unit's last one
    (`last_urge`), so the office sees a repeat before making it, and, while its unit may be
    urged (Assignment.is_urgeable, which `urge` asks), the message the form starts from."""
    urges = list(Urge.objects.filter(proposal=proposal).select_related("unit", "urged_by"))
    for assignment in assignments:
        assignment.last_urge = next((u for u in urges if u.unit_id == assignment.unit_id), None)
        assignment.urge_text = (
            aging.urge_text(proposal.shown_reference, assignment.due_on, today)
            if assignment.is_urgeable
            else None
        )
    return urges


def _item_extensions(proposal):
    """The item's approved extensions (they explain deadlines) and its pending ones."""
    rows = list(
        Extension.objects.filter(
            assignment__proposal=proposal, state__in=[Decision.APPROVED, Decision.PENDING]
        ).select_related("assignment__unit")
    )
    return (
        [e for e in rows if e.state == Decision.APPROVED],
        [e for e in rows if e.state == Decision.PENDING],
    )


def _explained(proposal, assignments, approved, cal):
    """How each assignment's deadline was reached, for those that still have one."""
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    return {
        a.pk: deadlines.explain(a, rules, cal, [e for e in approved if e.assignment_id == a.pk])
        for a in assignments
        if a.state not in NO_DEADLINE
    }


def _with_download(reply, roles, is_office):
    """The frozen files go to the office and the unit that sent the reply (see
    require_letter_access); the page offers the links to exactly those."""
    reply.downloadable = reply.sent_at is not None and (
        is_office or roles.in_unit(reply.assignment.unit_id)
    )
    return reply


def _opinions_due(assignments, today):
    """The last day the lead's reply waits for (Reply.blocking_opinions' rule, on the rows
    already read): the latest deadline of a co-handler's opinion still due; None if none."""
    return max(
        (
            a.due_on
            for a in assignments
            if a.role == Assignment.Role.CO
            and a.is_current
            and a.state in OPINION_OUTSTANDING_STATES
            and a.due_on
            and a.due_on >= today
        ),
        default=None,
    )


def _assignment_panel(roles, assignment, replies, opinions, pending_extensions, today):
    """What the viewer's own unit can do on its assignment right now: each flag is the
    question its verb asks first, put to the machine."""
    letters = [
        letter
        for letter in (replies if assignment.replies_to_proposer else opinions)
        if letter.assignment_id == assignment.pk and letter.round == assignment.round
    ]
    letter = letters[0] if letters else None
    # Writing: the states from which this unit's letter, once sent, moves the assignment on
    # (start_reply and start_opinion accept exactly these), and a letter that save_letter
    # still accepts: one with the leader (or signed) waits until it is returned.
    writing = can_proceed(assignment.mark_replied) or can_proceed(assignment.mark_opinion_sent)
    writing = writing and (letter is None or letter.is_editable)
    asked = any(e.assignment_id == assignment.pk for e in pending_extensions)
    can_send = letter is not None and may(roles, letter, "send")
    send_refusal = can_send and isinstance(letter, Reply) and letter.send_refusal()
    return {
        "assignment": assignment,
        "letter": letter,
        "returned": letter is not None and letter.state == LetterState.RETURNED,
        "can_accept": may(roles, assignment, "accept"),
        "can_transfer": may(roles, assignment, "request_transfer"),
        "can_contact": assignment.takes_contacts,
        "can_write": writing,
        # request_extension: a reply of the current round not yet sent, none pending
        "can_extend": can_proceed(assignment.mark_replied) and not asked,
        "can_send": can_send and not send_refusal,
        "send_refusal": send_refusal,
        "standing": aging.standing(assignment.due_on, today),
    }


def _timeline(proposal, assignments, contacts, urges, letters, roles, is_office):
    """Every transition and contact, oldest first; each assignment's rows name its unit
    (`assignment`), and rows of one moment list the lead, then co-handlers, then separate
    handlers. Another unit's letters appear only from the moment they were sent: their
    drafting stays inside that unit."""
    entries = _log_entries(proposal, {a.pk: a for a in assignments}, letters, roles, is_office)
    entries += [{"at": c.recorded_at, "kind": "contact", "row": c} for c in contacts]
    entries += [{"at": u.urged_at, "kind": "urge", "row": u} for u in urges]
    roles_in_order = list(Assignment.Role)
    return sorted(
        entries,
        key=lambda e: (
            e["at"],
            roles_in_order.index(e["assignment"].role) if e.get("assignment") else 0,
        ),
    )


def _log_entries(proposal, assignments, letters, roles, is_office):
    """The item's audit rows this person may read; `letters` are those visible to them. A
    commitment's rows (承诺事项) follow its reply: another unit reads them once it was sent."""
    visible_letters = {(letter._meta.model_name, letter.pk): letter for letter in letters}
    rows = list(
        TransitionLog.objects.filter(proposal=proposal).select_related("actor", "content_type")
    )
    replies_of = commitment_replies(rows)
    entries = []
    for row in rows:
        model = row.content_type.model
        if model in ("contact", "urge"):
            continue  # shown from their own records, with their details
        if model in ("reply", "opinion"):
            letter = visible_letters.get((model, row.object_id))
            if letter is None:
                continue
            if not (
                is_office or roles.in_unit(letter.assignment.unit_id)
            ) and row.transition not in ("send", "publish", "withdraw", "withhold"):
                continue
        if model == "commitment":
            letter = visible_letters.get(("reply", replies_of.get(row.object_id)))
            if letter is None or not (
                is_office
                or roles.in_unit(letter.assignment.unit_id)
                or (letter.sent_at and row.at >= letter.sent_at)
            ):
                continue
        entry = {"at": row.at, "kind": model, "row": row}
        if model == "assignment":
            entry["assignment"] = assignments.get(row.object_id)
        entries.append(entry)
    return entries


def commitment_replies(rows):
    """{commitment id: its reply's id} for the commitments the audit rows name (one query,
    none when they name none)."""
    ids = {row.object_id for row in rows if row.content_type.model == "commitment"}
    if not ids:
        return {}
    return dict(Commitment.objects.filter(pk__in=ids).values_list("pk", "reply_id"))


# ---- the letter editor ----------------------------------------------------------------------
def letter_initial(letter):
    """The editor form's values: the letter's own."""
    return {name: getattr(letter, name) for name in LETTER_FIELDS}


def _letter_earlier_feedback(letter):
    if not isinstance(letter, Reply) or letter.round < 2:
        return []
    return list(
        Feedback.objects.filter(
            reply__assignment_id=letter.assignment_id, reply__round=letter.round - 1
        ).select_related("proposer", "reply")
    )


def preflight_context(letter):
    """送审前检查 of an editable letter: every finding (Letter.preflight: the submit blockers,
    then the warnings) and whether 送审 is offered. The editor's page and each autosave's
    answer draw it from here."""
    if not letter.is_editable:
        return {"preflight": [], "may_submit": False}
    findings = letter.preflight()
    return {
        "letter": letter,
        "kind": letter._meta.model_name,
        "preflight": findings,
        "may_submit": not any(f.blocks for f in findings),
        "unmet": sum(f.blocks for f in findings),
    }


def letter_context(roles, letter, form, attachment_form):
    return {
        "earlier_feedback": _letter_earlier_feedback(letter),
        "similar": textsearch.similar_items(letter.assignment.proposal, roles),
        "letter": letter,
        "kind": letter._meta.model_name,
        "form": form,
        "attachment_form": attachment_form,
        "attachments": list(letter.attachments.all()),
        "proposal": letter.assignment.proposal,
        "returned": letter.state == LetterState.RETURNED,
        **preflight_context(letter),
        # With the leader: signing is allowed, but the reply cannot go out (send_letter).
        "send_refusal": None
        if letter.is_editable or letter.is_sent or not isinstance(letter, Reply)
        else letter.send_refusal(),
        "templates": list(LetterTemplate.objects.for_letter(letter)),
    }


# ---- the leader's queue ---------------------------------------------------------------------
def changes(revisions, model=Reply):
    """What changed between the last two submissions: fields old → new, named and worded as
    the editor shows them (their labels, their choices' words), and a body diff."""
    if len(revisions) < 2:
        return None
    before, after = revisions[-2].content, revisions[-1].content
    fields = [
        {
            "name": _field_label(model, name),
            "old": _stored_words(model, name, before.get(name, "")),
            "new": _stored_words(model, name, value),
        }
        for name, value in after.items()
        if name != "body" and before.get(name, "") != value
    ]
    body = [
        line
        for line in difflib.ndiff(
            before.get("body", "").splitlines(), after.get("body", "").splitlines()
        )
        if line[:1] in "+-"
    ]
    return {"fields": fields, "body": body, "round": revisions[-1].number}


def _field_label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field a later version no longer has
        return name


def _stored_words(model, name, value):
    """A revision keeps values as text ("full", "True"): the words the editor shows for them."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, BooleanField):
        return _("是") if value == "True" else _("否")  # False was kept as ""
    return value


QUEUE_SIZE = 10  # letters in full on the page; the next ones appear as these are decided
OVERDUE_SHOWN = 25


def letter_urls(kind, pk):
    """The queue's links and form targets of one letter, built once rather than twice each."""
    return {
        f"{name}_url": reverse(route, args=[kind, pk])
        for name, route in [
            ("sign", "letter-sign"),
            ("return", "letter-return"),
            ("preview", "letter-preview"),
            ("letter", "letter"),
        ]
    }


def preflight_reads():
    """What the pre-flight check (Letter.preflight) reads for each letter of a list, fetched
    once for all of them: the proposers, the contacts, the co-handlers yet to send opinions."""
    return (
        Prefetch(
            "assignment__proposal__signatories",
            ProposalProposer.objects.select_related("proposer"),
        ),
        "assignment__contacts",
        Prefetch(
            "assignment__proposal__assignments",
            Assignment.objects.filter(
                role=Assignment.Role.CO, state__in=OPINION_OUTSTANDING_STATES
            ).select_related("unit"),
            to_attr="outstanding_co_handlers",
        ),
    )


def queued_letters(unit_ids):
    """The units' letters with the leader (QUEUED_STATES), 送审 first and oldest first: the
    first QUEUE_SIZE + 1 of each kind, merged, so the page knows whether more wait without
    counting them."""
    related = ("assignment__proposal__session__jurisdiction", "assignment__unit", "drafted_by")
    revisions = Prefetch("revisions", LetterRevision.objects.order_by("number"))
    authors = Prefetch("contributors", User.objects.only("pk"))
    checked = preflight_reads()
    order = (
        Case(When(state=LetterState.SUBMITTED, then=0), default=1),
        "submitted_at",
        "created_at",
    )
    # The item's text and the search pieces are never shown here (kilobytes a row).
    item_text = ("assignment__proposal__body", "assignment__proposal__search_grams")
    letters = [
        *Reply.objects.queued()
        .filter(assignment__unit_id__in=unit_ids)
        .select_related(*related)
        .defer("search_grams", "title_grams", *item_text)
        .prefetch_related(revisions, authors, "attachments", *checked)
        .order_by(*order)[: QUEUE_SIZE + 1],
        # Most units have no opinion waiting: a look at the index first spares the seven-table
        # query (6 ms, most of it planning) when there is none.
        *(
            opinions.select_related(*related, "lead_unit")
            .defer(*item_text)
            .prefetch_related(revisions, authors, "attachments", *checked)
            .order_by(*order)[: QUEUE_SIZE + 1]
            if (
                opinions := Opinion.objects.queued().filter(assignment__unit_id__in=unit_ids)
            ).exists()
            else ()
        ),
    ]
    letters.sort(
        key=lambda letter: (
            letter.state != LetterState.SUBMITTED,
            letter.submitted_at or letter.created_at,
        )
    )
    return commitment_panels.with_commitments(letters)


def queue_entry(roles, letter):
    """One letter of the queue: what changed, what the pre-flight check says, and what the
    leader may do with it."""
    kind = letter._meta.model_name
    return {
        "letter": letter,
        "kind": kind,
        **letter_urls(kind, letter.pk),
        "changes": changes(list(letter.revisions.all()), type(letter)),
        "revision": max((r.number for r in letter.revisions.all()), default=""),
        # 签发 and 退回 both leave 送审 (the machine); a signed letter waits for its clerk.
        "decidable": can_proceed(letter.return_for_revision),
        # The queue is the leader's own units' letters: four eyes and the sign blockers are
        # what is left to ask; the leader sees why instead of buttons.
        "sign_refusal": letter.sign_refusal(roles.user),
        "preflight": letter.preflight(),
        # 签发并发出 waits while a proposer has no contact (send_letter refuses it).
        "send_refusal": isinstance(letter, Reply) and letter.send_refusal(),
    }


def queue_context(roles, today):
    unit_ids = roles.leader_unit_ids
    letters = queued_letters(unit_ids)
    return {
        "letters": [queue_entry(roles, x) for x in letters[:QUEUE_SIZE]],
        "more": len(letters) > QUEUE_SIZE,
        "overdue": Assignment.objects.for_units(unit_ids)
        .overdue(today)
        .with_item()
        .order_by("due_on", "id")[: OVERDUE_SHOWN + 1],
        "overdue_shown": OVERDUE_SHOWN,
        "today": today,
    }


# ---- the office: publication and feedback ---------------------------------------------------
def publication_context(roles, today, limit=20):
    scope = roles.office_jurisdiction_ids
    replies = Reply.objects.filter(assignment__unit__jurisdiction_id__in=scope).select_related(
        "assignment__proposal__session", "assignment__unit"
    )
    pending = list(
        replies.filter(state=LetterState.SENT)
        .select_related("assignment__proposal__session")
        .order_by("sent_at")
    )
    rules, cal = deadlines.RuleBook(), deadlines.WorkingCalendar()
    for reply in pending:
        proposal = reply.assignment.proposal
        reply.publication_deadline = reply.publication_due(
            rules(proposal.session.jurisdiction_id, proposal.kind), cal
        )
    awaiting = list(
        replies.sent()
        .filter(
            assignment__proposal__state=ProposalState.REPLIED,
            round=F("assignment__proposal__round"),
        )
        .prefetch_related(
            Prefetch("feedback", Feedback.objects.only("reply_id", "proposer_id")),
            Prefetch(
                "assignment__proposal__signatories",
                queryset=ProposalProposer.objects.select_related("proposer"),
            ),
        )
        .order_by("sent_at")
    )
    for reply in awaiting:
        answered = {f.proposer_id for f in reply.feedback.all()}
        reply.unanswered = [
            s.proposer
            for s in reply.assignment.proposal.signatories.all()
            if s.proposer_id not in answered
        ]
    return {
        "pending": pending,
        "published": replies.published().order_by("-published_at")[:limit],
        "withheld": replies.filter(state=LetterState.WITHHELD).order_by("-sent_at")[:limit],
        "awaiting": [r for r in awaiting if r.unanswered],
        "today": today,
    }


# ---- the public site ------------------------------------------------------------------------
def public_queryset():
    return Reply.objects.published().select_related(
        "assignment__proposal__session__jurisdiction", "assignment__unit"
    )


def published_reply(pk):
    """A published reply (or follow-up reply) with the commitments the public is told: what
    it promised and how that stands, or what it reported; a withheld one is not there."""
    reply = get_object_or_404(public_queryset(), pk=pk)
    return tell_commitments([reply], public=True)[0]


def public_replies(params):
    rows = public_queryset()
    year, body = params.get("year", ""), params.get("body", "")
    unit, result = params.get("unit", ""), params.get("result", "")
    if plain_int(year) is not None:
        rows = rows.filter(assignment__proposal__session__year=plain_int(year))
    if body in Session.Body.values:
        rows = rows.filter(assignment__proposal__session__body=body)
    if plain_int(unit) is not None:
        rows = rows.filter(assignment__unit_id=plain_int(unit))
    if result in Bucket.values:
        rows = rows.filter(result_bucket=result)
    q = (params.get("q") or "").strip()[:100]
    rows = textsearch.ranked_replies(rows, q) if q else rows.order_by("-published_at", "-id")
    published = Reply.objects.published()
    return rows, {
        # The sessions' years (a handful of rows): asking which years have a published reply
        # joins every published reply to its session, 300 ms at a decade's replies.
        "years": list(Session.objects.order_by("-year").values_list("year", flat=True).distinct()),
        "units": Unit.objects.filter(pk__in=published.values("assignment__unit_id")).order_by(
            "name"
        ),
        "bodies": Session.Body.choices,
        "results": Bucket.choices,
        "selected": {"year": year, "body": body, "unit": unit, "result": result},
        "q": q,
    }


# ---- the proposer's link --------------------------------------------------------------------
def link_state(token):
    """The reply and proposer behind a link, or which problem the page should explain; the
    reply with its commitments as the proposer is told them, whatever the problem."""
    state = {"problem": None, "status": 200, "token": token}
    try:
        reply_id, proposer_id, round_ = links.read_token(token)
    except links.LinkProblem as problem:
        return {
            **state,
            "problem": str(problem),
            "status": 410 if str(problem) == "expired" else 400,
        }
    reply = (
        Reply.objects.select_related("assignment__proposal__session", "assignment__unit")
        .sent()
        .filter(pk=reply_id)
        .first()
    )
    proposer = Proposer.objects.filter(pk=proposer_id).first()
    if reply is None or proposer is None or reply.round != round_:
        return {**state, "problem": "invalid", "status": 400}
    state.update(reply=tell_commitments([reply])[0], proposer=proposer)
    if reply.round != reply.assignment.proposal.round:
        return {**state, "problem": "stale", "status": 410}
    if Feedback.objects.filter(reply=reply, proposer=proposer).exists():
        return {**state, "problem": "used", "status": 409}
    return state


# ---- importing past letters -----------------------------------------------------------------
def letter_import_preview(record, data=None):
    """What the import's page shows: each letter's text beside its form (what was
    recognised, pre-filled; `data` when the office has posted it), the letters already
    saved, and the files that could not be read. The jurisdiction's sessions and units are
    read once for all the letters."""
    sessions = {s.pk: s for s in Session.objects.filter(jurisdiction=record.jurisdiction_id)}
    units = {u.pk: u for u in Unit.objects.filter(jurisdiction=record.jurisdiction_id)}
    named = {"session": {str(s): s for s in sessions.values()}, "unit": {}}
    for unit in units.values():
        named["unit"] |= {name: unit.pk for name in (unit.short_name, unit.name) if name}
    letters = []
    for index, preview in enumerate(record.previews):
        letter = {"index": index, "name": preview["name"], "error": preview.get("error")}
        if not letter["error"] and not preview.get("saved"):
            parsed = preview["parsed"]
            initial, letter["hints"] = _recognised(parsed, named)
            letter["missing"] = [importer.label(key) for key in parsed["missing"]]
            letter["unrecognised"] = parsed["unrecognised"]
            letter["form"] = PastLetterForm(
                data, initial=initial, prefix=f"l{index}", sessions=sessions, units=units
            )
        letters.append(letter | {"text": preview.get("text", ""), "saved": preview.get("saved")})
    return {
        "letters": letters,
        "refused": [p for p in letters if p["error"]],
        "saved_count": sum(1 for p in letters if p["saved"]),
        "pending_count": sum(1 for p in letters if "form" in p),
        "states": LetterImportState,
    }


ITEM_KINDS = {"提案": Proposal.Kind.PROPOSAL, "建议": Proposal.Kind.SUGGESTION,
              "代表建议": Proposal.Kind.SUGGESTION}  # fmt: skip
SESSION_KINDS = {
    Session.Body.CPPCC: Proposal.Kind.PROPOSAL,
    Session.Body.NPC: Proposal.Kind.SUGGESTION,
}


def _recognised(parsed, named):
    """A letter's form pre-filled with what the importer recognised (`importer.as_json`),
    the session and units matched by name; and, by field, what was recognised but matches
    none of the jurisdiction's (shown beside the field, for the office to choose)."""
    fields, opinion = parsed["fields"], parsed["is_opinion"]
    session = named["session"].get(parsed["session_name"])
    unit = named["unit"].get(fields.get("signing_organ", ""))
    lead_unit = named["unit"].get(fields.get("addressee", "")) if opinion else None
    initial = {key: fields.get(key, "") for key in CONFIRMED_LETTER_FIELDS}
    initial |= {
        "letter_kind": "opinion" if opinion else "reply",
        "item_kind": ITEM_KINDS.get(parsed["kind"])
        or SESSION_KINDS.get(getattr(session, "body", "")),
        "session": session and session.pk,
        "number": parsed["number"],
        "unit": unit,
        "lead_unit": lead_unit,
        "proposers": "、".join(name for name, _kind in parsed["proposers"]),
    }
    hints = {
        "session": parsed["session_name"] if session is None else "",
        "unit": fields.get("signing_organ", "") if unit is None else "",
        "lead_unit": fields.get("addressee", "") if opinion and lead_unit is None else "",
    }
    return initial, {key: value for key, value in hints.items() if value}


# ---- 送达: each proposer's delivery of a sent reply -----------------------------------------
UNDELIVERED_SHOWN = 50  # replies on the office's list; the oldest first


def proposer_deliveries(reply, signatories, may_handle, keepers=frozenset()):
    """Each proposer of the item and how the reply stands with them: reached or not, why
    not (no channel, queued, failed with the reason) and since when, from the reply's
    prefetched deliveries. `may_handle`: the viewer may resend and record paper; `keepers`:
    the proposers whose contacts the viewer may record, linked to when no email or text can
    reach them."""
    rows = []
    for signatory in signatories:
        person = signatory.proposer
        mine = [d for d in reply.deliveries.all() if d.proposer_id == person.pk]
        for row in mine:
            row.proposer = person  # the machine's conditions read it; loaded already
        reached = [d for d in mine if d.is_reached]
        rows.append(
            {
                "proposer": person,
                "deliveries": mine,
                "reached": reached[0] if reached else None,
                "why": None if reached else _why_unreached(person, mine),
                "since": min((d.failed_at or reply.sent_at for d in mine), default=reply.sent_at),
                "resendable": [d for d in mine if may_handle and can_proceed(d.resend)],
                "paper_open": may_handle
                and not any(d.channel == Proposer.Channel.PAPER for d in mine),
                # A contact recorded after sending: the channel has no row yet.
                "new_channels": [
                    channel
                    for channel in person.channels
                    if may_handle
                    and channel in ELECTRONIC_CHANNELS
                    and all(d.channel != channel for d in mine)
                ],
                "fix_contacts": not reached
                and person.pk in keepers
                and not _usable_channels(person, mine),
            }
        )
    return rows


def _usable_channels(person, deliveries):
    """The proposer's email and mobile that have not failed: what may still reach them."""
    failed = {d.channel for d in deliveries if d.state == DeliveryState.FAILED}
    return [c for c in person.channels if c in ELECTRONIC_CHANNELS and c not in failed]


def _why_unreached(person, deliveries):
    failed = [d for d in deliveries if d.state == DeliveryState.FAILED]
    if failed:
        return _("发送失败：%(e)s") % {"e": "；".join(d.last_error for d in failed)}
    if deliveries:
        tries = max(d.attempts for d in deliveries)
        return _("待发送（已尝试%(n)s次）") % {"n": tries}
    if person.has_contact:
        return _("无电子邮箱或手机号码，请登记纸质送达")
    return _("无任何联系方式")


def _unreached(roles, reply):
    """The rows of the proposers a reply has not reached, for the office's list: the office
    may record (or correct) their contacts, each linked to the item page's 提出人 card."""
    people = reply.assignment.proposal.signatories.all()
    keepers = _contact_keepers(roles, people, ())
    rows = proposer_deliveries(reply, people, may_handle=True, keepers=keepers)
    return [row for row in rows if row["reached"] is None]


def undelivered_context(roles):
    """The office's list: sent replies of its jurisdictions some proposer of which has not
    been reached, the oldest first, each with its unreached proposers."""
    scope = roles.office_jurisdiction_ids
    replies = list(
        Reply.objects.sent()
        .filter(delivered_at__isnull=True, assignment__unit__jurisdiction_id__in=scope)
        .listed()
        .prefetch_related(
            Prefetch(
                "assignment__proposal__signatories",
                ProposalProposer.objects.select_related("proposer"),
            ),
            "deliveries",
        )
        .order_by("sent_at", "id")[: UNDELIVERED_SHOWN + 1]
    )
    rows = [
        {"reply": reply, "proposers": _unreached(roles, reply)}
        for reply in replies[:UNDELIVERED_SHOWN]
    ]
    return {
        "rows": rows,
        "more": len(replies) > UNDELIVERED_SHOWN,
        "today": timezone.localdate(),
        # queued mail and texts go out only while the worker runs: say so when it does not
        "worker_silent": Heartbeat.objects.worker_silent() if rows else None,
    }


# ---- asking before an irreversible step -----------------------------------------------------
# The steps that cannot be undone, each with the transition the pages offer it by (`may`).
CONFIRMED_STEPS = {
    "sign_and_send": ("sign", gettext_lazy("签发并发出")),
    "send": ("send", gettext_lazy("发出（生成文号）")),
    "publish": ("publish", gettext_lazy("公开")),
    "withdraw": ("withdraw", gettext_lazy("撤回公开")),
}
SENDING_STEPS = ("sign_and_send", "send")


def confirmation_context(roles, step, letter, posted, today):
    """What an irreversible step will do, said before it is done: the number the letter will
    carry, who it reaches and how, what follows for the item, and what the public will see.
    None when the page would not offer the step now (who asks, the letter's state, a missing
    reason or contact): the verb is then asked, and says why in its own words."""
    transition, title = CONFIRMED_STEPS[step]
    if not may(roles, letter, transition) or _step_refusal(step, letter, posted):
        return None
    facts = {"step": step, "title": title, "letter": letter, "kind": letter._meta.model_name}
    if step in SENDING_STEPS:
        return facts | _sending_facts(letter, today)
    if step == "publish":
        return facts | {"full": letter.disclosure == Disclosure.FULL}
    return facts | {"reason": posted.get("reason", "").strip()}


def _step_refusal(step, letter, posted):
    """What the verb refuses that the machine does not know: a reply no proposer's contact
    reaches, a withdrawal without its reason."""
    if step in SENDING_STEPS and isinstance(letter, Reply):
        return letter.send_refusal()
    return step == "withdraw" and not posted.get("reason", "").strip()


def _sending_facts(letter, today):
    """发出: the number (given at sign-off, or the next of the series, which another letter
    sent first may take), the recipients, what follows, and the publication decided."""
    proposal = letter.assignment.proposal
    rules = deadlines.rules_for(proposal.session.jurisdiction, proposal.kind)
    number = letter.doc_number or next_doc_number(
        letter.assignment.unit, series_of(letter), today.year
    )
    return {
        "number": number,
        "number_estimated": not letter.doc_number,
        "recipients": _recipients(letter) if isinstance(letter, Reply) else [],
        "lead_unit": getattr(letter, "lead_unit", None),
        "effects": _sending_effects(letter, rules),
        "discloses": letter.discloses(),
        "disclosure": letter.get_disclosure_display()
        + (f"（{letter.get_withheld_reason_display()}）" if letter.withheld_reason else ""),
        "publication_due": deadlines.publication_due(today, rules, deadlines.WorkingCalendar()),
        "publication_days": rules.publication_working_days,
    }


def _recipients(reply):
    """Each proposer and the ways the reply will reach them, their contacts partly hidden."""
    signatories = reply.assignment.proposal.signatories.select_related("proposer")
    return [{"name": s.proposer.name, "ways": _ways(s.proposer)} for s in signatories]


def _ways(person):
    ways = []
    for channel in person.channels:
        if channel == Proposer.Channel.EMAIL:
            ways.append(f"{Proposer.Channel.EMAIL.label}：{masked_email(person.email)}")
        elif channel == Proposer.Channel.SMS:
            ways.append(f"{Proposer.Channel.SMS.label}：{masked(person.mobile)}")
    return ways or [_("需登记纸质送达")]


def _sending_effects(letter, rules):
    """What follows the sending for the assignment and the item (send_letter's followers)."""
    assignment = letter.assignment
    if isinstance(letter, Opinion):
        return [_("本单位办理状态变为“%(s)s”。") % {"s": AssignmentState.OPINION_SENT.label}]
    if letter.kind == Reply.Kind.FOLLOW_UP:  # close_reported: the item's state stays
        return [
            _("所报告的承诺事项办结：%(what)s（%(outcome)s）。")
            % {"what": c.what[:40], "outcome": c.get_outcome_display()}
            for c in letter.reported_commitments.all()
        ]
    if not assignment.takes_reply:
        return []
    effects = [_("本单位办理状态变为“%(s)s”。") % {"s": AssignmentState.REPLIED.label}]
    others = assignment.proposal.assignments.open().filter(role__in=REPLYING_ROLES)
    if others.exclude(pk=assignment.pk).exists():
        effects.append(_("其他主办、分办单位答复后，该件变为“%(s)s”。") % {"s": _replied()})
    else:
        effects.append(_("该件变为“%(s)s”。") % {"s": _replied()})
    if assignment.role == Assignment.Role.LEAD:
        late = [str(a.unit) for a in letter.outstanding_opinions().select_related("unit")]
        if late:
            effects.append(_("不再等待尚未送达的会办意见：%(u)s。") % {"u": "、".join(late)})
    effects.append(
        _("答复送达提出人后开始计算征询意见期限（%(n)s个工作日）。")
        % {"n": rules.feedback_working_days}
    )
    if promised := letter.commitments.confirmed().count():
        effects.append(
            _("%(n)d项承诺事项开始跟踪，按提醒规则提醒，直至跟踪办理答复报告落实或经批准撤销。")
            % {"n": promised}
        )
    return effects


def _replied():
    return ProposalState.REPLIED.label
