"""Playwright driving Debian's Chromium (never a downloaded browser) against live_server."""

import os
from pathlib import Path

import pytest

from tests.services import IN_CI

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def fonts_config(folder):
    """A fontconfig file that adds the fonts Banli carries for its letters to the system's, so
    pages and screenshots show Chinese on a machine with no CJK font package (a user's own
    browser brings its fonts; the test machine may not)."""
    carried = Path(__file__).resolve().parents[2] / "responses" / "fonts"
    config = Path(folder) / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{carried}</dir><cachedir>{Path(folder) / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return str(config)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail("Chromium is missing at /usr/bin/chromium (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop; Django must still allow ORM calls here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        env = {**os.environ, "FONTCONFIG_FILE": fonts_config(tmp_path_factory.mktemp("fonts"))}
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=env)
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: docs/screenshots when refreshing them (make screenshots)."""
    target = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(target / f"{name}.png"), full_page=True)

    return take


def second_factor_code(username):
    """What the user's authenticator app shows: a code computed from their device, the way a
    phone would, for a step not used yet (the same code never signs in twice)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:  # already used this step: the next one is accepted too
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


def sign_in(page, url, username, password):
    """The login page, then the second factor's page when the account has or needs one."""
    from proposals.models import User
    from workflow import second_factor
    from workflow.roles import must_use_second_factor

    user = User.objects.get(username=username)
    if must_use_second_factor(user):
        second_factor.demo_device(user)  # enrolled beforehand, as the demo's accounts are
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_load_state()
    if "/account/verify/" in page.url:
        page.fill("#id_code", second_factor_code(username))
        page.click("button.primary")
        page.wait_for_load_state()


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def open_page(username=None, width=1280, password="pw-Banli-2024"):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        if username:
            sign_in(page, live_server.url, username, password)
        return page

    yield open_page
    for context in contexts:
        context.close()
