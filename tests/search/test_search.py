"""Chinese search for the office and the units: every piece of the query must be there, the
phrase in a title ranks first, hits are marked without letting text become markup, and each
reader finds only what they may open; the public searches published replies only."""

from io import BytesIO

import pytest
from django.db import connection
from openpyxl import load_workbook

from proposals.models import Proposal
from responses.actions import (
    publish_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
)
from tests import factories
from tests.services import require_postgres
from workflow.actions import assign_proposal

pytestmark = pytest.mark.django_db


def titles(response):
    return [row.title for row in response.context["page"]]


@pytest.fixture
def items(office, kewei):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    made = {
        "title": factories.filed(office, title="关于扶持干细胞治疗产业的提案"),
        "body": factories.filed(
            office, title="关于完善医疗保障的提案", body="建议将干细胞治疗纳入医保支付试点。"
        ),
        "neither": factories.filed(office, title="关于优化课后服务的提案", body="课后服务"),
        "other_unit": factories.filed(office, title="关于干细胞治疗监管的提案"),
    }
    for key in ("title", "body", "neither"):
        assign_proposal(made[key], office, lead=kewei)
    assign_proposal(made["other_unit"], office, lead=other)
    return made


def test_every_piece_must_match_and_the_title_phrase_ranks_first(client, office, items):
    client.force_login(office)
    found = titles(client.get("/search/", {"q": "干细胞治疗"}))
    assert set(found[:2]) == {"关于扶持干细胞治疗产业的提案", "关于干细胞治疗监管的提案"}
    assert found[2:] == ["关于完善医疗保障的提案"]  # the phrase only in its text
    assert titles(client.get("/search/", {"q": "干细胞 课后"})) == []


def test_hits_are_marked_and_text_stays_text(client, office, kewei):
    item = factories.filed(office, title="关于<script>alert(1)</script>干细胞的提案")
    assign_proposal(item, office, lead=kewei)
    client.force_login(office)
    page = client.get("/search/", {"q": "干细胞"}).content.decode()
    assert "<mark>干细胞</mark>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_a_unit_finds_its_own_items_only(client, clerk, items):
    client.force_login(clerk)
    found = titles(client.get("/search/", {"q": "干细胞"}))
    assert "关于干细胞治疗监管的提案" not in found  # assigned to another unit
    assert "关于扶持干细胞治疗产业的提案" in found


def test_replies_tab_lists_published_replies_only(client, office, kewei, clerk, leader):
    published = factories.sent_reply(office, clerk, leader, kewei, title="关于干细胞库的提案")
    publish_letter(published, clerk)
    factories.sent_reply(office, clerk, leader, kewei, title="关于干细胞伦理的提案")  # sent only
    client.force_login(clerk)
    rows = client.get("/search/", {"q": "干细胞", "kind": "replies"}).context["page"]
    assert [r.pk for r in rows] == [published.pk]


def test_filters_by_year_body_and_unit(client, office, items, kewei):
    client.force_login(office)
    assert len(titles(client.get("/search/", {"q": "干细胞", "unit": kewei.pk}))) == 2
    assert titles(client.get("/search/", {"q": "干细胞", "year": "2019"})) == []
    assert titles(client.get("/search/", {"q": "干细胞", "body": "npc"})) == []
    assert client.get("/search/", {"q": "干细胞", "year": "²"}).status_code == 200


def test_results_export_to_excel(client, office, items):
    client.force_login(office)
    response = client.get("/search/export.xlsx", {"q": "干细胞治疗"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("届次会议", "案号", "类型", "案由")
    assert {r[3] for r in rows[1:]} == {
        "关于扶持干细胞治疗产业的提案",
        "关于完善医疗保障的提案",
        "关于干细胞治疗监管的提案",
    }


def test_only_the_office_and_units_search(client, office):
    assert client.get("/search/").status_code == 302  # to the login page
    client.force_login(factories.user("nobody"))
    assert client.get("/search/").status_code == 403


def test_the_public_searches_what_was_published(client, office, kewei, clerk, leader):
    full = factories.sent_reply(office, clerk, leader, kewei, title="关于干细胞库建设的提案")
    publish_letter(full, clerk)
    assignment = factories.accepted(office, clerk, kewei, title="关于再生医学的提案")
    factories.contacted(assignment, clerk)
    summary = start_reply(assignment, clerk)
    summary = save_letter(
        summary,
        clerk,
        body="正文提到了脐带血干细胞的内部数据。",
        class_label="解决采纳",
        disclosure="summary",
        summary="摘要：支持再生医学研究。",
    )
    submit_letter(summary, clerk)
    sign_letter(summary, leader)
    publish_letter(send_letter(summary, clerk), clerk)
    page = client.get("/public/", {"q": "干细胞"})
    assert [r.pk for r in page.context["page"]] == [full.pk]  # the summary's body is not public
    assert [r.pk for r in client.get("/public/", {"q": "再生医学"}).context["page"]] == [summary.pk]
    assert "<mark>" in page.content.decode()


@pytest.mark.services
def test_postgresql_answers_from_the_gin_index(office, items):
    require_postgres()
    from proposals import bigrams

    rows = Proposal.objects.filter(
        bigrams.matches(Proposal, "search_grams", bigrams.grams("干细胞"))
    ).order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = rows.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "proposal_search_grams_gin" in plan


def test_a_very_long_latin_word_is_stored_and_found_by_its_start(office):
    from proposals.bigrams import LONGEST_WORD, grams

    word = "A" * 5000
    assert grams(word) == ["a" * LONGEST_WORD]
    item = factories.proposal(office, title="关于某事的提案", body=f"附件 {word}")
    assert Proposal.objects.filter(pk=item.pk).exists()
