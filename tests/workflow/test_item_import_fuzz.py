"""Hostile workbooks: every cell a stranger could type, and files that are no workbook at all.
The office always gets a result per row or a reason for the file, never a server error, and a
save is whole or nothing."""

import zipfile
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from proposals.models import Proposal
from tests import factories
from workflow import item_import
from workflow.actions import import_items
from workflow.models import ItemImport

pytestmark = pytest.mark.django_db
HEADERS = [str(h) for _k, h, *_ in item_import.COLUMNS]
CELL = st.one_of(
    st.none(),
    st.text(max_size=400),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1)),
    st.sampled_from(
        [
            "=1+1",
            '=HYPERLINK("http://example.invalid","x")',
            "@SUM(A1:A9)",
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "提案",
            "建议",
            "市政协十四届二次会议",
            "上海市科学技术委员会",
            "2024年2月30日",
            "章毅、、，张远波",
            "是",
            "A" * 5000,
        ]
    ),
)


def workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        # A real .xlsx cannot hold these control characters; openpyxl refuses to write them.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def world(shanghai, office, kewei):
    factories.session(shanghai)
    return shanghai


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(CELL, min_size=12, max_size=12), min_size=1, max_size=4))
def test_any_cells_give_a_result_per_row_and_a_whole_save(office, world, rows):
    try:
        read = item_import.read_workbook(workbook(rows))
    except item_import.WorkbookRefused as refusal:
        assert str(refusal)  # a blank sheet: refused with a reason
        return
    results = item_import.check(read, world)
    assert [r.row for r in results] == [number for number, _texts in read]
    for result in results:
        assert result.status in {"new", "exists", "error"}
        assert all(column in HEADERS and problem for column, problem in result.errors)
    new = [r.item for r in results if r.status == "new"]
    before = Proposal.objects.count()
    if new and not any(r.status == "error" for r in results):
        created = import_items(office, world, new)
        assert Proposal.objects.count() == before + len(created) == before + len(new)
        for item in created:  # text stays text: a formula or a tag is stored as typed
            assert Proposal.objects.get(pk=item.pk).title == item.title


BROKEN = {
    "text.xlsx": "这不是表格".encode(),
    "gb18030.xlsx": "类型,届次会议,案号\n提案,市政协十四届二次会议,1\n".encode("gb18030"),
    "other.xlsx": None,  # a zip that is no workbook, built below
    "empty.xlsx": b"",
}


def zip_without_workbook():
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def header_only():
    book = Workbook()
    book.active.append(HEADERS)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def missing_columns():
    book = Workbook()
    book.active.append(["类型", "案由"])
    book.active.append(["提案", "案由"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("text.xlsx", BROKEN["text.xlsx"], "不是Excel工作簿"),
        ("gb18030.xlsx", BROKEN["gb18030.xlsx"], "不是Excel工作簿"),
        ("other.xlsx", zip_without_workbook(), "无法读取"),
        ("header.xlsx", header_only(), "没有数据行"),
        ("columns.xlsx", missing_columns(), "缺少必填列：届次会议、案号、提出人"),
    ],
)
def test_a_file_that_is_no_usable_workbook_is_refused_with_its_reason(
    client, office, world, django_capture_on_commit_callbacks, name, data, reason
):
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/office/proposals/import/", {"file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    record = ItemImport.objects.get()
    assert record.state == "refused" and reason in record.message
    assert reason in page and "确认导入" not in page
    assert not Proposal.objects.exists()


def test_an_empty_upload_and_an_oversized_one_are_refused_on_the_form(client, office, world):
    client.force_login(office)
    empty = client.post("/office/proposals/import/", {"file": SimpleUploadedFile("e.xlsx", b"")})
    assert empty.status_code == 200 and "空文件" in empty.content.decode()
    big = SimpleUploadedFile("big.xlsx", b"0" * (item_import.MAX_BYTES + 1))
    refused = client.post("/office/proposals/import/", {"file": big}, follow=True)
    assert "文件超过10MB" in refused.content.decode()
    assert not ItemImport.objects.exists()


def test_progress_is_shown_while_the_worker_checks(client, office, world):
    record = ItemImport.objects.create(
        jurisdiction=world, name="大文件.xlsx", created_by=office, total=10000, progress=2500
    )
    client.force_login(office)
    partial = client.get(f"/office/proposals/import/{record.pk}/", HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "<html" not in html  # only the status block is swapped
    assert 'hx-trigger="every 1s"' in html and "已检查 2500 / 10000 行" in html
    assert '<progress value="2500" max="10000">' in html
