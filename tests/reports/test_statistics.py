"""The office's statistics: every figure of a small year computed by hand, the exports carry
the same figures, and the page costs the same queries for 5 items as for 25."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from reports import figures, yearend
from responses.actions import (
    add_commitment,
    publish_letter,
    record_feedback,
    save_letter,
    send_letter,
    sign_letter,
    start_opinion,
    start_reply,
    submit_letter,
)
from tests import factories
from workflow.actions import accept_assignment, assign_proposal
from workflow.models import DeadlineRule

pytestmark = pytest.mark.django_db
TODAY = date(2024, 7, 1)


def at(month, day):
    return timezone.make_aware(datetime(2024, month, day, 10, 0))


def send(assignment, clerk, leader, sent_on, class_label=None, opinion=False, **fields):
    start = start_opinion if opinion else start_reply
    letter = start(assignment, clerk, at=sent_on)
    if class_label:
        fields["class_label"] = class_label
    letter = save_letter(letter, clerk, body="现将办理情况答复如下……", **fields)
    if not opinion and letter.promises_work():
        add_commitment(
            letter, clerk, what="年内完成", due_kind="year", promised_on=date(2024, 12, 1)
        )
    letter = submit_letter(letter, clerk, at=sent_on)
    letter = sign_letter(letter, leader, at=sent_on)
    return send_letter(letter, clerk, at=sent_on)


@pytest.fixture
def year(office, kewei, clerk, leader):
    """kewei leads A1 (on time, 解决采纳, published, rated), A2 (late, 正在解决, rated 不满意 →
    re-handled) and A3 (never accepted, overdue); jiaowei co-handles A1 (opinion on time) and
    leads B2 (on time, 留作参考, withheld)."""
    jiaowei = factories.unit("上海市教育委员会", organ_code="沪教")
    j_clerk, j_leader = factories.member(jiaowei, "clerk"), factories.member(jiaowei, "leader")
    p1, p2 = factories.proposer("章毅"), factories.proposer("朱军红")

    a1, b1 = assign_proposal(
        factories.filed(office, proposers=[p1]), office, lead=kewei, co=[jiaowei], at=at(3, 1)
    )
    accept_assignment(a1, clerk, at=at(3, 4))
    accept_assignment(b1, j_clerk, at=at(3, 5))
    send(b1, j_clerk, j_leader, at(3, 20), opinion=True)
    factories.contacted(a1, clerk)
    r1 = send(a1, clerk, leader, at(5, 10), "解决采纳")
    publish_letter(r1, clerk)
    record_feedback(r1, p1, handling="satisfied", result="basic")

    (a2,) = assign_proposal(
        factories.filed(office, proposers=[p2]), office, lead=kewei, at=at(3, 1)
    )
    accept_assignment(a2, clerk, at=at(3, 15))
    factories.contacted(a2, clerk)
    r2 = send(a2, clerk, leader, at(6, 20), "正在解决")
    record_feedback(r2, p2, handling="basic", result="unsatisfied", comment="未落实")

    assign_proposal(factories.filed(office), office, lead=kewei, at=at(3, 1))

    (b2,) = assign_proposal(factories.filed(office), office, lead=jiaowei, at=at(3, 1))
    accept_assignment(b2, j_clerk, at=at(3, 4))
    factories.contacted(b2, j_clerk)
    send(
        b2,
        j_clerk,
        j_leader,
        at(5, 31),
        "留作参考",
        disclosure="withheld",
        withheld_reason="privacy",
    )
    return {"kewei": kewei, "jiaowei": jiaowei}


def report_for(office, data=None):
    """The stored figures once beat's refresh has run, checked against the direct count."""
    scope = office.office_memberships.values("jurisdiction_id")
    figures.refresh()
    report = figures.build_report(scope, data or {}, TODAY)
    assert yearend.tables(report) == yearend.tables(yearend.direct_report(scope, data or {}, TODAY))
    return report


def by_label(report):
    return {t.label: t for t in report.units}


def test_unit_figures_computed_by_hand(office, year):
    units = by_label(report_for(office))
    kewei, jiaowei = units["上海市科学技术委员会"], units["上海市教育委员会"]
    assert (kewei.assigned, kewei.accepted_on_time, kewei.accepted_on_time_rate) == (3, 1, 33.3)
    assert (kewei.replied, kewei.replied_on_time, kewei.overdue) == (1, 1, 1)
    assert kewei.on_time_rate == 50.0  # 1 on time of (1 replied + 1 overdue)
    assert kewei.average_days == 90.5  # (70 + 111) / 2: the re-handled item's first reply counts
    assert kewei.rehandled == 1
    assert (kewei.replies_out, kewei.published, kewei.published_rate) == (1, 1, 100.0)
    assert kewei.buckets["solved"] == 1 and kewei.solved_rate == 100.0
    assert (kewei.handling_rate, kewei.result_rate) == (100.0, 50.0)

    assert (jiaowei.assigned, jiaowei.accepted_on_time_rate) == (2, 100.0)
    assert (jiaowei.replied, jiaowei.replied_on_time, jiaowei.on_time_rate) == (2, 2, 100.0)
    assert jiaowei.average_days == 55.0  # opinion after 19 days, reply after 91
    assert (jiaowei.replies_out, jiaowei.published_rate, jiaowei.solved_rate) == (1, 0.0, 0.0)
    assert jiaowei.buckets["reference"] == 1
    assert jiaowei.handling_rate is None  # no form back: no rate, not 0%


def test_totals_and_the_session_row(office, year):
    report = report_for(office)
    total = report.total
    assert (total.assigned, total.replied, total.overdue) == (5, 3, 1)
    assert (total.accepted_on_time_rate, total.replied_rate, total.on_time_rate) == (
        60.0,
        60.0,
        75.0,
    )
    assert total.average_days == 72.8  # 291 days / 4 deliveries
    assert (total.solved_rate, total.published_rate) == (50.0, 50.0)
    (session,) = report.sessions
    assert session.label == str(factories.session()) and session.assigned == 5
    assert report.months == [
        {"month": "2024-03", "assigned": 5, "replied": 1},
        {"month": "2024-05", "assigned": 0, "replied": 2},
        {"month": "2024-06", "assigned": 0, "replied": 1},
    ]


def test_the_acceptance_rule_is_the_jurisdictions(office, year, shanghai):
    DeadlineRule.objects.create(jurisdiction=shanghai, kind="proposal", accept_working_days=15)
    units = by_label(report_for(office))
    assert units["上海市科学技术委员会"].accepted_on_time == 2  # 15 March is now in time


def test_filters_narrow_the_scope(office, year):
    assert report_for(office, {"year": 2023}).total.assigned == 0
    assert report_for(office, {"kind": "suggestion"}).total.assigned == 0
    assert report_for(office, {"body": "cppcc"}).total.assigned == 5


def test_the_page_shows_figures_charts_and_definitions(client, office, year):
    client.force_login(office)
    page = client.get("/office/statistics/?year=2024").content.decode()
    assert "按时答复率" in page and "解决采纳率" in page and "指标口径" in page
    assert "75.0" in page and "72.8" in page
    assert "承诺落实与办成率" in page and "办成率 <strong>50.0%</strong>" in page
    assert page.count("<svg") >= 3 and "上海市科学技术委员会：50.0%" in page


def test_the_workbook_has_every_table_with_the_same_figures(client, office, year):
    client.force_login(office)
    response = client.get("/office/statistics/export.xlsx?year=2024")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "按承办单位",
        "按届次会议",
        "办理结果",
        "满意度",
        "承诺落实与办成率",
        "承诺落实（按届次会议）",
        "按月趋势",
        "指标口径",
    ]
    rows = list(book["按承办单位"].iter_rows(values_only=True))
    assert rows[0][:3] == ("承办单位", "交办件数", "按时签收")
    assert rows[-1][0] == "合计" and rows[-1][1] == 5 and rows[-1][7] == 75.0
    # A2's first reply promised one thing (still open); A1 solved of two replies out
    promised = list(book["承诺落实与办成率"].iter_rows(values_only=True))
    assert promised[0][1:2] + promised[0][8:10] == ("承诺事项", "办成件数", "办成率%")
    assert promised[-1][:2] == ("合计", 1) and promised[-1][8:10] == (1, 50.0)
    assert promised[-1][1] == sum(promised[-1][2:7])  # on time, late, overdue, pending, dropped


def test_the_annual_summary_is_a_word_document(client, office, year):
    client.force_login(office)
    response = client.get("/office/statistics/summary.docx?year=2024&body=cppcc")
    document = Document(BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.startswith("2024年度政协建议提案办理工作统计")
    assert "共交办5件次，已答复3件次，答复率60.0%" in text
    assert "解决采纳率50.0%" in text
    assert document.tables[0].rows[-1].cells[0].text == "合计"
    assert "作出承诺事项1项" in text and "办成率50.0%" in text
    assert [t.rows[0].cells[1].text for t in document.tables][-1] == "承诺事项"


def test_the_page_costs_the_same_queries_however_many_items(client, office, kewei):
    client.force_login(office)
    assign_proposal(factories.filed(office), office, lead=kewei)
    factories.just_active(client)
    figures.refresh()
    with CaptureQueriesContext(connection) as few:
        client.get("/office/statistics/")
    for _ in range(20):
        assign_proposal(factories.filed(office), office, lead=factories.unit())
    figures.refresh()
    factories.just_active(client)
    with CaptureQueriesContext(connection) as many:
        client.get("/office/statistics/")
    print("STATISTICS PAGE QUERIES", len(many))
    assert len(many) == len(few) <= 14


def test_an_invalid_filter_field_is_shown_and_never_widens_the_rest(client, office, year):
    """A kind or session that is not there is an error on the page; the year still holds."""
    from django.http import QueryDict

    from reports.forms import StatisticsFilter

    scope = office.office_memberships.values_list("jurisdiction_id", flat=True)
    form = StatisticsFilter(QueryDict("year=2024&kind=bogus"), scope)
    assert form.filters()["year"] == 2024 and "kind" not in form.filters()
    client.force_login(office)
    page = client.get("/office/statistics/?year=2024&kind=bogus").content.decode()
    assert 'class="error" role="alert"' in page and "类型" in page
