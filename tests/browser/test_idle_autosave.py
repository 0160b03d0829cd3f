"""The clerk's text survives the idle limit: the autosave after it says what happened without
touching the editor, and after signing in again in another window the same page saves."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from config.accounts import LAST_SEEN
from responses.actions import start_reply
from responses.models import Reply
from tests import factories

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_autosave_after_the_idle_limit_keeps_the_text_and_saves_after_signing_in(
    open_as, live_server, office, kewei, clerk, shots
):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    page = open_as("clerk")
    page.goto(f"{live_server.url}/letters/reply/{reply.pk}/")
    expect(page.locator("#id_body")).to_be_visible()

    # The clerk stops for an hour (the session's last request is put an hour back).
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN] -= 3600
    session.save()

    text = "经研究，现答复如下：一、加强政策支持；二、完善工作机制。"
    page.fill("#id_body", text)
    expect(page.locator("#flash")).to_contain_text("会话因长时间未操作已结束")
    expect(page.locator("#id_body")).to_have_value(text)
    assert "/letters/reply/" in page.url
    shots(page, "idle-autosave-notice")

    other = page.context.new_page()
    sign_in(other, live_server.url, "clerk", "pw-Banli-2024")
    other.close()

    with page.expect_response(
        lambda response: response.request.method == "POST" and "/letters/reply/" in response.url
    ) as saved:
        page.fill("#id_body", text + "三、")
    assert saved.value.status == 200 and "hx-retarget" not in saved.value.headers
    expect(page.locator("#saved")).to_contain_text("已自动保存")
    assert Reply.objects.get(pk=reply.pk).body == text + "三、"
