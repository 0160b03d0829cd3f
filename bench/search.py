"""Search figures for `bench.measure`: the public search page, the office's search page and
the similar-case lookup, each against its one-statement lower bound."""

from django.test import Client

from proposals import bigrams
from proposals.models import Proposal
from responses.textsearch import similar_items
from workflow.roles import Roles

QUERY = "干细胞治疗"


def public_page(url):
    client = Client(HTTP_HOST="localhost")

    def get():
        assert client.get(url).status_code == 200

    return get


def tsquery(pieces, joiner):
    return joiner.join(f"'{p}'" for p in pieces)


def figures(office, runs, timed, lower_bound, figure, page):
    pieces = bigrams.grams(QUERY)
    vector = "array_to_tsvector(array_remove(string_to_array({}, ' '), ''))"
    public_sql = f"""
        SELECT r.id, r.title FROM responses_reply r
        WHERE r.state = 'published' AND {vector.format("r.search_grams")} @@ %s::tsquery
        ORDER BY r.published_at DESC LIMIT 25"""
    items_sql = f"""
        SELECT p.id, p.title FROM proposals_proposal p
        WHERE {vector.format("p.search_grams")} @@ %s::tsquery
        ORDER BY p.received_at DESC LIMIT 25"""
    item = Proposal.objects.filter(title__contains="干细胞").order_by("id").first()
    title = bigrams.subject(bigrams.grams(item.title))
    similar_sql = f"""
        SELECT t.proposal_id FROM proposals_titlepieces t
        WHERE {vector.format("t.grams")} @@ %s::tsquery AND t.proposal_id <> %s
        ORDER BY ts_rank({vector.format("t.grams")}, %s::tsquery) DESC LIMIT 50"""
    roles = Roles.of(office)
    every, any_ = tsquery(pieces, " & "), tsquery(title, " | ")
    return [
        figure(
            f"public search “{QUERY}” (page of 25, ranked)",
            timed(public_page(f"/public/?q={QUERY}"), runs),
            lower_bound(public_sql, [every], runs),
            public_sql,
        ),
        figure(
            f"office search “{QUERY}” over items (page of 25, ranked)",
            timed(page(office, f"/search/?q={QUERY}"), runs),
            lower_bound(items_sql, [every], runs),
            items_sql,
        ),
        figure(
            "similar-case lookup (5 best of 50 candidates, with readable replies)",
            timed(lambda: similar_items(item, roles), runs),
            lower_bound(similar_sql, [any_, item.pk, any_], runs),
            similar_sql,
        ),
    ]
