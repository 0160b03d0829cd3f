"""Excel intake: the office uploads a workbook, reads every row's result, and saves it whole
once it is clean; importing the same file again adds nothing."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from proposals.models import Proposal, Session
from tests import factories
from workflow import item_import
from workflow.models import Assignment, ItemImport, TransitionLog

pytestmark = pytest.mark.django_db

HEADERS = [str(h) for _k, h, *_ in item_import.COLUMNS]


def workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(n, session="市政协十四届二次会议"):
    units = ["上海市科学技术委员会", "上海市卫生健康委员会", "上海市经济和信息化委员会"]
    return [
        [
            "提案",
            session,
            str(2000 + i),
            f"关于推进第{i}项科技成果转化的提案",
            f"委员{i % 37}、委员{(i + 1) % 37}",
            "正文",
            "科技",
            "是" if i % 50 == 0 else "否",
            units[i % 3],
            units[(i + 1) % 3] if i % 4 == 0 else "",
            "",
            date(2024, 3, 5),
        ]
        for i in range(n)
    ]


@pytest.fixture
def world(shanghai, office, kewei):
    factories.session(shanghai)  # 市政协十四届二次会议
    factories.unit("上海市卫生健康委员会", shanghai, organ_code="沪卫")
    factories.unit("上海市经济和信息化委员会", shanghai, organ_code="沪经信")
    return shanghai


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """Requests whose background task runs when they commit, as a worker would."""

    def run(client, path, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(path, data or {})
        # The page the office lands on, read once the task has run.
        redirected = response.status_code == 302
        return client.get(response["Location"], follow=True) if redirected else response

    return run


@pytest.fixture
def upload(worker):
    def send(client, data, name="import.xlsx"):
        return worker(client, "/office/proposals/import/", {"file": SimpleUploadedFile(name, data)})

    return send


def test_a_thousand_rows_with_five_errors_report_exactly_those_and_save_nothing(
    client, office, world, upload
):
    rows = good_rows(1000)
    rows[10][8] = "上海市不存在委员会"  # row 12: unknown unit
    rows[20][2] = rows[19][2]  # row 22: duplicate number (row 21 has it)
    rows[30][8], rows[30][9] = "", "上海市卫生健康委员会"  # row 32: co-handler, no lead
    rows[40][11] = "2024年13月40日"  # row 42: bad date
    rows[50][1] = "市政协九十九届一次会议"  # row 52: unknown session
    client.force_login(office)

    page = upload(client, workbook(rows)).content.decode()

    record = ItemImport.objects.get()
    assert record.state == "refused"
    found = sorted(
        (row["row"], column) for row in record.report for column, _problem in row["errors"]
    )
    assert found == [
        (12, "主办单位"),
        (22, "案号"),
        (32, "主办单位"),
        (42, "交办日期"),
        (52, "届次会议"),
    ]
    assert record.counts == {"new": 995, "exists": 0, "error": 5}
    assert "“上海市不存在委员会”不是本行政区的承办单位" in page
    assert "案号与第21行重复" in page
    assert "有会办单位时必须填写主办单位" in page
    assert "日期无法识别" in page and "未找到届次会议“市政协九十九届一次会议”" in page
    assert "确认导入" not in page
    assert not Proposal.objects.exists()

    # The errors as a sheet to fix the file from.
    errors = client.get(f"/office/proposals/import/{record.pk}/errors.xlsx")
    sheet = load_workbook(BytesIO(errors.content)).active
    assert [c.value for c in sheet[2]][:2] == [12, "主办单位"] and sheet.max_row == 6


def test_the_fixed_file_saves_a_thousand_items_and_a_second_import_adds_none(
    client, office, world, upload, worker
):
    client.force_login(office)
    data = workbook(good_rows(1000))

    page = upload(client, data).content.decode()
    record = ItemImport.objects.get()
    assert record.state == "checked" and record.counts == {"new": 1000, "exists": 0, "error": 0}
    assert "确认导入 1000 件" in page
    assert not Proposal.objects.exists()  # a dry run

    done = worker(client, f"/office/proposals/import/{record.pk}/confirm")
    record.refresh_from_db()
    assert record.state == "saved" and record.saved == 1000
    assert "已登记 1000 件" in done.content.decode()
    assert Proposal.objects.filter(state="assigned").count() == 1000
    assert Assignment.objects.count() == 1000 + 250  # every fourth row has a co-handler
    first = Proposal.objects.get(number="2000")
    assert [p.name for p in first.proposers.order_by("signatures__position")] == [
        "委员0",
        "委员1",
    ]
    assert first.is_key and first.proposers.first().kind == "member"
    assert first.channel == "import"  # shown as 导入 in the intake list
    lead = first.assignments.get(role="lead")
    assert lead.unit.name == "上海市科学技术委员会" and lead.state == "pending"
    assert lead.due_on == date(2024, 6, 5)  # three calendar months from 交办
    assert first.assignments.get(role="co").due_on == date(2024, 4, 5)  # opinion: one month
    assert TransitionLog.objects.filter(transition="import", proposal=first).count() == 1
    assert TransitionLog.objects.filter(transition="assign", proposal=first).count() == 2

    again = upload(client, data, name="again.xlsx").content.decode()
    second = ItemImport.objects.order_by("-pk").first()
    assert second.counts == {"new": 0, "exists": 1000, "error": 0}
    assert "已存在，跳过" in again and "确认导入" not in again
    refused = worker(client, f"/office/proposals/import/{second.pk}/confirm")
    assert "不能导入" in refused.content.decode()
    assert Proposal.objects.count() == 1000


def test_the_check_reads_a_constant_number_of_queries(office, world, django_assert_num_queries):
    for size in (10, 300):
        rows = item_import.read_workbook(workbook(good_rows(size)))
        # The sessions, the units, the numbers there, and the proposers on record (whom
        # the office is shown each row will be attached to).
        with django_assert_num_queries(4):
            results = item_import.check(rows, world)
        assert item_import.summary(results)["new"] == size


def test_the_template_downloads_and_imports_as_it_is(client, office, world, upload):
    client.force_login(office)
    template = client.get("/office/proposals/import/template.xlsx")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(template.content))
    assert [c.value for c in book.worksheets[0][1]] == HEADERS
    assert book.worksheets[1].title == "填写说明"
    upload(client, template.content)
    record = ItemImport.objects.get()
    assert record.state == "checked", record.report
    assert record.counts["new"] == 1


def test_a_suggestion_goes_to_an_npc_session_and_its_proposers_are_deputies(
    client, office, world, upload, worker
):
    factories.session(world, body=Session.Body.NPC, term=16, meeting=2)
    rows = [
        [
            "建议",
            "市十六届人大二次会议",
            "0345",
            "关于干细胞产业的建议",
            "文彬",
            "",
            "",
            "",
            "",
            "",
            "上海市科学技术委员会、上海市卫生健康委员会",
            "2024-03-01",
        ]
    ]
    wrong = [["建议", "市政协十四届二次会议", "0346", "案由", "文彬", "", "", "", "", "", "", ""]]
    client.force_login(office)
    upload(client, workbook(rows + wrong))
    record = ItemImport.objects.get()
    assert [(r["row"], r["errors"]) for r in record.report if r["errors"]] == [
        (3, [["届次会议", "市政协十四届二次会议不收建议。"]])
    ]
    upload(client, workbook(rows))
    record = ItemImport.objects.order_by("-pk").first()
    worker(client, f"/office/proposals/import/{record.pk}/confirm")
    item = Proposal.objects.get(number="0345")
    assert item.kind == "suggestion" and item.proposers.get().kind == "deputy"
    assert sorted(item.assignments.values_list("role", flat=True)) == ["separate", "separate"]


def test_only_the_office_may_import(client, clerk, world):
    client.force_login(clerk)
    assert client.get("/office/proposals/import/").status_code == 403
    assert client.get("/office/proposals/import/template.xlsx").status_code == 403
    client.logout()
    assert client.get("/office/proposals/import/").status_code == 302


def test_a_number_on_record_with_another_title_is_a_conflict_not_a_skip(
    client, office, world, upload
):
    """A mistyped number must not vanish as 已存在: the check names both titles and the
    file is refused until the office corrects it; the same item typed again (spaces aside)
    is still skipped."""
    session = Session.objects.get()
    factories.proposal(office, sess=session, number="2000", title="关于推进第0项科技成果转化的提案")
    factories.proposal(office, sess=session, number="2001", title="关于加强社区养老服务的提案")
    rows = good_rows(3)
    rows[0][3] = "关于推进 第0项科技成果转化的提案 "  # the same item, spaces aside
    client.force_login(office)

    page = upload(client, workbook(rows)).content.decode()

    record = ItemImport.objects.get()
    assert record.state == "refused"
    assert record.counts == {"new": 1, "exists": 1, "error": 1}
    assert (
        "第2001号已登记为《关于加强社区养老服务的提案》，"
        "表中标题为《关于推进第1项科技成果转化的提案》：请核对案号"
    ) in page
    assert "确认导入" not in page
    assert Proposal.objects.count() == 2

    rows[1][2] = "2101"  # the office corrects the number and uploads again
    upload(client, workbook(rows), name="fixed.xlsx")
    fixed = ItemImport.objects.order_by("-pk").first()
    assert fixed.state == "checked" and fixed.counts == {"new": 2, "exists": 1, "error": 0}


def test_an_import_waiting_for_a_worker_that_never_ran_says_so(client, office, world):
    client.force_login(office)
    response = client.post(  # no worker: the check stays queued
        "/office/proposals/import/",
        {"file": SimpleUploadedFile("import.xlsx", workbook(good_rows(3)))},
    )
    page = client.get(response["Location"]).content.decode()
    assert "排队" in page and "后台任务从未运行" in page
