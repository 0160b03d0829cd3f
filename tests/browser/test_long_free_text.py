"""Free text with no break of its own (a pasted link, a run of digits, 2000 characters of one
word) wraps inside its box at a phone's width: the item's 办理过程, commitments' progress
notes and drop reasons, a follow-up reply's report in the leader's queue, the yearly
回头看's note and the public reply's commitments never push the page sideways."""

import pytest
from django.utils import timezone

from responses.actions import (
    note_progress,
    publish_letter,
    record_look_back,
    request_drop,
    submit_letter,
)
from responses.models import Commitment
from tests import factories
from tests.browser.conftest import sign_in
from tests.promises import follow_up_reporting, promising_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 390
WIDEST = """() => [...document.querySelectorAll("body *")]
    .filter(e => !e.children.length && e.getBoundingClientRect().right > window.innerWidth)
    .slice(0, 3)
    .map(e => `${e.parentElement.tagName}.${e.parentElement.className} > ${e.tagName}`)"""
LONG = "x" * 2000


def wide_pages(browser, base, username, paths):
    context = browser.new_context(viewport={"width": PHONE, "height": 860}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    if username:
        sign_in(page, base, username, "pw-Banli-2024")
    found = {}
    for path in paths:
        response = page.goto(base + path)
        assert response.ok, path
        assert LONG[:60] in page.content(), path  # the text is there, whole or cut
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            found[(username, path)] = (width, page.evaluate(WIDEST))
    context.close()
    return found


def test_long_unbroken_text_wraps_at_a_phones_width(
    browser, live_server, office, clerk, leader, kewei
):
    proposers = [factories.proposer("文彬")]
    reply, (delivered, dropped, noted, _late) = promising_reply(
        office, clerk, leader, kewei, proposers
    )
    note_progress(noted, clerk, LONG)
    request_drop(dropped, clerk, LONG)
    follow_up = follow_up_reporting(reply, delivered, clerk, leader, LONG)
    publish_letter(reply, office), publish_letter(follow_up, office)
    queued = follow_up_reporting(reply, noted, clerk, leader, LONG, send=False)
    submit_letter(queued, clerk)
    # A second item, delivered a year ago, looked back at this year with a long note.
    looked, made = promising_reply(office, clerk, leader, kewei, proposers)
    Commitment.objects.filter(reply=looked).update(
        state="delivered",
        delivered_on=timezone.localdate().replace(year=timezone.localdate().year - 1, day=1),
    )
    year = timezone.localdate().year
    record_look_back(looked, office, year, True, LONG)
    item = f"/items/{reply.assignment.proposal_id}/"
    wide = {
        **wide_pages(browser, live_server.url, "clerk", [item, f"/letters/reply/{queued.pk}/"]),
        **wide_pages(browser, live_server.url, "leader", ["/review/"]),
        **wide_pages(
            browser,
            live_server.url,
            "office",
            [item, "/office/look-back/", f"/office/look-back/yearly/?year={year}"],
        ),
        **wide_pages(browser, live_server.url, None, [f"/public/replies/{reply.pk}/"]),
    }
    assert not wide, wide
