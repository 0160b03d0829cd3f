"""Every list a user works from downloads as .xlsx with the rows the page lists (all of them,
not one page), and only what the user may see."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from responses.actions import publish_letter
from tests import factories
from workflow.actions import assign_proposal, request_transfer

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_inbox_exports_the_units_own_items_only(client, office, kewei, clerk):
    other = factories.unit("上海市教育委员会", organ_code="沪教")
    for n in range(30):  # more than one page
        assign_proposal(factories.filed(office, number=f"E{n}"), office, lead=kewei)
    assign_proposal(factories.filed(office, title="别的单位的件"), office, lead=other)
    client.force_login(clerk)
    rows = sheet_rows(client.get("/work/export.xlsx?state=open"))
    assert rows[0][:2] == ("届次会议", "案号") and len(rows) == 31
    assert all(r[5] == "上海市科学技术委员会" for r in rows[1:])
    assert not any("别的单位的件" in (r[3] or "") for r in rows)


def test_office_proposals_export_follows_the_search(client, office):
    factories.filed(office, title="关于加强干细胞临床研究监管的提案")
    factories.filed(office, title="关于优化中小学课后服务的提案")
    client.force_login(office)
    rows = sheet_rows(client.get("/office/proposals/export.xlsx?q=干细胞"))
    assert [r[3] for r in rows[1:]] == ["关于加强干细胞临床研究监管的提案"]
    assert rows[1][4] == "章毅" and rows[1][7] == "已立案"


def test_requests_export_lists_pending_transfers(client, office, kewei, clerk):
    (assignment,) = assign_proposal(factories.filed(office), office, lead=kewei)
    request_transfer(assignment, clerk, "不属于本单位职责", None)
    client.force_login(office)
    rows = sheet_rows(client.get("/office/requests/export.xlsx"))
    assert rows[1][0] == "申请调整" and rows[1][4] == "不属于本单位职责"


def test_publication_export_lists_published_and_awaiting_feedback(
    client, office, kewei, clerk, leader
):
    reply = factories.sent_reply(office, clerk, leader, kewei)
    publish_letter(reply, clerk)
    client.force_login(office)
    rows = sheet_rows(client.get("/office/publication/export.xlsx"))
    kinds = [r[0] for r in rows[1:]]
    assert "已公开" in kinds and "待反馈" in kinds
    assert any(r[7] == "章毅" for r in rows[1:])


def test_a_cell_that_looks_like_a_formula_stays_text(client, office):
    factories.filed(office, title='=HYPERLINK("http://example.invalid")')
    client.force_login(office)
    rows = sheet_rows(client.get("/office/proposals/export.xlsx"))
    assert rows[1][3].startswith("'=")
