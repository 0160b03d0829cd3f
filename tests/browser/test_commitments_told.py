"""承诺事项 as the proposers and the public read them, on a 390 px phone and at a desk, in
Chinese and in English: the item's course, a reply's and a follow-up reply's page, the
emailed feedback link and the public reply pages pass axe-core, nothing scrolls sideways, and
each commitment's card is there with how it stands."""

import pytest
from django.conf import settings
from django.test import Client

from responses.links import feedback_url
from tests import factories, promises
from tests.browser.test_accessibility import summary, violations
from tests.portal.helpers import as_proposer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)


@pytest.fixture
def told(office, clerk, leader, kewei, shanghai):
    person = factories.proposer("文彬", phone="13912345678", jurisdiction=shanghai)
    cosigner = factories.proposer("章毅", phone="13987654321", jurisdiction=shanghai)
    story = promises.story(office, clerk, leader, kewei, [person, cosigner], publish=True)
    return story, person


def proposer_cookie(person):
    """The session a proposer's sign-in leaves, made by the test client (portal.signin)."""
    client = Client()
    as_proposer(client, person)
    factories.just_active(client)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_commitments_pages_on_a_phone_and_a_desk(browser, live_server, told, shots):
    story, person = told
    paths = [
        f"/me/items/{story.reply.assignment.proposal_id}/",
        f"/me/replies/{story.reply.pk}/",
        f"/me/replies/{story.follow_up.pk}/",
        feedback_url(story.reply, person),
        feedback_url(story.follow_up, person),
        f"/public/replies/{story.reply.pk}/",
        f"/public/replies/{story.follow_up.pk}/",
    ]
    session = proposer_cookie(person)
    found = {}
    for language in ("zh-hans", "en"):
        context = browser.new_context(locale="zh-CN", bypass_csp=True)
        context.add_cookies(
            [
                {"name": "django_language", "value": language, "url": live_server.url},
                {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        for path in paths:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(live_server.url + path)
                assert response.status in (200, 409), f"{path}: HTTP {response.status}"
                assert page.locator("li.commitment").count() >= 1, path
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width, f"{path} @{width}px ({language}) scrolls: {wide}"
                problems = violations(page)
                if problems:
                    found[(f"{path} [{language}]", width)] = problems
        if language == "zh-hans":
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(live_server.url + paths[0])
            shots(page, "portal-commitments-390")
        context.close()
    assert not found, "axe found serious or critical violations:\n" + summary(found)
