"""The reads behind workflow's pages, in one place: the rows each list shows, the monitor's
counts, and what a person may do on an object right now (`may`), asked of its machine.

Views parse the request, call one function here (or a verb), and render.
"""

from hashlib import sha256

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from proposals.models import (
    ASSIGN_PERMISSION,
    BODY_OF_PROPOSER,
    REVIEW_PERMISSION,
    UNITS_ADDABLE_STATES,
    Channel,
    Proposal,
    ProposalProposer,
    Proposer,
    Session,
    kind_refusal,
)

from . import aging, exports, permissions
from .models import (
    Assignment,
    AssignmentState,
    CoSignature,
    CoSignatureState,
    Decision,
    DraftAttachment,
    Extension,
    FilingDraft,
    FilingDraftState,
    TransferRequest,
    TransitionLog,
    Urge,
)


# ---- what a person may do: the machine answers ---------------------------------------------
def _jurisdiction_of(obj):
    proposal = obj if isinstance(obj, Proposal) else obj.assignment.proposal
    return proposal.session.jurisdiction_id


def _unit_of(obj):
    return obj.unit_id if hasattr(obj, "unit_id") else obj.assignment.unit_id


# Each transition permission (workflow/permissions.py, the item's review and 交办 rights),
# answered from the roles the page loaded once: the same question, no query per button.
ROLE_ANSWERS = {
    permissions.is_unit_member: lambda roles, obj: roles.in_unit(_unit_of(obj)),
    permissions.is_office_for: lambda roles, obj: roles.is_office_for(_jurisdiction_of(obj)),
    permissions.is_unit_member_or_office: lambda roles, obj: (
        roles.in_unit(_unit_of(obj)) or roles.is_office_for(_jurisdiction_of(obj))
    ),
    permissions.is_office_of_import: lambda roles, obj: roles.is_office_for(obj.jurisdiction_id),
    permissions.follows_reply: lambda roles, obj: False,
    permissions.done_by_the_worker: lambda roles, obj: False,
    REVIEW_PERMISSION: lambda roles, obj: roles.is_office_for(_jurisdiction_of(obj)),
    ASSIGN_PERMISSION: lambda roles, obj: roles.is_office_for(_jurisdiction_of(obj)),
}


def may(roles, obj, name, check_conditions=True):
    """Whether the person may fire transition `name` on `obj` now: the machine says whether
    it leaves the current state (and its conditions hold), the transition's permission says
    who. `check_conditions=False` for conditions on what the form supplies (a reason)."""
    method = getattr(obj, name)
    if not can_proceed(method, check_conditions=check_conditions):
        return False
    meta = method._django_fsm
    permission = meta.get_transition(meta.field.get_state(obj)).permission
    answer = ROLE_ANSWERS.get(permission)
    if answer is None:  # a permission the roles cannot answer: ask it directly
        return has_transition_perm(method, roles.user)
    return answer(roles, obj)


REVIEW_TRANSITIONS = ("start_review", "file", "reject", "merge", "return_for_revision", "convert")


# The review conditions on what the office types in the form (a reason, the item merged
# into): unknown before it types, so the page offers the result and the verb asks them.
TYPED_CONDITIONS = (Proposal.has_review_reason, Proposal.has_merge_target)


def _row_conditions_hold(obj, name, typed):
    meta = getattr(obj, name)._django_fsm
    transition = meta.get_transition(meta.field.get_state(obj))
    return all(condition(obj) for condition in transition.conditions if condition not in typed)


def review_choices(roles, proposal):
    """The review transitions the office may fire on this item now, in REVIEW_TRANSITIONS'
    order: the first is what comes next for its kind and state (审查 for a proposal just
    received, 立案 for a suggestion), each asked of the machine, conditions included but
    those the form supplies."""
    return [
        name
        for name in REVIEW_TRANSITIONS
        if may(roles, proposal, name, check_conditions=False)
        and _row_conditions_hold(proposal, name, TYPED_CONDITIONS)
    ]


def may_assign(roles, proposal):
    if proposal.state in UNITS_ADDABLE_STATES:  # no transition: the verb's own check
        return roles.is_office_for(_jurisdiction_of(proposal))
    return may(roles, proposal, "assign")


# ---- the unit's inbox -----------------------------------------------------------------------
def filter_assignments(rows, data, today):
    state = data.get("state")
    if state == "open":
        rows = rows.open()
    elif state:
        rows = rows.filter(state=state)
    rows = rows.of_items({k: data.get(k) for k in ("kind", "session")})
    if data.get("role"):
        rows = rows.filter(role=data["role"])
    if data.get("due") == "overdue":
        rows = rows.overdue(today)
    elif data.get("due"):
        rows = rows.due_within(int(data["due"]), today)
    return rows


def inbox_rows(roles, data, today):
    rows = Assignment.objects.for_units(roles.unit_ids).current().with_item()
    return filter_assignments(rows, data, today).order_by("due_on", "id")


# ---- the office's lists ---------------------------------------------------------------------
def office_proposal_rows(roles, state, query, missing_contacts=False, channel=""):
    """The office's items; `missing_contacts`: only those with a proposer no channel reaches;
    `channel`: only those that came in that way (线上提交, 纸质, 导入, API)."""
    rows = Proposal.objects.filter(session__jurisdiction_id__in=roles.office_jurisdiction_ids)
    if state:
        rows = rows.filter(state=state)
    if channel in Channel.values:
        rows = rows.filter(channel=channel)
    if missing_contacts:
        unreachable = Proposer.objects.filter(Proposer.lacking_contact()).values("pk")
        signed = ProposalProposer.objects.filter(proposer__in=unreachable)
        rows = rows.filter(pk__in=signed.values("proposal_id"))
    if query:
        rows = rows.filter(title__icontains=query) | rows.filter(number=query)
    rows = rows.select_related("session").prefetch_related(
        Prefetch("signatories", queryset=ProposalProposer.objects.select_related("proposer"))
    )
    return rows.order_by("-received_at", "-id")


# ---- 网上提交: what the office sees of an item filed online ------------------------------------
def online_filing(roles, proposal):
    """The draft an item filed online came from, with its suggested units and attachments,
    for the item page of the item's office; None for any other item or reader (no query for
    an item that came another way)."""
    if proposal.channel != Channel.ONLINE:
        return None
    return (
        FilingDraft.objects.for_office(roles.office_jurisdiction_ids)
        .filter(proposal=proposal)
        .prefetch_related("suggested_units", "attachments")
        .first()
    )


def sessions_open_to(proposer, on=None):
    """The sessions a proposer may file in on `on` (today): open for filing
    (Session.accepts_filing), of their jurisdiction, of the body they sit in (a group, such
    as a 党派 or 界别, may file wherever kind_refusal lets it)."""
    rows = Session.objects.open_for_filing(on).filter(jurisdiction_id=proposer.jurisdiction_id)
    body = BODY_OF_PROPOSER.get(proposer.kind)
    return rows.filter(body=body) if body else rows


def cosigner_candidates(draft):
    """Whom the lead may ask to co-sign: the proposers of the session's jurisdiction of a
    kind its body takes, the lead left out (ask_cosigners asks the same)."""
    kinds = [k for k in Proposer.Kind.values if not kind_refusal(draft.kind, draft.session, k)]
    return Proposer.objects.filter(
        jurisdiction_id=draft.session.jurisdiction_id, kind__in=kinds
    ).exclude(pk=draft.lead_id)


def invitations_for(user, now=None):
    """The co-signing invitations waiting for this account's answer, still in time, the
    soonest due first."""
    return (
        CoSignature.objects.filter(
            proposer__in=Proposer.objects.acted_for_by(user).values("pk"),
            state=CoSignatureState.INVITED,
            answer_by__gte=now or timezone.now(),
            draft__state=FilingDraftState.AWAITING_COSIGNERS,
        )
        .select_related("draft__lead", "draft__session")
        .order_by("answer_by", "pk")
    )


def office_draft_attachment(roles, pk):
    """A file filed with an online item, for its office only (404 for anyone else)."""
    offices = FilingDraft.objects.for_office(roles.office_jurisdiction_ids)
    return get_object_or_404(DraftAttachment.objects.filter(draft__in=offices), pk=pk)


# ---- proposers: who is who ------------------------------------------------------------------
def namesakes(jurisdiction, people):
    """(name, kind) → the proposers of `jurisdiction` so named, in one query: the candidates
    an office confirms a typed proposer against (namesakes elsewhere are other people)."""
    names = {name for name, _kind in people}
    found = {}
    rows = Proposer.objects.filter(jurisdiction=jurisdiction, name__in=names).order_by("pk")
    for person in rows:
        found.setdefault((person.name, person.kind), []).append(person)
    return found


def likely_duplicates(roles, limit=200):
    """Groups of proposers sharing a name and kind within one of the office's jurisdictions
    (one record per real person is the aim), each with its number of items; two queries."""
    scope = roles.office_jurisdiction_ids
    repeated = (
        Proposer.objects.filter(jurisdiction_id__in=scope)
        .values("jurisdiction_id", "name", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("jurisdiction_id", "name", "kind")[:limit]
    )
    keys = {(r["jurisdiction_id"], r["name"], r["kind"]) for r in repeated}
    if not keys:
        return []
    people = (
        Proposer.objects.filter(jurisdiction_id__in=scope, name__in={k[1] for k in keys})
        .select_related("jurisdiction")
        .annotate(items=Count("signatures"))
        .order_by("jurisdiction_id", "name", "kind", "pk")
    )
    groups = {}
    for person in people:
        key = (person.jurisdiction_id, person.name, person.kind)
        if key in keys:
            groups.setdefault(key, []).append(person)
    return list(groups.values())


def merge_preview(roles, keep_id, duplicate_id):
    """The two proposers an office is about to merge, with the items each signed; None when
    either is not one of the office's own, they are the same, or not namesakes (the same
    name and kind)."""
    people = {
        p.pk: p
        for p in Proposer.objects.filter(
            pk__in=[keep_id, duplicate_id], jurisdiction_id__in=roles.office_jurisdiction_ids
        )
        .select_related("jurisdiction")
        .prefetch_related(
            Prefetch("signatures", ProposalProposer.objects.select_related("proposal__session"))
        )
    }
    if len(people) != 2 or keep_id == duplicate_id:
        return None
    if not people[keep_id].is_namesake_of(people[duplicate_id]):
        return None  # only namesakes may be one person (Proposer.is_namesake_of)
    return {"keep": people[keep_id], "duplicate": people[duplicate_id]}


def merge_target(proposal, number):
    """The item of the same session numbered `number` (并案), or None."""
    return Proposal.objects.filter(session=proposal.session, number=number.strip()).first()


def office_request_rows(roles):
    scope = roles.office_jurisdiction_ids
    related = ("assignment__proposal__session", "assignment__unit", "requested_by")
    return {
        "transfers": TransferRequest.objects.filter(
            state=Decision.PENDING, assignment__unit__jurisdiction_id__in=scope
        ).select_related(*related, "suggested_unit"),
        "extensions": Extension.objects.filter(
            state=Decision.PENDING, assignment__unit__jurisdiction_id__in=scope
        ).select_related(*related),
        "decided": TransferRequest.objects.filter(assignment__unit__jurisdiction_id__in=scope)
        .exclude(state=Decision.PENDING)
        .select_related(*related)
        .order_by("-decided_at"),
    }


# ---- the overdue monitor --------------------------------------------------------------------
COUNT_FILTERS = ("body", "session", "kind", "key")
DRILL = ("unit", "band", "state")
UNITS_SHOWN = 50


def monitor_rows(roles, data, today):
    filters = {k: data.get(k) for k in ("body", "session", "kind", "key")}
    return Assignment.objects.for_office(roles.office_jurisdiction_ids).of_items(filters).open()


def last_urged(**match):
    """When the unit (and item) matched was last urged: a subquery, no query of its own."""
    urges = Urge.objects.filter(**{key: OuterRef(column) for key, column in match.items()})
    return Subquery(urges.order_by("-urged_at").values("urged_at")[:1])


def monitor_list(rows, data, today):
    """The drill-down list: exactly the rows a count in the table stands for, each with
    when its unit was last urged about its item (`last_urged`)."""
    if data.get("unit"):
        rows = rows.filter(unit=data["unit"])
    if data.get("band"):
        rows = rows.in_band(data["band"], today)
    if data.get("state"):
        rows = rows.filter(state=data["state"])
    rows = rows.annotate(last_urged=last_urged(unit="unit_id", proposal="proposal_id"))
    return rows.with_item().order_by("due_on", "id")


def with_drill_links(by_unit, params):
    """Each count's drill-down query and the urge message, made here once per unit: built
    in the template they cost a third of a second for 300 units."""
    base = params.copy()
    for key in ("unit", "band", "state", "page"):
        base.pop(key, None)
    prefix = base.urlencode()
    prefix = prefix + "&" if prefix else ""
    for row in by_unit:
        unit = f"{prefix}unit={row['unit_id']}"
        row["cells"] = [(row[key], f"{unit}&band={key}") for key, *_rest in aging.AGING_BANDS]
        row["all_query"] = unit
        row["urge_message"] = _("贵单位有%(n)s件建议提案已逾期，请抓紧办理答复。") % {
            "n": row["overdue"]
        }
    return by_unit


def cached_band_counts(rows, roles, data, today):
    """The counts by unit and band, computed once per filter, day and audit-log position:
    every verb that changes an assignment's state or deadline writes a TransitionLog row, so
    a newer last id means the counts may have changed. The cache is per process (nothing new
    to fail), and the check costs one index lookup."""
    last = TransitionLog.objects.aggregate(last=Max("id"))["last"]
    scope = sorted(roles.office_jurisdiction_ids)
    chosen = [(k, str(getattr(data.get(k), "pk", data.get(k)))) for k in COUNT_FILTERS]
    key = "monitor:" + sha256(repr((scope, chosen, today, last)).encode()).hexdigest()

    def counted():
        # An urge writes its log row too: each unit's last urge is as fresh as the counts.
        return rows.band_counts(today, last_urged=last_urged(unit="unit_id"))

    return cache.get_or_set(key, counted, 3600)


def monitor_context(roles, data, params, today):
    """The monitor's table, chart and drill-down rows; `rows` and `count` are for the page's
    paginator (undrilled, the list is every open row the cached counts already add up)."""
    rows = monitor_rows(roles, data, today)
    by_unit, by_state = cached_band_counts(rows, roles, data, today)
    all_units = params.get("units") == "all"
    return {
        "today": today,
        "bands": aging.AGING_BANDS,
        "by_unit": with_drill_links(by_unit if all_units else by_unit[:UNITS_SHOWN], params),
        "units_hidden": 0 if all_units else max(0, len(by_unit) - UNITS_SHOWN),
        "chart": exports.aging_chart(by_unit),
        "by_state": sorted(by_state.items()),
        "rows": monitor_list(rows, data, today),
        "count": None if any(data.get(k) for k in DRILL) else sum(by_state.values()),
        "query": params.urlencode(),
        "drill": {k: data.get(k) for k in DRILL if data.get(k)},
        "state_labels": dict(AssignmentState.choices),
    }
