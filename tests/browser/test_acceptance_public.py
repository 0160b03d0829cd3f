"""Acceptance: anyone, signed in or not, searches the published replies and reads one, on the
demo data (see acceptance.py): at 1366 px in Chinese and in English, then on a 390 px phone in
English and in Chinese. (The proposer's rating from the delivery email is in
test_acceptance_units.py, after the leader sends the reply.)"""

import pytest
from playwright.sync_api import expect

from tests.browser.acceptance import (
    DESK,
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

SEED = "沪科提复〔2024〕24号"  # seed 000: the science commission on stem-cell therapy


def test_the_public_searches_and_reads_a_published_reply(visit, demo, shots):
    # One demo load for the four passes: each is a new visitor at its width and language.
    for width, language in [(DESK, "zh"), (DESK, "en"), (PHONE, "en"), (PHONE, "zh")]:
        page = visit(width=width, language=language)
        heading = "Published replies" if language == "en" else "建议提案答复公开"
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        if width == PHONE:  # on a phone the filters fold under their 筛选 line: a tap opens them
            page.locator("details.filter-box > summary").click()
        page.get_by_role("searchbox").fill("干细胞")
        page.get_by_role("searchbox").press("Enter")
        expect(page.get_by_text(SEED)).to_be_visible()
        expect(page.get_by_text("沪科建复〔2027〕1号")).to_have_count(0)  # not about stem cells
        fits(page, width)
        shots(page, shot_name("public", "search", width, language))
        page.get_by_role("link", name="对市政协十四届二次会议第1136号提案的答复").click()
        expect(page.get_by_text(SEED).first).to_be_visible()
        expect(page.get_by_text("联系人：王大宽").first).to_be_visible()
        fits(page, width)
        shots(page, shot_name("public", "reply", width, language))
