"""What the acceptance journeys share: the demo as `make run` loads it, a clock set to a day
when the demo has items overdue, due today and due later, and pages opened at a width and in a
language the way a user picks them (the header's language switcher).

The demo dates everything from the day it is loaded. Loaded on DEMO_LOADED, the science
commission's item 0022 (assigned 88 days earlier, three months to reply) falls due on
JOURNEY_DAY, two days later: the journeys run on that day, with items overdue (assigned 95 days
and more before the load) and due later (the younger ones) around it.
"""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.data import DEMO_PASSWORD
from tests.browser.conftest import sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO_LOADED = datetime(2027, 3, 8, 9, 0, tzinfo=SHANGHAI)  # a Monday
JOURNEY_DAY = datetime(2027, 3, 10, 9, 30, tzinfo=SHANGHAI)  # the Wednesday after
DESK, PHONE = 1366, 390

# The deadline badges' words (workflow/aging.py), in either language.
OVERDUE = re.compile(r"逾期\d+日|\d+ days? overdue")
DUE_TODAY = re.compile(r"今日到期|Due today")
DAYS_LEFT = re.compile(r"剩\d+日|\d+ days? left")


@pytest.fixture(name="demo")
def demo_fixture(time_machine):
    """load_demo two days before the journey day, then the clock running from that day
    (time-machine patches the clock process-wide, so the live server's thread sees it too)."""
    time_machine.move_to(DEMO_LOADED, tick=True)
    call_command("load_demo", stdout=io.StringIO())
    time_machine.move_to(JOURNEY_DAY, tick=True)


@pytest.fixture(name="visit")
def visit_fixture(browser, live_server):
    """A browser at a width and in a language, signed in as a demo login (or no one)."""
    contexts = []

    def open_page(username=None, width=DESK, language="zh"):
        context = browser.new_context(
            viewport={"width": width, "height": 900 if width > 600 else 844},
            locale="zh-CN",
            is_mobile=width < 600,
            has_touch=width < 600,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        if username:
            sign_in(page, live_server.url, username, DEMO_PASSWORD)
        else:
            page.goto(f"{live_server.url}/public/")
        if language == "en":
            switch_to_english(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


def switch_to_english(page):
    """The header's language switcher, as a user picks English; the choice stays (a cookie)."""
    page.get_by_role("button", name="English", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def shot_name(role, what, width, language):
    return f"accept-{role}-{what}-{width}-{language}"


def fits(page, width):
    """Nothing on the page makes it scroll sideways at this width."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width}px ({scroll}px wide)"
