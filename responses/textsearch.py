"""Search for the office, the units and the public, and the similar-case panel of the item
page and the letter editor. The pieces and the index are proposals.textsearch; this module
decides who sees what: the office its jurisdictions' items, a unit the items assigned to it,
everyone the published replies (the public nothing else)."""

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, When, Window
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from proposals import textsearch
from proposals.models import Proposal, ProposalProposer, Session, TitlePieces
from proposals.params import plain_int
from workflow.models import Assignment, Unit

from .models import Opinion, Reply

KINDS = ("items", "replies")
EXPORT_LIMIT = 5000


def query_pieces(q):
    """The pieces of what was typed; a query of nothing but boilerplate keeps them all."""
    pieces = textsearch.grams(q)
    return textsearch.subject(pieces) or pieces


def visible_items(roles):
    """The items a signed-in user may open: the office's jurisdictions, a unit's assignments."""
    mine = Q(session__jurisdiction_id__in=roles.office_jurisdiction_ids)
    if roles.unit_ids:
        mine |= Q(pk__in=Assignment.objects.for_units(roles.unit_ids).values("proposal_id"))
    return Proposal.objects.filter(mine)


def published_replies():
    return Reply.objects.published().select_related(
        "assignment__proposal__session__jurisdiction", "assignment__unit"
    )


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
    rows = visible_items(roles).filter(textsearch.matches(Proposal, "search_grams", pieces))
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


def ranked_replies(rows, q):
    """Replies (already narrowed to what the reader may see) matching every piece, best
    first: the query in the reply's or its item's title, then the newest. The titles' pieces
    are stored with the reply, so ranking joins no hit to its item."""
    pieces = query_pieces(q)
    return (
        rows.filter(textsearch.matches(Reply, "search_grams", pieces))
        .annotate(
            in_title=Case(
                When(textsearch.matches(Reply, "title_grams", pieces), then=1),
                default=0,
                output_field=IntegerField(),
            ),
        )
        .order_by("-in_title", "-published_at", "-id")
    )


def hits_page(rows, number, per_page):
    """A page of ranked hits from one pass over them: the page's keys and the number of hits
    come from one query (count(*) OVER ()), then the page's rows with what they show.
    Counting and paging apart read every hit's row twice, and joining every hit to what a
    row shows before ranking costs more again (27,000 hits: 100 ms per pass)."""
    number = max(plain_int(number) or 1, 1)
    keys = rows.annotate(hits=Window(Count("pk"))).values_list("pk", "hits")
    found = list(keys[(number - 1) * per_page : number * per_page])
    if not found and number > 1:  # past the end: the last page, as Paginator.get_page does
        number = max(1, -(-rows.count() // per_page))
        found = list(keys[(number - 1) * per_page : number * per_page])
    order = [pk for pk, _hits in found]
    shown = {row.pk: row for row in rows.filter(pk__in=order)}
    paginator = Paginator(rows, per_page)
    paginator.count = found[0][1] if found else 0  # a cached_property: set, never counted
    return Page([shown[pk] for pk in order], number, paginator)


def reply_results(q, params):
    return ranked_replies(_filtered(published_replies(), params, "assignment__proposal__"), q)


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


# ---- showing a hit ----------------------------------------------------------------------------
def highlight(text, q, width=160):
    """An excerpt of `text` around the first hit, every hit of the query or its pieces marked.
    The text is escaped piece by piece: nothing in it can become markup."""
    text = text or ""
    terms = sorted({q, *query_pieces(q)} - {""}, key=len, reverse=True)
    spans, lowered = [], text.lower()
    for term in terms:
        start = lowered.find(term.lower())
        while start != -1:
            spans.append((start, start + len(term)))
            start = lowered.find(term.lower(), start + 1)
    spans = _merged(sorted(spans))
    first = spans[0][0] if spans else 0
    begin = max(0, first - width // 4)
    end = min(len(text), begin + width)
    out, cursor = ["…" if begin else ""], begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        out += [escape(text[cursor:start]), f"<mark>{escape(text[start:stop])}</mark>"]
        cursor = stop
    out += [escape(text[cursor:end]), "…" if end < len(text) else ""]
    return mark_safe("".join(out))  # noqa: S308 (every piece above is escaped)


def _merged(spans):
    merged = []
    for start, stop in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((start, stop))
    return merged


def public_text(reply):
    return reply.summary if reply.disclosure == "summary" else reply.body


# ---- similar earlier items -------------------------------------------------------------------
def similar_items(proposal, roles, limit=5, candidates=50):
    """The items most like this one that the user may learn from, with a similarity score
    (0–100) and the replies the user may read: the own unit's, and published ones.

    Candidates share at least one subject piece of the title (the GIN index finds them); the
    best 50 by shared pieces are scored in Python: title pieces weigh 70%, the text 30%."""
    title = textsearch.subject(textsearch.grams(proposal.title))
    body = textsearch.subject(textsearch.grams(proposal.body))
    if not title:
        return []
    # The best-ranked matches first, then which of them the user may learn from: asking both
    # at once makes PostgreSQL test the visibility of every match (tens of thousands).
    ranked = list(
        TitlePieces.objects.exclude(proposal_id=proposal.pk)
        .filter(textsearch.matches(TitlePieces, "grams", title, any_=True))
        .annotate(rank=textsearch.overlap(TitlePieces, "grams", title))
        .order_by("-rank", "-proposal_id")
        .values_list("proposal_id", flat=True)[: candidates * 4]
    )
    published = Q(pk__in=Reply.objects.published().values("assignment__proposal_id")) | Q(
        pk__in=Opinion.objects.published().values("assignment__proposal_id")
    )
    learnable = Q(pk__in=visible_items(roles).filter(pk__in=ranked).values("pk")) | published
    order = {pk: i for i, pk in enumerate(ranked)}
    rows = sorted(
        Proposal.objects.filter(learnable, pk__in=ranked).select_related("session"),
        key=lambda row: order[row.pk],
    )[:candidates]
    scored = []
    for row in rows:
        score = textsearch.jaccard(title, textsearch.subject(textsearch.grams(row.title)))
        if body and row.body:
            text = textsearch.jaccard(body, textsearch.subject(textsearch.grams(row.body)))
            score = round(0.7 * score + 0.3 * text)
        scored.append((score, row))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].received_at.timestamp()))
    best = [row for score, row in scored[:limit] if score > 0]
    scores = {row.pk: score for score, row in scored}
    replies = {}
    for model in (Reply, Opinion):
        for letter in (
            model.objects.citable_for(roles)
            .filter(assignment__proposal__in=best)
            .select_related("assignment__unit")
            .order_by("-sent_at")
        ):
            replies.setdefault(letter.assignment.proposal_id, []).append(letter)
    openable = set(
        visible_items(roles).filter(pk__in=[r.pk for r in best]).values_list("pk", flat=True)
    )
    return [
        {
            "item": row,
            "score": scores[row.pk],
            "replies": replies.get(row.pk, []),
            "openable": row.pk in openable,
        }
        for row in best
    ]


def with_excerpts(rows, q, kind):
    """Marks the hits on the rows of one page (titles and an excerpt of the text)."""
    for row in rows:
        if kind == "items":
            row.title_html, row.excerpt = highlight(row.title, q, 300), highlight(row.body, q)
        else:
            row.title_html = highlight(row.title, q, 300)
            row.item_title_html = highlight(row.assignment.proposal.title, q, 300)
            text = public_text(row)
            # the hit may be in the item's title only: then that is the excerpt
            hit = any(term in text for term in query_pieces(q))
            row.excerpt = highlight(text, q) if hit else row.item_title_html
    return rows


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
                p.received_at.date().isoformat(),
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
                r.published_at.date().isoformat() if r.published_at else "",
            ]
            for r in rows[:EXPORT_LIMIT]
        )
    return headers, body
