"""The search page of the office and the units: items and published replies matching a
query, narrowed by year, body and unit, and the same results as a spreadsheet. Who may open
which item, ranking and marking hits are asked of responses.textsearch."""

from django.db.models import Case, IntegerField, Prefetch, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from proposals import bigrams
from proposals.models import Proposal, ProposalProposer, Session
from proposals.params import plain_int
from responses.models import Reply
from responses.selectors import public_queryset
from responses.textsearch import query_pieces, ranked_replies, visible_items
from workflow.models import Unit

KINDS = ("items", "replies")
EXPORT_LIMIT = 5000


def _filtered(rows, params, prefix):
    year, body, unit = (params.get(k, "") for k in ("year", "body", "unit"))
    if plain_int(year) is not None:
        rows = rows.filter(**{f"{prefix}session__year": plain_int(year)})
    if body in Session.Body.values:
        rows = rows.filter(**{f"{prefix}session__body": body})
    if plain_int(unit) is not None:
        if prefix:
            rows = rows.filter(assignment__unit_id=plain_int(unit))
        else:
            rows = rows.filter(assignments__unit_id=plain_int(unit)).distinct()
    return rows


def item_results(roles, q, params):
    """The items matching every piece of the query, best first: the phrase in the title, then
    the newest."""
    pieces = query_pieces(q)
    rows = visible_items(roles).filter(bigrams.matches(Proposal, "search_grams", pieces))
    rows = _filtered(rows, params, "")
    # Every hit holds every piece already; the phrase in the title is what tells them apart.
    # (Ranking by shared pieces rebuilt each hit's pieces: 250 ms more at 27,000 hits.)
    return (
        rows.annotate(
            in_title=Case(When(title__contains=q, then=1), default=0, output_field=IntegerField()),
        )
        .order_by("-in_title", "-received_at", "-id")
        .select_related("session")
        .prefetch_related(
            Prefetch("signatories", queryset=ProposalProposer.objects.select_related("proposer"))
        )
    )


def reply_results(q, params):
    return ranked_replies(_filtered(public_queryset(), params, "assignment__proposal__"), q)


def search(roles, params):
    """What the search page lists for one request: the rows (not yet paged) and the choices."""
    q = (params.get("q") or "").strip()[:100]
    kind = params.get("kind") if params.get("kind") in KINDS else "items"
    if not q:
        rows = Proposal.objects.none() if kind == "items" else Reply.objects.none()
    elif kind == "items":
        rows = item_results(roles, q, params)
    else:
        rows = reply_results(q, params)
    scope = Session.objects.filter(jurisdiction_id__in=roles.office_jurisdiction_ids)
    if roles.unit_ids:
        scope = Session.objects.filter(
            Q(jurisdiction_id__in=roles.office_jurisdiction_ids)
            | Q(jurisdiction__units__id__in=roles.unit_ids)
        )
    return {
        "q": q,
        "kind": kind,
        "rows": rows,
        "years": sorted(set(scope.values_list("year", flat=True)), reverse=True),
        "bodies": Session.Body.choices,
        # (value, name) pairs: hundreds of units, rendered as options without a model each
        "units": [
            (str(pk), name)
            for pk, name in Unit.objects.filter(
                Q(jurisdiction_id__in=roles.office_jurisdiction_ids) | Q(pk__in=roles.unit_ids)
            )
            .order_by("name")
            .values_list("pk", "name")
        ],
        "selected": {k: params.get(k, "") for k in ("year", "body", "unit")},
    }


def export_rows(rows, kind):
    """The search results as spreadsheet rows (at most EXPORT_LIMIT)."""
    if kind == "items":
        headers = [_("届次会议"), _("案号"), _("类型"), _("案由"), _("提出人"), _("状态")]
        headers.append(_("收到日期"))
        body = (
            [
                str(p.session),
                p.number,
                p.get_kind_display(),
                p.title,
                "、".join(s.proposer.name for s in p.signatories.all()),
                p.get_state_display(),
                timezone.localdate(p.received_at).isoformat(),
            ]
            for p in rows[:EXPORT_LIMIT]
        )
    else:
        headers = [_("届次会议"), _("案号"), _("答复标题"), _("承办单位"), _("办理结果")]
        headers.append(_("公开日期"))
        body = (
            [
                str(r.assignment.proposal.session),
                r.assignment.proposal.number,
                r.title,
                r.assignment.unit.name,
                r.get_result_bucket_display(),
                timezone.localdate(r.published_at).isoformat() if r.published_at else "",
            ]
            for r in rows[:EXPORT_LIMIT]
        )
    return headers, body
