"""Finding items and letters by their words, for every page that does: the pieces of a query,
the items a signed-in user may open, replies ranked for a query, a page of hits, the hits
marked in an excerpt, and the similar-case panel of the item page and the letter editor. The
pieces and the index are proposals.bigrams; the search page of the office and the units is
search/ (above this app), the public list of replies is here."""

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, IntegerField, Q, When, Window
from django.utils.html import escape
from django.utils.safestring import mark_safe

from proposals import bigrams
from proposals.models import Proposal, TitlePieces
from proposals.params import plain_int
from workflow.models import Assignment
from workflow.roles import Roles

from .models import Opinion, Reply


def query_pieces(q):
    """The pieces of what was typed; a query of nothing but boilerplate keeps them all."""
    pieces = bigrams.grams(q)
    return bigrams.subject(pieces) or pieces


def visible_items(roles):
    """The items a signed-in user may open: the office's jurisdictions, a unit's assignments."""
    mine = Q(session__jurisdiction_id__in=roles.office_jurisdiction_ids)
    if roles.unit_ids:
        mine |= Q(pk__in=Assignment.objects.for_units(roles.unit_ids).values("proposal_id"))
    return Proposal.objects.filter(mine)


def ranked_replies(rows, q):
    """Replies (already narrowed to what the reader may see) matching every piece, best
    first: the query in the reply's or its item's title, then the newest. The titles' pieces
    are stored with the reply, so ranking joins no hit to its item."""
    pieces = query_pieces(q)
    return (
        rows.filter(bigrams.matches(Reply, "search_grams", pieces))
        .annotate(
            in_title=Case(
                When(bigrams.matches(Reply, "title_grams", pieces), then=1),
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
    found = _similar(proposal.title, proposal.body, proposal.pk, roles, limit, candidates)
    # One of the same session is a likely duplicate (to merge), not a precedent to learn from.
    for row in found:
        row["same_session"] = row["item"].session_id == proposal.session_id
    return found


def similar_for_title(title, body="", roles=None, limit=5, candidates=50):
    """The similar-case check while a proposer types a title (网上提交, issue 22): earlier
    items like it and the replies they may read. Without `roles` (a proposer, who works in
    no office or unit), only items with a published letter, and only published letters."""
    return _similar(title, body, None, roles or Roles(AnonymousUser()), limit, candidates)


def _similar(title_text, body_text, own_pk, roles, limit, candidates):
    title = bigrams.subject(bigrams.grams(title_text))
    body = bigrams.subject(bigrams.grams(body_text))
    if not title:
        return []
    rows = _learnable_candidates(own_pk, title, roles, candidates)
    scored = sorted(
        ((_similarity(title, body, row), row) for row in rows),
        key=lambda pair: (-pair[0], -pair[1].received_at.timestamp()),
    )
    best = [row for score, row in scored[:limit] if score > 0]
    scores = {row.pk: score for score, row in scored}
    replies = _citable_letters(best, roles)
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


def _learnable_candidates(own_pk, title, roles, candidates):
    """The items sharing most title pieces with this one that the user may learn from (their
    own, or with a published letter), best first."""
    # The best-ranked matches first, then which of them the user may learn from: asking both
    # at once makes PostgreSQL test the visibility of every match (tens of thousands).
    ranked = list(
        TitlePieces.objects.exclude(proposal_id=own_pk)
        .filter(bigrams.matches(TitlePieces, "grams", title, any_=True))
        .annotate(rank=bigrams.overlap(TitlePieces, "grams", title))
        .order_by("-rank", "-proposal_id")
        .values_list("proposal_id", flat=True)[: candidates * 4]
    )
    published = Q(pk__in=Reply.objects.published().values("assignment__proposal_id")) | Q(
        pk__in=Opinion.objects.published().values("assignment__proposal_id")
    )
    learnable = Q(pk__in=visible_items(roles).filter(pk__in=ranked).values("pk")) | published
    order = {pk: i for i, pk in enumerate(ranked)}
    return sorted(
        Proposal.objects.filter(learnable, pk__in=ranked).select_related("session"),
        key=lambda row: order[row.pk],
    )[:candidates]


def _similarity(title, body, row):
    """0–100: the title pieces shared, and when both have a text, 30% from the text's."""
    score = bigrams.jaccard(title, bigrams.subject(bigrams.grams(row.title)))
    if body and row.body:
        text = bigrams.jaccard(body, bigrams.subject(bigrams.grams(row.body)))
        score = round(0.7 * score + 0.3 * text)
    return score


def _citable_letters(items, roles):
    """The replies and opinions on these items the user may cite, newest first, by item."""
    letters = {}
    for model in (Reply, Opinion):
        for letter in (
            model.objects.citable_for(roles)
            .filter(assignment__proposal__in=items)
            .select_related("assignment__unit")
            .order_by("-sent_at")
        ):
            letters.setdefault(letter.assignment.proposal_id, []).append(letter)
    return letters


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
