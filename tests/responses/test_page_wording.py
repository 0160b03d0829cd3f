"""What the walk-through read on the pages: the leader's buttons say what they do (not the
status they lead to), the public reply has a heading, the item's history names the item and
reads its deadline in the page's language, and English pages carry no Chinese labels."""

import html
import re

import pytest
from django.conf import settings
from django.utils import translation

from responses.actions import publish_letter, save_letter, start_reply, submit_letter
from tests import factories

pytestmark = pytest.mark.django_db


def visible(response):
    assert response.status_code == 200, response.status_code
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def published(office, clerk, leader, kewei):
    reply = factories.sent_reply(office, clerk, leader, kewei, class_label="计划解决")
    return publish_letter(reply, clerk)


def test_the_public_reply_has_a_heading_with_item_unit_and_date(client, published):
    item = published.assignment.proposal
    response = client.get(f"/public/replies/{published.pk}/")
    h1 = re.search(r"<h1>(.*?)</h1>", response.content.decode(), re.S)
    assert h1 and item.title in h1.group(1)
    page = visible(response)
    assert item.reference in page and "答复单位：上海市科学技术委员会" in page
    assert "公开日期：" in page and page.index(item.title) < page.index("下载PDF原件")
    english_page = visible(english(client).get(f"/public/replies/{published.pk}/"))
    assert item.title in english_page and "上海市科学技术委员会" in english_page


def test_the_history_names_the_item_and_reads_the_deadline(client, office, clerk, kewei):
    with translation.override("zh-hans"):  # the audit row is written as it is in use
        assignment = factories.accepted(office, clerk, kewei)
    client.force_login(clerk)
    page = visible(client.get(f"/items/{assignment.proposal_id}/"))
    history = page[page.index("办理过程") :]
    assert "本件" in history
    assert re.search(r"· 期限 \d{4}年\d{1,2}月\d{1,2}日", history), history[
        history.index("（主办）") :
    ][:80]
    english_history = visible(english(client).get(f"/items/{assignment.proposal_id}/"))
    assert "期限 2" not in english_history  # "Due <date>" once the catalogue is compiled
    assert "Proposals and suggestions Register" not in english_history


def test_english_statistics_define_the_classes_in_english(client, office):
    client.force_login(office)
    page = visible(english(client).get("/office/statistics/"))
    assert "解决采纳/正在解决/计划解决/留作参考" not in page


def test_the_leaders_button_is_an_action_not_a_status(client, office, clerk, leader, kewei):
    """English needs the catalogue (msgctxt "button"): "Return for revision"."""
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    draft = save_letter(
        start_reply(assignment, clerk), clerk, body="答复如下。", class_label="解决采纳"
    )
    submit_letter(draft, clerk)
    client.force_login(leader)
    page = visible(english(client).get("/review/"))
    assert "Returned for revision" not in page
