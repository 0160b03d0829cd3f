"""The office imports two past letters in a real browser, at a desk and on a phone: the
letter's text above or beside its fields, one missed field typed in, one letter confirmed
and saved, the other kept for later."""

import re

import pytest
from playwright.sync_api import expect

from demo.data import DEMO_PASSWORD, FIXTURES
from demo.loader import Demo
from responses.models import Reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = next((FIXTURES / "seeds").glob("000_*.txt")).read_text()
OTHER = next((FIXTURES / "seeds").glob("004_*.txt")).read_text()


@pytest.fixture
def demo():
    Demo().base()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_office_corrects_one_letter_and_saves_it(open_as, live_server, demo, width, shots):
    undated = re.sub(r"2024 ?年 ?5 ?月 ?27 ?日", "", SEED)
    office = open_as("office", width=width, password=DEMO_PASSWORD)
    office.goto(f"{live_server.url}/office/import/")
    office.set_input_files(
        "#id_files",
        [
            {"name": "a.txt", "mimeType": "text/plain", "buffer": undated.encode()},
            {"name": "b.txt", "mimeType": "text/plain", "buffer": OTHER.encode()},
        ],
    )
    office.click("form.form button[type=submit]")
    letter = office.locator("#letter-0")
    expect(letter.locator("pre.letter-text")).to_contain_text("章毅、张远波、朱军红等委员")
    date = letter.locator("input[name='l0-letter_date']")
    expect(date).to_have_class("missed")
    text_box = letter.locator("pre.letter-text").bounding_box()
    date_box = date.bounding_box()
    if width < 1000:  # on a phone the text is above the fields
        assert text_box["y"] + text_box["height"] <= date_box["y"]
    else:  # at a desk, beside them
        assert text_box["x"] + text_box["width"] <= date_box["x"]
    assert office.evaluate("document.documentElement.scrollWidth") <= width
    date.fill("2024-05-28")
    letter.locator("input[name='l0-confirmed']").check()
    shots(office, f"letter-import-{width}")
    office.click("form.letter-import button[type=submit]")
    expect(office.locator(".messages")).to_contain_text("已保存 1 份函件，1 份未确认")
    expect(office.locator("#letter-1")).to_be_visible()
    reply = Reply.objects.get()
    assert reply.doc_number == "沪科提复〔2024〕24号"
    assert reply.letter_date.isoformat() == "2024-05-28"
