"""承诺事项 in the browser: the editor's panel works with htmx (find the promises, confirm one
in place, the pre-flight check follows), and the panels of the editor, the item page and the
leader's queue fit a 390 px phone and a 1366 px desk, in Chinese and in English, and pass
axe's serious and critical rules."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from responses.actions import (
    add_commitment,
    note_progress,
    request_drop,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
    suggest_commitments,
)
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import violations
from tests.browser.test_phone_layout import PHONE_PROBLEMS, TOUCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "经研究，现答复如下。二、下一步工作。我局计划于2025年底前完成全部改造；"
    "下一步将继续加强宣传和引导工作。"
)


def drafted(office, clerk, unit):
    assignment = factories.accepted(office, clerk, unit)
    factories.contacted(assignment, clerk)
    # Drafted and written on a fixed day: the promised years are read against it.
    reply = start_reply(assignment, clerk, at=timezone.make_aware(datetime(2024, 5, 6, 10)))
    return save_letter(
        reply, clerk, body=BODY, class_label="正在解决", letter_date=date(2024, 5, 6)
    )


@pytest.fixture
def world(office, kewei, clerk, leader):
    """A draft whose promises are still to be found; one with the leader; a sent reply with
    a commitment in progress (with a note) and one whose drop is asked for."""
    draft = drafted(office, clerk, kewei)
    queued = drafted(office, clerk, kewei)
    add_commitment(
        queued, clerk, what="年底前完成全部改造", due_kind="year", promised_on=date(2025, 1, 1)
    )
    queued = submit_letter(queued, clerk)
    sent = drafted(office, clerk, kewei)
    kept, dropped = (
        add_commitment(sent, clerk, what=what, due_kind="date", promised_on=date(2025, 6, 30))
        for what in ("6月底前建成服务平台", "开展专项培训")
    )
    sent = send_letter(sign_letter(submit_letter(sent, clerk), leader), clerk)
    note_progress(kept, clerk, "平台已完成招标，正在建设。")
    request_drop(dropped, clerk, "培训并入全市统一安排")
    return {"draft": draft, "queued": queued, "sent": sent}


def test_the_clerk_finds_and_confirms_promises_in_place(open_as, live_server, world):
    page = open_as("clerk", width=1366)
    page.goto(f"{live_server.url}/letters/reply/{world['draft'].pk}/")
    page.click("#preflight a[href='#commitments']")
    page.get_by_role("button", name="从正文中查找承诺").click()
    page.wait_for_selector("#commitments .commitment-form")
    assert page.locator("#commitments li.commitment").count() == 2
    assert "尚有2项承诺事项候选未确认" in page.locator("#preflight").inner_text()
    first = page.locator("#commitments li.commitment").first
    first.get_by_role("button", name="确认").click()
    page.get_by_role("button", name="保存修改").wait_for()  # confirmed, swapped in place
    assert "尚有1项承诺事项候选未确认" in page.locator("#preflight").inner_text()
    assert page.locator("#commitments p.ok").inner_text() == "已确认承诺事项。"


@pytest.fixture
def audited_page(browser, live_server):
    """A page for the user in the language, with the site's script policy set aside so axe
    can be injected (as tests/browser/test_accessibility.py does)."""
    contexts = []

    def open_page(username, language):
        context = browser.new_context(
            viewport={"width": 390, "height": 900}, locale="zh-CN", bypass_csp=True
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, live_server.url, username, "pw-Banli-2024")
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_panels_fit_a_phone_and_pass_axe(
    audited_page, live_server, world, clerk, leader, office, language
):
    suggest_commitments(world["draft"], clerk)
    item = world["sent"].assignment.proposal_id
    paths = {
        clerk.username: [f"/letters/reply/{world['draft'].pk}/", f"/items/{item}/"],
        leader.username: ["/review/", f"/letters/reply/{world['queued'].pk}/"],
        office.username: [f"/items/{item}/"],
    }
    found = []
    for username, urls in paths.items():
        page = audited_page(username, language)
        for path in urls:
            for width in (390, 1366):
                page.set_viewport_size({"width": width, "height": 900})
                assert page.goto(live_server.url + path).ok, path
                assert page.locator("#commitments, .queue-commitments").count(), path
                if width == 390:
                    found += [f"{path} @390: {p}" for p in page.evaluate(PHONE_PROBLEMS, TOUCH)]
                found += [
                    f"{path} @{width}: {v['id']} {v['targets'][:3]}" for v in violations(page)
                ]
    assert not found, "\n".join(found)
