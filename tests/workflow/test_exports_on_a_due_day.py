"""Every download (each .xlsx list, the statistics workbook and Word summary, the import's error
report) works on a day when rows are overdue, due today and due later, in Chinese and in
English, and says each row's deadline in the words the page uses.

The monitor and the inbox exports used to answer 500 whenever a row was due today: the lazy
translation 今日到期 reached openpyxl as an object it cannot write."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from tests import factories
from workflow.actions import accept_assignment, assign_proposal, request_extension, request_transfer
from workflow.exports import safe_cell
from workflow.models import Assignment, ItemImport

pytestmark = pytest.mark.django_db

# A Wednesday: no holiday near it.
DAY = datetime(2025, 6, 11, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

WORDS = {
    "zh-hans": {"over": "逾期3日", "today": "今日到期", "later": "剩12日"},
    "en": {"over": "3 days overdue", "today": "Due today", "later": "12 days left"},
}
SAID = {  # a heading or label of each download, as each language says it
    "zh-hans": {
        "session": "届次会议",
        "category": "类别",
        "transfer": "申请调整",
        "extension": "申请延期",
        "to_publish": "待公开",
        "awaiting": "待反馈",
        "overdue": "逾期未答复",
        "row": "行",
        "summary": "统计日仍逾期未答复1件次",
    },
    "en": {
        "session": "Session",
        "category": "Category",
        "transfer": "Reassignment request",
        "extension": "Request extension",
        "to_publish": "To publish",
        "awaiting": "Awaiting feedback",
        "overdue": "Overdue, no reply",
        "row": "Row",
        "summary": "1 still overdue without reply",
    },
}
TITLES = {
    "over": "关于逾期三日的提案",
    "today": "关于今日到期的提案",
    "later": "关于下月到期的提案",
}


@pytest.fixture
def due_day():
    with time_machine.travel(DAY, tick=False):
        yield timezone.localdate()


@pytest.fixture
def world(due_day, office, kewei, clerk, leader):
    """Three open rows of the clerk's unit (3 days over, due today, 12 days left), a pending
    transfer and extension, and a sent reply waiting to be published and rated."""
    rows = {}
    for key, title in TITLES.items():
        (assignment,) = assign_proposal(factories.filed(office, title=title), office, lead=kewei)
        if key != "later":
            assignment = accept_assignment(assignment, clerk)
        rows[key] = assignment
    shift = {"over": -3, "today": 0, "later": 12}
    for key, assignment in rows.items():
        Assignment.objects.filter(pk=assignment.pk).update(
            due_on=due_day + timedelta(days=shift[key])
        )
    request_transfer(rows["later"], clerk, "不属于本单位职责", None)
    request_extension(rows["over"], clerk, due_day + timedelta(days=20), "需要调研")
    factories.sent_reply(office, clerk, leader, kewei, title="关于已答复件的提案")
    return rows


def speak(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def sheet_rows(response, sheet=None):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    return list((book[sheet] if sheet else book.active).iter_rows(values_only=True))


def row_of(rows, title):
    (row,) = [r for r in rows if title in r]
    return row


LANGUAGES = pytest.mark.parametrize("language", ["zh-hans", "en"])


@LANGUAGES
@pytest.mark.parametrize(
    "user, path",
    [
        ("office", "/office/monitor/export.xlsx"),
        ("clerk", "/work/export.xlsx"),
    ],
)
def test_deadline_lists_say_each_rows_standing(client, world, language, user, path, office, clerk):
    client.force_login({"office": office, "clerk": clerk}[user])
    speak(client, language)
    rows = sheet_rows(client.get(path))
    assert rows[0][0] == SAID[language]["session"]
    for key, title in TITLES.items():
        assert row_of(rows, title)[-1] == WORDS[language][key], key
    # in due order: the overdue row first, then today's, then the later one
    order = [r[3] for r in rows[1:] if r[3] in TITLES.values()]
    assert order == [TITLES["over"], TITLES["today"], TITLES["later"]]


@LANGUAGES
def test_the_monitor_drilled_to_todays_band_exports_that_row(client, world, language, office):
    client.force_login(office)
    speak(client, language)
    rows = sheet_rows(client.get("/office/monitor/export.xlsx?band=due_today"))
    assert [r[-1] for r in rows[1:]] == [WORDS[language]["today"]]


@LANGUAGES
def test_the_office_item_list_exports_every_item(client, world, language, office):
    client.force_login(office)
    speak(client, language)
    rows = sheet_rows(client.get("/office/proposals/export.xlsx"))
    assert rows[0][0] == SAID[language]["session"]
    titles = {r[3] for r in rows[1:]}
    assert set(TITLES.values()) <= titles


@LANGUAGES
def test_the_requests_export_lists_the_transfer_and_the_extension(
    client, world, language, office, due_day
):
    client.force_login(office)
    speak(client, language)
    rows = sheet_rows(client.get("/office/requests/export.xlsx"))
    assert rows[0][0] == SAID[language]["category"]
    assert row_of(rows, TITLES["later"])[0] == SAID[language]["transfer"]
    extension = row_of(rows, TITLES["over"])
    assert extension[0] == SAID[language]["extension"]
    assert extension[6] == f"{due_day - timedelta(days=3)} → {due_day + timedelta(days=20)}"


@LANGUAGES
def test_the_publication_export_lists_the_sent_reply(client, world, language, office):
    client.force_login(office)
    speak(client, language)
    rows = sheet_rows(client.get("/office/publication/export.xlsx"))
    kinds = {r[0] for r in rows[1:]}
    assert {SAID[language]["to_publish"], SAID[language]["awaiting"]} <= kinds


@LANGUAGES
def test_the_statistics_workbook_counts_the_overdue_row(client, world, language, office):
    client.force_login(office)
    speak(client, language)
    response = client.get("/office/statistics/export.xlsx")
    book = load_workbook(BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    column = rows[0].index(SAID[language]["overdue"])
    assert rows[-1][column] == 1  # the total: only the row three days over


@LANGUAGES
def test_the_word_summary_counts_the_overdue_row(client, world, language, office):
    client.force_login(office)
    speak(client, language)
    response = client.get("/office/statistics/summary.docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
    assert SAID[language]["summary"] in text


@LANGUAGES
def test_the_search_export_lists_the_items(client, world, language, clerk):
    client.force_login(clerk)
    speak(client, language)
    rows = sheet_rows(client.get("/search/export.xlsx?q=到期"))
    assert rows[0][0] == SAID[language]["session"]
    assert {r[3] for r in rows[1:]} == {TITLES["today"], TITLES["later"]}


@LANGUAGES
def test_the_import_error_report_and_template_download(client, world, language, office, shanghai):
    record = ItemImport.objects.create(
        jurisdiction=shanghai,
        file="imports/x.xlsx",
        name="x.xlsx",
        created_by=office,
        state="refused",
        report=[
            {
                "row": 2,
                "status": "error",
                "errors": [["主办单位", "找不到承办单位"]],
                "values": {"number": "1136", "title": "=危险的案由"},
            }
        ],
    )
    client.force_login(office)
    speak(client, language)
    rows = sheet_rows(client.get(f"/office/proposals/import/{record.pk}/errors.xlsx"))
    assert rows[0][0] == SAID[language]["row"]
    assert rows[1] == (2, "主办单位", "找不到承办单位", "1136", "'=危险的案由")
    template = client.get("/office/proposals/import/template.xlsx")
    assert template.status_code == 200
    assert load_workbook(BytesIO(template.content)).active.max_row == 2


def test_every_cell_value_is_written_as_excel_takes_it():
    from django.utils.translation import gettext_lazy, override

    with override("en"):
        assert safe_cell(gettext_lazy("今日到期")) == "Due today"
    aware = datetime(2025, 6, 11, 2, 0, tzinfo=ZoneInfo("UTC"))
    assert safe_cell(aware) == datetime(2025, 6, 11, 10, 0)  # Shanghai wall-clock time
    assert safe_cell(3) == 3 and safe_cell(None) is None and safe_cell(True) is True
    assert safe_cell(["a"]) == "['a']"
    assert safe_cell(gettext_lazy("-x")) == "'-x"
