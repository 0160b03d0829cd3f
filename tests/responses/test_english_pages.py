"""Issue 21: an English page is English around the data. Dates follow the language
(config/formats), punctuation between translated words and data is Western
({% punct %}), a timeline entry separates its action from its state, and the result
classes of 上海's scheme are translated. Proposal content stays as written."""

import html
import re

import pytest
from django.conf import settings
from django.core.cache import cache

from responses.actions import publish_letter, save_letter, start_reply, submit_letter
from tests import factories

pytestmark = pytest.mark.django_db

CHINESE_DATE = re.compile(r"\d+\s*年\s*\d+\s*月|\d+\s*月\s*\d+\s*日")
# A full-width colon or bracket against a Latin letter: English words glued with Chinese
# punctuation ("Deadline：", "（Lead）"). The data of these pages never puts one there.
GLUED_PUNCTUATION = re.compile(r"[A-Za-z][：（）]|[：（）][A-Za-z]")


@pytest.fixture(autouse=True)
def forget_cached_counts():
    """The monitor caches its counts; a later test counting the monitor's queries must not
    find them."""
    yield
    cache.clear()


def visible(response):
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def items(office, kewei, clerk, leader):
    published = factories.sent_reply(office, clerk, leader, kewei, class_label="计划解决")
    publish_letter(published, clerk)
    waiting = factories.accepted(office, clerk, kewei)
    factories.contacted(waiting, clerk)
    draft = start_reply(waiting, clerk)
    submit_letter(save_letter(draft, clerk, body="答复如下……", class_label="解决采纳"), clerk)
    return published, waiting


def pages(english, office, clerk, leader, published, waiting):
    item = f"/items/{waiting.proposal_id}/"
    seen = {}
    for user, urls in (
        (None, ["/public/", f"/public/replies/{published.pk}/"]),
        (clerk, ["/work/", item]),
        (leader, ["/review/"]),
        (office, ["/office/monitor/", "/office/statistics/", item]),
    ):
        english.logout()  # which also forgets the language: chosen again
        if user is not None:
            english.force_login(user)
        english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for url in urls:
            seen[user, url] = visible(english.get(url))
    return seen


def test_english_pages_have_english_dates_and_punctuation(english, office, clerk, leader, items):
    for (user, url), text in pages(english, office, clerk, leader, *items).items():
        if url.startswith("/public/replies/"):  # the letter itself is a Chinese document
            text = text.split("上海市科学技术委员会", 1)[0]
        assert not CHINESE_DATE.search(text), (user, url, CHINESE_DATE.search(text))
        glued = GLUED_PUNCTUATION.search(text)
        assert not glued, (user, url, text[max(glued.start() - 60, 0) : glued.end() + 30])


def test_english_timeline_and_result_classes(english, office, clerk, leader, items):
    published, waiting = items
    english.force_login(office)
    page = english.get(f"/items/{published.assignment.proposal_id}/").content.decode()
    timeline = visible_part(page, '<ol class="timeline">', "</ol>")
    assert not re.search(r"[a-z][A-Z]", timeline), timeline  # "RegisterReceived"
    assert ": " in timeline
    listing = visible(english.get("/public/"))
    assert "Planned for resolution" in listing and "计划解决" not in listing


def test_chinese_pages_keep_chinese_dates_and_punctuation(client, office, clerk, items):
    _published, waiting = items
    client.force_login(clerk)
    text = visible(client.get(f"/items/{waiting.proposal_id}/"))
    assert re.search(r"办理期限：\d{4}年\d{1,2}月\d{1,2}日", text)


def visible_part(page, start, end):
    return html.unescape(re.sub(r"<[^>]+>", " ", page.split(start, 1)[1].split(end, 1)[0]))


def test_the_public_reply_names_its_item_in_the_pages_language(english, items):
    """The page's line above the letter names the item in English; the letter stays Chinese."""
    published, _waiting = items
    proposal = published.assignment.proposal
    text = visible(english.get(f"/public/replies/{published.pk}/"))
    assert proposal.shown_reference in text and ", proposal No." in proposal.shown_reference
