"""Issue 21, every page at once: an English page has no Chinese dates and no full-width
punctuation around the data (what the data itself says is taken out first: titles, names,
notices, letters), and the Chinese admin labels its lists, filters and sections in Chinese."""

import html
import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.urls import reverse

from proposals.models import Proposal, Proposer, Session, User
from responses.actions import publish_letter, save_letter, start_reply, submit_letter
from responses.models import Reply
from tests import factories
from workflow.models import Notification, Unit
from workflow.notices import Event, announce

pytestmark = pytest.mark.django_db

CHINESE_DATE = re.compile(r"\d+\s*年\s*\d+\s*月|\d+\s*月\s*\d+\s*日")
FULL_WIDTH = re.compile(r"[：（）、，。；]")
# Latin words a Chinese admin may show: names of things, not labels.
NAMES = re.compile(
    r"(?<![A-Za-z])(API|Banli|Django|Excel|TOTP|PDF|SMS|ID|URL|IP|GET|POST|SHA-256|Token)(?![A-Za-z])"
)


@pytest.fixture(autouse=True)
def forget_cached_counts():
    yield
    cache.clear()  # the monitor caches its counts


@pytest.fixture
def items(office, kewei, clerk, leader):
    published = factories.sent_reply(office, clerk, leader, kewei, class_label="计划解决")
    publish_letter(published, clerk)
    waiting = factories.accepted(office, clerk, kewei)
    factories.contacted(waiting, clerk)
    draft = start_reply(waiting, clerk)
    submit_letter(save_letter(draft, clerk, body="答复如下……", class_label="解决采纳"), clerk)
    announce(Event.ASSIGNED, subject=f"assignment:{waiting.pk}", title="新交办", unit=kewei)
    return published, waiting


def user_content():
    """Everything the pages show that people or documents wrote, longest first."""
    found = {str(s) for s in Session.objects.all()}
    for proposal in Proposal.objects.all():
        found |= {proposal.title, proposal.reference, proposal.shown_reference, proposal.body}
    found |= {u.name for u in Unit.objects.all()} | {u.short_name for u in Unit.objects.all()}
    found |= {str(u) for u in User.objects.all()} | {p.name for p in Proposer.objects.all()}
    for notice in Notification.objects.all():  # written once, in Chinese, when it happened
        found |= {notice.title, *notice.body.splitlines()}
    for reply in Reply.objects.all():
        found |= {reply.title, reply.doc_number, reply.class_label, *reply.body.splitlines()}
    return sorted((s for s in found if s and s.strip()), key=len, reverse=True)


def chrome(response, data):
    assert response.status_code == 200, (response.request["PATH_INFO"], response.status_code)
    page = response.content.decode()
    page = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<article class="sheet">.*?</article>', " ", page, flags=re.S)  # a letter
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page))
    for piece in data:
        text = text.replace(piece, " ")
    return text


def english_pages(client, office, clerk, leader, published, waiting):
    item = f"/items/{waiting.proposal_id}/"
    for user, urls in (
        (None, ["/public/", f"/public/replies/{published.pk}/", "/verify/", "/login/"]),
        (clerk, ["/work/", item, "/notifications/", "/notifications/settings/"]),
        (leader, ["/review/", "/work/"]),
        (
            office,
            [
                "/office/monitor/",
                "/office/statistics/",
                "/office/proposals/",
                "/office/proposals/new",
                "/office/proposals/import/",
                "/office/requests/",
                "/office/publication/",
                "/office/import/",
                "/office/undelivered/",
                "/search/?q=干细胞",
                "/status/",
                item,
            ],
        ),
    ):
        client.logout()
        if user is not None:
            client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for url in urls:
            yield user, url, client.get(url)


def test_english_pages_have_no_chinese_dates_or_full_width_punctuation(
    client, office, clerk, leader, items
):
    data = user_content()
    for user, url, response in english_pages(client, office, clerk, leader, *items):
        text = chrome(response, data)
        date = CHINESE_DATE.search(text)
        assert not date, (user, url, text[max(date.start() - 60, 0) : date.end() + 30])
        mark = FULL_WIDTH.search(text)
        assert not mark, (user, url, text[max(mark.start() - 60, 0) : mark.end() + 30])


def admin_labels(page):
    """The words an admin page labels things with: column headers, filter titles, section
    and model names, form labels (never a row's own cells, which hold data)."""
    found = re.findall(r'<th(?![^>]*class="field-)[^>]*>(.*?)</th>', page, flags=re.S)
    found += re.findall(
        r"<(?:h2|h3|caption|label|legend)\b[^>]*>(.*?)</(?:h2|h3|caption|label|legend)>",
        page,
        flags=re.S,
    )
    words = [html.unescape(re.sub(r"<[^>]+>", " ", f)).strip() for f in found]
    return [w for w in words if w]


def english_in(labels):
    return [w for w in labels if re.search(r"[A-Za-z]{2,}", NAMES.sub("", w))]


def test_the_chinese_admin_labels_its_lists_in_chinese(client, admin_user, items):
    client.force_login(admin_user)
    pages = {"/admin/": client.get("/admin/")}
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        pages[url] = client.get(url)
    for url, response in pages.items():
        assert response.status_code == 200, url
        english = english_in(admin_labels(response.content.decode()))
        assert not english, (url, english)


def test_the_second_factors_admin_forms_are_chinese(client, admin_user):
    client.force_login(admin_user)
    for url in ("/admin/otp_static/staticdevice/add/", "/admin/otp_totp/totpdevice/add/"):
        page = client.get(url).content.decode()
        english = english_in(admin_labels(page))
        assert not english, (url, english)
        assert "The user that this device belongs to" not in page
