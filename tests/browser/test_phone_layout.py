"""Issue 21, phone and tablet: every page of the demo, as each role sees it, fits a 390 px phone
without sideways scrolling, and what a thumb taps in the page (buttons, fields, links in lists)
is at least 44 px tall; a tablet does not scroll sideways either; at a 1366 px desk no table is
cut off by its box; and nowhere is a cell so narrow its words stand one character a line.

The page list is tests/browser/pages.py, shared with the other browser tests.
"""

from collections import Counter

import pytest
from django.core.management import call_command

from tests.browser.conftest import sign_in
from tests.browser.pages import demo_imports, demo_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESK = 390, 1366
TABLET = 641  # the narrowest width at which lists are still tables, not cards
TOUCH = 44

# What is wrong with the page at a phone's width: it scrolls sideways (and which elements stick
# out), or something to tap in <main> is shorter than a fingertip. Links inside running text (a
# paragraph, a note) are exempt, as WCAG 2.5.8 exempts them; a box or radio counts as tall as
# the label that holds it, since tapping the label ticks it.
PHONE_PROBLEMS = """(touch) => {
    const problems = [];
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth > width) {
        const wide = [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .filter(el => el.parentElement.getBoundingClientRect().right <= width + 1)
            .slice(0, 4).map(el => `${el.tagName.toLowerCase()}.${el.className}`);
        const scrolled = document.documentElement.scrollWidth;
        problems.push(`scrolls sideways: ${scrolled}px (${wide.join(', ')})`);
    }
    const taps = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
    for (const el of document.querySelectorAll('main ' + taps.split(', ').join(', main '))) {
        if (!el.checkVisibility()) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height >= touch - 0.5) continue;
        const label = el.closest('label') ||
            (el.id && document.querySelector(`label[for="${el.id}"]`));
        if (label && label.getBoundingClientRect().height >= touch - 0.5) continue;
        if (el.tagName === 'A' && getComputedStyle(el).display === 'inline' &&
            el.closest('p, .muted, .help, .excerpt, dd, blockquote, .sheet')) continue;
        const name = (el.textContent || el.name || el.type || '').trim().slice(0, 16);
        const tag = el.tagName.toLowerCase(), height = Math.round(box.height);
        const within = el.parentElement.tagName.toLowerCase() + '.' + el.parentElement.className;
        problems.push(`${tag} "${name}" (in ${within}) is ${height}px tall`);
    }
    return [...new Set(problems)];
}"""

# A table at a desk that is wider than the box it sits in: columns cut off or scrolled.
CLIPPED_TABLES = """() => [...document.querySelectorAll('main table')]
    .filter(t => t.checkVisibility())
    .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
    .map(t => `table.${t.className}: ${t.scrollWidth}px in ${t.parentElement.clientWidth}px`)"""


# A cell squeezed so narrow that its words stand one character a line (the 案号 did); the
# headings a phone hides from sight (but not from screen readers) are not looked at.
SQUEEZED_CELLS = """() => [...document.querySelectorAll('main td, main th')]
    .filter(c => c.checkVisibility() && c.textContent.trim().length >= 4)
    .filter(c => !c.closest('thead') || c.closest('thead').getBoundingClientRect().width > 1)
    .filter(c => c.clientWidth < 2.5 * parseFloat(getComputedStyle(c).fontSize))
    .map(c => `a cell "${c.textContent.trim().slice(0, 12)}" is ${c.clientWidth}px wide`)"""


@pytest.fixture
def demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def walk(browser, base, role, paths, language="zh-hans"):
    """Each page at a phone's width, then at a desk's, in one context; every problem found."""
    context = browser.new_context(viewport={"width": PHONE, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    if role.username:
        sign_in(page, base, role.username, role.password)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    found = []
    for path in paths:
        page.set_viewport_size({"width": PHONE, "height": 860})
        response = page.goto(base + path)
        if not response.ok:
            found.append(f"{path}: HTTP {response.status}")
            continue
        found += [f"{path} @{PHONE}px: {p}" for p in page.evaluate(PHONE_PROBLEMS, TOUCH)]
        found += [f"{path} @{PHONE}px: {p}" for p in page.evaluate(SQUEEZED_CELLS)]
        page.set_viewport_size({"width": TABLET, "height": 860})
        if page.evaluate("document.documentElement.scrollWidth") > TABLET:
            found.append(f"{path} @{TABLET}px: scrolls sideways")
        found += [f"{path} @{TABLET}px: {p}" for p in page.evaluate(SQUEEZED_CELLS)]
        page.set_viewport_size({"width": DESK, "height": 860})
        found += [f"{path} @{DESK}px: {p}" for p in page.evaluate(CLIPPED_TABLES)]
        found += [f"{path} @{DESK}px: {p}" for p in page.evaluate(SQUEEZED_CELLS)]
    context.close()
    return found


def roles_read_aloud(browser, url):
    """The roles Chromium gives a screen reader for the page at a phone's width."""
    context = browser.new_context(viewport={"width": PHONE, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.goto(url)
    tree = context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    context.close()
    return Counter(node.get("role", {}).get("value") for node in tree["nodes"])


def test_every_page_fits_a_phone_and_no_table_is_clipped_at_a_desk(browser, live_server, demo):
    roles = demo_pages()
    roles["office"].paths.extend(demo_imports())
    found = []
    for name, role in roles.items():
        found += [f"{name} {p}" for p in walk(browser, live_server.url, role, role.paths)]
    assert not found, "\n".join(found)
    # The public list drawn as cards is still a table to a screen reader: its five headings
    # are read with each row's cells.
    read = roles_read_aloud(browser, live_server.url + "/public/")
    assert (read["table"], read["columnheader"]) == (1, 5), read
    assert read["row"] > 1 and read["cell"] == 5 * (read["row"] - 1), read


def _signed_in(browser, base, username, width, language="zh-hans"):
    context = browser.new_context(viewport={"width": width, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in(page, base, username, demo_pages()[username].password)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context, page


HEADER_LINKS = """() => [...document.querySelectorAll('.site-header nav :is(a, button)')]
    .filter(el => el.checkVisibility())
    .map(el => ({name: el.textContent.trim(), height: el.getBoundingClientRect().height,
                 current: el.getAttribute('aria-current')}))"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_on_a_phone_the_office_header_is_one_row_with_a_menu_that_needs_no_script(
    browser, live_server, demo, language
):
    context, page = _signed_in(browser, live_server.url, "office", PHONE, language)
    page.goto(live_server.url + "/office/monitor/")
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] < 140  # the nine rows of links were ~400 px
    assert page.locator(".brand").is_visible() and page.locator(".site-header .lang").is_visible()
    assert page.evaluate(HEADER_LINKS) == []  # folded under 菜单 until asked for
    # From the keyboard: past the name, the toggle; Space opens the links.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "menu-toggle"
    page.keyboard.press("Space")
    links = page.evaluate(HEADER_LINKS)
    assert len(links) > 10 and all(link["height"] >= TOUCH - 0.5 for link in links), links
    assert [link["current"] for link in links].count("page") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    # A desk shows every link at once, the toggle nowhere.
    page.set_viewport_size({"width": DESK, "height": 860})
    page.evaluate("document.getElementById('menu-toggle').checked = false")
    assert len(page.evaluate(HEADER_LINKS)) == len(links)
    assert not page.locator(".menu-button").is_visible()
    context.close()


def test_on_a_phone_the_clerk_sees_the_first_item_on_the_first_screen(browser, live_server, demo):
    context, page = _signed_in(browser, live_server.url, "clerk", PHONE)
    page.goto(live_server.url + "/work/")
    first = page.locator("table.list tbody tr").first.locator("td.title a")
    assert first.bounding_box()["y"] + first.bounding_box()["height"] <= 860
    # The filters are folded under one line that says what is chosen, and open on a tap.
    summary = page.locator("details.filter-box > summary")
    assert "未办结" in summary.inner_text()
    assert not page.locator("#id_state").is_visible()
    summary.click()
    assert page.locator("#id_state").is_visible()
    # At a desk they are simply there.
    page.set_viewport_size({"width": DESK, "height": 860})
    page.reload()
    assert page.locator("#id_state").is_visible() and not summary.is_visible()
    context.close()


def test_at_a_desk_the_statistics_and_monitor_tables_fit_in_english_too(browser, live_server, demo):
    context, page = _signed_in(browser, live_server.url, "office", DESK, "en")
    clipped = []
    for path in ("/office/statistics/", "/office/monitor/"):
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "en"
        clipped += [f"{path}: {p}" for p in page.evaluate(CLIPPED_TABLES)]
    assert not clipped, clipped
    # Were one to outgrow its box, it scrolls inside a region named for it that a keyboard reaches.
    region = page.goto(live_server.url + "/office/statistics/") and page.locator(".scroll").first
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-label")
    context.close()


def test_on_a_phone_the_monitor_is_a_few_screens_not_fifteen(browser, live_server, demo):
    context, page = _signed_in(browser, live_server.url, "office", PHONE)
    page.goto(live_server.url + "/office/monitor/")
    units = page.locator("table.counts tbody tr")
    # each unit's card: its name, then its counts as tiles in two rows (it was nine rows)
    assert units.first.bounding_box()["height"] < 260
    assert page.evaluate("document.documentElement.scrollHeight") < 10000  # was ~13,000 px
    context.close()
