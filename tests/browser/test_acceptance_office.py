"""Acceptance: the proposal office (建议提案处) on the demo data, on the journey day (see
acceptance.py), through the pages only: registers and assigns a new item, watches the overdue
monitor, urges a unit, reads the statistics and opens an export. In full at 1366 px in
Chinese; the monitor and the statistics again on a 390 px phone, in English and in Chinese.
"""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.acceptance import (
    DAYS_LEFT,
    DESK,
    DUE_TODAY,
    OVERDUE,
    PHONE,
    demo_fixture,  # noqa: F401 (the `demo` fixture)
    fits,
    shot_name,
    visit_fixture,  # noqa: F401 (the `visit` fixture)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NEW_ITEM = "关于推进社区嵌入式托育服务的提案"


def test_office_registers_assigns_watches_urges_and_exports(
    visit, demo, live_server, shots, tmp_path
):
    page = visit("office")
    expect(page.get_by_role("heading", level=1)).to_contain_text("逾期监控")
    # How the open items stand on the journey day: late, due today, and still in time.
    expect(page.get_by_text(OVERDUE).first).to_be_visible()
    expect(page.get_by_text(DUE_TODAY).first).to_be_visible()
    expect(page.get_by_text(DAYS_LEFT).first).to_be_visible()
    shots(page, shot_name("office", "monitor", DESK, "zh"))

    # 登记: a CPPCC proposal from two members, with the contacts a reply will reach them by.
    page.get_by_role("navigation").get_by_role("link", name="建议提案", exact=True).click()
    page.get_by_role("link", name="登记新件").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("登记新件")
    page.get_by_label("类型").select_option(label="提案")
    page.get_by_label("届次会议").select_option(label="市政协十四届四次会议")
    page.get_by_label("案号").fill("0101")
    page.get_by_label("案由").fill(NEW_ITEM)
    page.get_by_label("提出人类别").select_option(label="政协委员")
    page.get_by_label("正文").fill("建议在社区嵌入托育点，方便双职工家庭。")
    first = page.get_by_role("group", name="提出人 1")
    first.get_by_label("姓名/名称").fill("李明")
    first.get_by_label("手机号码").fill("13912345678")
    second = page.get_by_role("group", name="提出人 2")
    second.get_by_label("姓名/名称").fill("王芳")
    second.get_by_label("电子邮箱").fill("wangfang@example.org")
    shots(page, shot_name("office", "intake", DESK, "zh"))
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_text("已登记")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NEW_ITEM)

    # 审查 then 立案, as a proposal needs before 交办 (a plain button while it is the only step).
    page.get_by_role("button", name="提交审查").click()
    expect(page.get_by_text("审查结果已记录。")).to_be_visible()
    page.get_by_label("审查结果").select_option("file")
    page.get_by_role("button", name="记录审查结果").click()
    expect(page.get_by_text("审查结果已记录。")).to_be_visible()

    # 交办 to the science commission, with the health commission co-handling.
    page.get_by_label("筛选主办单位").fill("科学技术")
    page.get_by_label(re.compile("^主办单位")).select_option(label="上海市科学技术委员会")
    page.get_by_label(re.compile("^会办单位")).select_option(label="上海市卫生健康委员会")
    page.get_by_role("button", name="交办", exact=True).click()
    expect(page.get_by_text("已交办 2 个单位。")).to_be_visible()
    co = page.get_by_role("listitem").filter(has_text="上海市卫生健康委员会")
    expect(co.filter(has_text=DAYS_LEFT).first).to_be_visible()  # its own deadline, a month on
    shots(page, shot_name("office", "item", DESK, "zh"))

    # The monitor: 催办 a unit that has overdue items.
    page.get_by_role("navigation").get_by_role("link", name="逾期监控").click()
    urge = page.locator("details").filter(has=page.get_by_text("催办", exact=True)).first
    urge.get_by_text("催办", exact=True).click()
    expect(urge.get_by_label("催办内容")).to_contain_text("逾期")
    urge.get_by_role("button", name="发出催办").click()
    expect(page.get_by_text("已催办")).to_be_visible()
    expect(page.get_by_text("上次催办").first).to_be_visible()

    # The monitor's list as a spreadsheet that opens, with the deadline words in it.
    with page.expect_download() as download:
        page.get_by_role("link", name="导出当前清单（Excel）").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx", saved
    sheet = load_workbook(saved).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any(OVERDUE.search(c) for c in cells), cells[:40]
    assert any(DUE_TODAY.search(c) for c in cells), cells[:40]

    page.get_by_role("navigation").get_by_role("link", name="统计", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("办理统计")
    expect(page.get_by_text("按时答复率").first).to_be_visible()
    shots(page, shot_name("office", "statistics", DESK, "zh"))

    for language in ("en", "zh"):
        phone = visit("office", width=PHONE, language=language)
        expect(phone.get_by_text(OVERDUE).first).to_be_visible()
        expect(phone.get_by_text(DUE_TODAY).first).to_be_visible()
        fits(phone, PHONE)
        shots(phone, shot_name("office", "monitor", PHONE, language))
        phone.goto(f"{live_server.url}/office/statistics/")
        expect(phone.get_by_role("heading", level=1)).to_contain_text(
            "Handling statistics" if language == "en" else "办理统计"
        )
        fits(phone, PHONE)
        shots(phone, shot_name("office", "statistics", PHONE, language))
