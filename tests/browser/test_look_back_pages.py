"""回头看 in the browser, on the demo: the office's pages and the clerk's list of commitment
reminders fit a 390 px phone (tables as cards, 44 px taps) and a 1366 px desk, in Chinese and
English, with no serious accessibility finding. One test, one demo: a flushed database has no
reminder ladder for a second load to send by."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import sign_in
from tests.browser.pages import Role, demo_pages
from tests.browser.test_accessibility import violations
from tests.browser.test_phone_layout import PHONE, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE = [
    "/office/look-back/",
    "/office/look-back/?overdue=on",
    "/office/look-back/?state=delivered",  # with the day each was delivered
    "/office/look-back/yearly/",
]


def axe_findings(browser, base, password):
    # The site's policy forbids inline scripts and axe is injected inline (bypass_csp).
    context = browser.new_context(
        viewport={"width": PHONE, "height": 860}, locale="zh-CN", bypass_csp=True
    )
    page = context.new_page()
    sign_in(page, base, "office", password)
    found = {}
    for width in (1366, PHONE):
        page.set_viewport_size({"width": width, "height": 860})
        for path in OFFICE:
            page.goto(base + path)
            found[(path, width)] = violations(page)
    context.close()
    return {key: problems for key, problems in found.items() if problems}


def test_the_look_back_pages_fit_a_phone_and_a_desk_and_pass_axe(browser, live_server):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    pages = demo_pages()
    clerk = [p for p in pages["clerk"].paths if p.startswith("/reminders/commitments/")]
    assert clerk, "the demo's clerk has a digest of commitment reminders"
    found = []
    for language in ("zh-hans", "en"):
        for role in (Role("office", OFFICE), Role("clerk", clerk)):
            found += walk(browser, live_server.url, role, role.paths, language)
    assert not found, "\n".join(found)
    assert not axe_findings(browser, live_server.url, pages["office"].password)
