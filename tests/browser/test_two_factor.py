"""The office's first sign-in in Chromium: sent to 两步验证, scans (here: reads) the secret,
confirms with a code, keeps the recovery codes, and is let in. The QR code is an image the
page's Content-Security-Policy allows."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_enrols_on_first_sign_in(open_as, live_server, office, shots):
    page = open_as()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", "pw-Banli-2024")
    page.click("button.primary")
    page.wait_for_load_state()
    assert "/account/two-factor/" in page.url
    expect(page.locator(".error")).to_contain_text("须启用两步验证")
    qr = page.locator("img[alt='两步验证二维码']")
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
    shots(page, "two-factor-enrol")

    secret = page.locator("code.secret").inner_text().replace(" ", "")
    totp = TOTP(b32decode(secret))
    totp.time = time.time()
    page.fill("#id_code", f"{totp.token():06d}")
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.locator(".recovery-codes code").count() == 10
    page.click("text=我已保存，继续")
    page.wait_for_load_state()
    expect(page.locator("h1")).not_to_contain_text("两步验证")
    page.goto(f"{live_server.url}/office/monitor/")
    expect(page.locator("h1")).to_contain_text("逾期监控")
