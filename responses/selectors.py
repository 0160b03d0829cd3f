"""What each page shows: the reads behind the views, with a fixed number of queries per page
whatever the number of rows, and the visibility rules (drafts never leave their unit)."""

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Prefetch, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from proposals.classification import Bucket
from proposals.models import Proposal, ProposalProposer, Proposer, Session, User
from proposals.params import plain_int
from workflow import deadlines
from workflow.audit import ActionRefused
from workflow.exports import xlsx
from workflow.forms import (
    AssignForm,
    ContactForm,
    ExtensionForm,
    ReviewForm,
    TransferForm,
    UrgeForm,
)
from workflow.models import (
    Assignment,
    AssignmentState,
    Contact,
    Extension,
    TransferRequest,
    TransitionLog,
    Unit,
    Urge,
)

from . import importer, links, textsearch
from .forms import LETTER_FORM_FIELDS, PaperFeedbackForm
from .models import (
    Feedback,
    LetterRevision,
    LetterState,
    LetterTemplate,
    Opinion,
    Reply,
)

WORKING_STATES = {AssignmentState.ACCEPTED, AssignmentState.REOPENED}


# ---- who sees which letter (the rules: Letter.is_handled_by, is_visible_to) ---------------
def require_letter_access(roles, letter):
    """The letter's own page, its files and attachments: the drafting unit and the office."""
    if not letter.is_handled_by(roles, letter.assignment.proposal.session.jurisdiction_id):
        raise PermissionDenied(_("只有起草单位和建议提案处可以查看该函件。"))


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
    letter_related = ("assignment__unit", "signer", "drafted_by")
    replies = [
        r
        for r in Reply.objects.filter(assignment__proposal=proposal)
        .select_related(*letter_related)
        .prefetch_related(
            "attachments", Prefetch("feedback", Feedback.objects.select_related("proposer"))
        )
        .order_by("round", "id")
        if r.is_visible_to(roles, jurisdiction.pk)
    ]
    opinions = [
        o
        for o in Opinion.objects.filter(assignment__proposal=proposal)
        .select_related(*letter_related, "lead_unit")
        .prefetch_related("attachments")
        if o.is_visible_to(roles, jurisdiction.pk)
    ]
    own_units = {a.unit_id for a in mine}
    contacts = Contact.objects.filter(assignment__proposal=proposal).select_related(
        "proposer", "recorded_by", "assignment__unit"
    )
    if not is_office:
        contacts = contacts.filter(assignment__unit_id__in=own_units)
    contacts = list(contacts)
    cal = deadlines.WorkingCalendar()
    rules = deadlines.rules_for(jurisdiction, proposal.kind)
    approved = list(Extension.objects.filter(assignment__proposal=proposal, state="approved"))
    explained = {
        a.pk: deadlines.explain(a, rules, cal, [e for e in approved if e.assignment_id == a.pk])
        for a in (mine or assignments)
        if a.state not in ("transferred", "done")
    }
    return {
        "similar": textsearch.similar_items(proposal, roles),
        "explained": explained,
        "missing_years": cal.missing_years(*[a.due_on for a in assignments]),
        "proposal": proposal,
        "jurisdiction": jurisdiction,
        "is_office": is_office,
        "today": today,
        "signatories": list(proposal.signatories.select_related("proposer")),
        "assignments": assignments,
        "lead": next(
            (a for a in assignments if a.role == "lead" and a.state != "transferred"), None
        ),
        "mine": [_assignment_panel(a, replies, opinions, today) for a in mine],
        "replies": [_with_download(r, roles, is_office) for r in replies],
        "opinions": opinions,
        "contacts": contacts,
        "timeline": _timeline(proposal, contacts, replies, opinions, roles, is_office),
        "transfers": list(
            TransferRequest.objects.filter(
                assignment__proposal=proposal, state="pending"
            ).select_related("assignment__unit")
        ),
        "extensions": list(
            Extension.objects.filter(assignment__proposal=proposal, state="pending").select_related(
                "assignment__unit"
            )
        ),
        "review_form": ReviewForm() if is_office else None,
        "assign_form": AssignForm(jurisdiction=jurisdiction.pk) if is_office else None,
        "urge_form": UrgeForm() if is_office else None,
        "contact_form": ContactForm(proposal=proposal) if mine else None,
        "transfer_form": TransferForm() if mine else None,
        "extension_form": ExtensionForm() if mine else None,
        "can_review": is_office and proposal.state in ("received", "in_review", "returned"),
        "can_assign": is_office and proposal.state in ("filed", "assigned", "in_handling"),
    }


def _with_download(reply, roles, is_office):
    """The frozen files go to the office and the unit that sent the reply (see
    require_letter_access); the page offers the links to exactly those."""
    reply.downloadable = reply.sent_at is not None and (
        is_office or roles.in_unit(reply.assignment.unit_id)
    )
    return reply


def _assignment_panel(assignment, replies, opinions, today):
    """What the viewer's own unit can do on its assignment right now."""
    letters = [
        letter
        for letter in (replies if assignment.replies_to_proposer else opinions)
        if letter.assignment_id == assignment.pk and letter.round == assignment.round
    ]
    working = assignment.state in WORKING_STATES
    return {
        "assignment": assignment,
        "letter": letters[0] if letters else None,
        "can_accept": assignment.state == AssignmentState.PENDING,
        "can_transfer": assignment.state in ("pending", "accepted")
        and assignment.within_transfer_window(),
        "can_contact": working or assignment.state == AssignmentState.PENDING,
        "can_write": working,
        "can_extend": working and assignment.replies_to_proposer,
        "standing": deadlines.standing(assignment.due_on, today),
    }


def _timeline(proposal, contacts, replies, opinions, roles, is_office):
    """Every transition and contact, oldest first. Another unit's letters appear only from
    the moment they were sent: their drafting stays inside that unit."""
    visible_letters = {("reply", r.pk): r for r in replies} | {
        ("opinion", o.pk): o for o in opinions
    }
    entries = []
    for row in TransitionLog.objects.filter(proposal=proposal).select_related(
        "actor", "content_type"
    ):
        model = row.content_type.model
        if model in ("contact", "urge"):
            continue  # shown below from their own records, with their details
        if model in ("reply", "opinion"):
            letter = visible_letters.get((model, row.object_id))
            if letter is None:
                continue
            if not (
                is_office or roles.in_unit(letter.assignment.unit_id)
            ) and row.transition not in ("send", "publish", "withdraw", "withhold"):
                continue
        entries.append({"at": row.at, "kind": model, "row": row})
    entries += [{"at": c.recorded_at, "kind": "contact", "row": c} for c in contacts]
    entries += [
        {"at": u.urged_at, "kind": "urge", "row": u}
        for u in Urge.objects.filter(proposal=proposal).select_related("unit", "urged_by")
    ]
    return sorted(entries, key=lambda e: e["at"])


# ---- the letter editor ----------------------------------------------------------------------
def letter_initial(letter):
    return {name: getattr(letter, name) for name in LETTER_FORM_FIELDS}


def letter_context(roles, letter, form, attachment_form):
    return {
        "similar": textsearch.similar_items(letter.assignment.proposal, roles),
        "letter": letter,
        "kind": letter._meta.model_name,
        "form": form,
        "attachment_form": attachment_form,
        "attachments": list(letter.attachments.all()),
        "proposal": letter.assignment.proposal,
        "preflight": [(level, str(p)) for level, p in letter.preflight()]
        if letter.is_editable
        else [],
        "templates": list(
            LetterTemplate.objects.filter(
                unit_id=letter.assignment.unit_id, kind=letter._meta.model_name
            )
        ),
    }


# ---- the leader's queue ---------------------------------------------------------------------
def changes(revisions):
    """What changed between the last two submissions: fields old → new, and a body diff."""
    if len(revisions) < 2:
        return None
    before, after = revisions[-2].content, revisions[-1].content
    fields = [
        {"name": name, "old": before.get(name, ""), "new": value}
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


def queue_context(roles, today):
    unit_ids = roles.leader_unit_ids
    related = ("assignment__proposal__session__jurisdiction", "assignment__unit", "drafted_by")
    revisions = Prefetch("revisions", LetterRevision.objects.order_by("number"))
    authors = Prefetch("contributors", User.objects.only("pk"))
    # What the pre-flight check reads for each letter, fetched once for all of them.
    checked = (
        Prefetch(
            "assignment__proposal__signatories",
            ProposalProposer.objects.select_related("proposer"),
        ),
        "assignment__contacts",
    )
    # Each kind's first QUEUE_SIZE + 1 in queue order, merged: the page knows whether more
    # wait without counting them.
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
        .prefetch_related(revisions, authors, *checked)
        .order_by(*order)[: QUEUE_SIZE + 1],
        # Most units have no opinion waiting: a look at the index first spares the seven-table
        # query (6 ms, most of it planning) when there is none.
        *(
            opinions.select_related(*related, "lead_unit")
            .defer(*item_text)
            .prefetch_related(revisions, authors, *checked)
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
    more = len(letters) > QUEUE_SIZE
    letters = letters[:QUEUE_SIZE]
    return {
        "letters": [
            {
                "letter": x,
                "kind": x._meta.model_name,
                **letter_urls(x._meta.model_name, x.pk),
                "changes": changes(list(x.revisions.all())),
                "revision": max((r.number for r in x.revisions.all()), default=""),
                # The queue is the leader's own units' letters: four eyes and the sign
                # blockers are what is left to ask; the leader sees why instead of buttons.
                "sign_refusal": x.sign_refusal(roles.user),
                "preflight": [(level, str(p)) for level, p in x.preflight()],
            }
            for x in letters
        ],
        "more": more,
        "overdue": Assignment.objects.for_units(unit_ids)
        .overdue(today)
        .with_item()
        .order_by("due_on", "id")[: OVERDUE_SHOWN + 1],
        "overdue_shown": OVERDUE_SHOWN,
        "today": today,
    }


def queue_result(request, letter, message):
    if request.htmx:
        return render(request, "responses/queue.html#done", {"letter": letter, "message": message})
    messages.success(request, message)
    return redirect("leader-queue")


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
            assignment__proposal__state="replied",
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
        "published": replies.filter(state=LetterState.PUBLISHED).order_by("-published_at")[:limit],
        "withheld": replies.filter(state=LetterState.WITHHELD).order_by("-sent_at")[:limit],
        "awaiting": [r for r in awaiting if r.unanswered],
        "feedback_form": PaperFeedbackForm(),
        "today": today,
    }


def publication_xlsx(context):
    """The publication page as one sheet; the page shows the latest 20, the sheet all."""
    headers = [_("类别"), _("届次会议"), _("案号"), _("标题"), _("承办单位"), _("发出日期")]
    headers += [_("公开期限或公开时间"), _("未反馈的提出人")]

    def row(kind, reply, when="", waiting=""):
        proposal = reply.assignment.proposal
        sent = reply.sent_at.date().isoformat() if reply.sent_at else ""
        return [kind, str(proposal.session), proposal.number, reply.title] + [
            reply.assignment.unit.name,
            sent,
            when,
            waiting,
        ]

    rows = [row(_("待公开"), r, r.publication_deadline.isoformat()) for r in context["pending"]]
    rows += [row(_("已公开"), r, r.published_at.date().isoformat()) for r in context["published"]]
    rows += [row(_("不予公开"), r, r.get_withheld_reason_display()) for r in context["withheld"]]
    rows += [
        row(_("待反馈"), r, "", "、".join(p.name for p in r.unanswered))
        for r in context["awaiting"]
    ]
    return xlsx(headers, rows, _("公开与反馈"))


# ---- the public site ------------------------------------------------------------------------
def public_queryset():
    return Reply.objects.published().select_related(
        "assignment__proposal__session__jurisdiction", "assignment__unit"
    )


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
    """The reply and proposer behind a link, or which problem the page should explain."""
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
    state.update(reply=reply, proposer=proposer)
    if reply.round != reply.assignment.proposal.round:
        return {**state, "problem": "stale", "status": 410}
    if Feedback.objects.filter(reply=reply, proposer=proposer).exists():
        return {**state, "problem": "used", "status": 409}
    return state


# ---- importing past letters -----------------------------------------------------------------


def preview_texts(texts, names=None):
    names = names or [f"#{i + 1}" for i in range(len(texts))]
    return [
        {"name": name, "text": text, "parsed": importer.parse(text)}
        for name, text in zip(names, texts, strict=True)
    ]


def letter_import_preview(record):
    """What the import's page shows: each file's elements under their names, and whether a
    letter lacks something no "接受缺项" can accept (then nothing can be saved)."""
    previews = importer.shown(record.previews)
    return {"previews": previews, "blocked": any(p.get("blocking") for p in previews)}


def save_imports(actor, jurisdiction, texts, accept_gaps):
    from django.db import transaction

    from .actions import import_letter

    with transaction.atomic():
        for preview in preview_texts(texts):
            parsed = preview["parsed"]
            what = parsed.fields.get("title", preview["name"])
            if parsed.blocking:
                raise ActionRefused(
                    _("%(t)s 缺少%(m)s，无法保存。请补全原件后重新上传。")
                    % {"t": what, "m": importer.labels(parsed.blocking)}
                )
            if not parsed.complete and not accept_gaps:
                raise ActionRefused(
                    _("%(t)s 缺少：%(m)s。补全原件，或勾选“接受缺项”后保存。")
                    % {"t": what, "m": importer.labels(parsed.missing)}
                )
            import_letter(actor, parsed, jurisdiction)
    return len(texts)
