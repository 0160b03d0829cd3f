"""The second factor, through the real pages: the password alone no longer opens the office's
pages, the admin or the API; codes from an authenticator and recovery codes let the right
person in, once; wrong codes are throttled and locked out."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tests import factories
from workflow import second_factor

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Banli-2024"  # tests.factories.user
START = datetime(2026, 3, 2, 9, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))  # 5 s into a step


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def code_for(device_or_key, later=0):
    """The code an authenticator app shows now (or `later` steps on)."""
    key = (
        device_or_key.bin_key if hasattr(device_or_key, "bin_key") else bytes.fromhex(device_or_key)
    )
    totp = TOTP(key)
    totp.time = datetime.now().timestamp() + 30 * later
    return f"{totp.token():06d}"


def sign_in(client, username):
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    return response


def enrolled(user):
    device, _codes = second_factor.demo_device(user)
    return device


def test_office_without_device_must_enrol_and_reaches_nothing_else(client, office, clock):
    sign_in(client, "office")
    for url in ["/office/monitor/", "/admin/", "/admin/proposals/user/", "/work/", "/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/account/two-factor/?next="), url
    api = client.get("/api/proposals/")
    assert api.status_code == 403 and "两步验证" in api.json()["detail"]
    assert client.get("/api/token/").status_code == 403  # no token without the second factor

    page = client.get("/account/two-factor/")
    html = page.content.decode()
    assert "须启用两步验证" in html
    assert 'src="data:image/svg+xml' in html
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    key = client.session["banli_otp_setup_key"]
    assert secret.replace(" ", "") == second_factor.secret_text(key).replace(" ", "")

    wrong = client.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=office).exists()
    assert client.get("/office/monitor/").status_code == 302

    done = client.post("/account/two-factor/", {"action": "confirm", "code": code_for(key)})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=office).confirmed
    assert client.get("/office/monitor/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/proposals/").status_code == 200


def test_an_enrolled_user_is_asked_for_a_code_after_the_password(client, office, clock):
    device = enrolled(office)
    response = sign_in(client, "office")
    follow = client.get(response.url)
    assert follow.status_code == 302 and follow.url.startswith("/account/verify/")
    # The password alone cannot replace the authenticator either.
    assert client.get("/account/two-factor/").url.startswith("/account/verify/")

    wrong = client.post("/account/verify/", {"code": "123456", "next": "/office/monitor/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert client.get("/office/monitor/").status_code == 302

    clock.shift(2)  # the throttle after one wrong code is one second
    right = client.post("/account/verify/", {"code": code_for(device), "next": "/office/monitor/"})
    assert right.status_code == 302 and right.url == "/office/monitor/"
    assert client.get("/office/monitor/").status_code == 200

    # The same code cannot be used again, even in a fresh session.
    client.logout()
    sign_in(client, "office")
    again = client.post("/account/verify/", {"code": code_for(device)})
    assert "验证码不正确" in again.content.decode()


def test_next_after_the_code_stays_on_this_site(client, office, clock):
    device = enrolled(office)
    sign_in(client, "office")
    response = client.post(
        "/account/verify/", {"code": code_for(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == "/"


def test_a_recovery_code_works_once(client, office, clock):
    enrolled(office)
    code = StaticToken.objects.filter(device__user=office).first().token
    sign_in(client, "office")
    response = client.post("/account/verify/", {"code": code.upper(), "next": "/office/monitor/"})
    assert response.url == "/office/monitor/"
    page = client.get("/office/monitor/")
    assert page.status_code == 200 and "还剩 9 个" in page.content.decode()

    client.logout()
    clock.shift(60)
    sign_in(client, "office")
    reused = client.post("/account/verify/", {"code": code})
    assert reused.status_code == 200 and "验证码不正确" in reused.content.decode()
    assert client.get("/office/monitor/").status_code == 302


def test_recovery_codes_can_be_issued_anew(client, office, clock):
    enrolled(office)
    old = set(StaticToken.objects.filter(device__user=office).values_list("token", flat=True))
    client.force_login(office)
    page = client.post("/account/two-factor/", {"action": "codes"})
    new = set(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode()))
    assert len(new) == 10 and not new & old
    stored = set(StaticToken.objects.filter(device__user=office).values_list("token", flat=True))
    assert stored == new


def test_wrong_codes_are_throttled(client, office, clock):
    device = enrolled(office)
    sign_in(client, "office")
    client.post("/account/verify/", {"code": "000000"})
    # Right after a wrong code even the right one waits (1, 2, 4 … seconds, per device).
    throttled = client.post("/account/verify/", {"code": code_for(device)})
    assert "错误次数过多" in throttled.content.decode()
    clock.shift(2)
    assert client.post("/account/verify/", {"code": code_for(device)}).status_code == 302


def test_repeated_wrong_codes_lock_the_account_like_wrong_passwords(client, office, clock):
    enrolled(office)
    sign_in(client, "office")
    for _ in range(4):
        clock.shift(600)
        assert client.post("/account/verify/", {"code": "000000"}).status_code == 200
    clock.shift(600)
    locked = client.post("/account/verify/", {"code": "000000"})
    assert locked.status_code == 429 and "登录已暂时锁定" in locked.content.decode()
    assert client.get("/office/monitor/").status_code == 302  # signed out
    # django-axes now refuses even the right password for this account from here.
    again = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert again.status_code == 429


def test_a_clerk_signs_in_without_a_second_factor_and_may_enrol(client, clerk, clock):
    sign_in(client, "clerk")
    assert client.get("/work/").status_code == 200
    page = client.get("/account/two-factor/").content.decode()
    assert "须启用两步验证" not in page and 'src="data:image/svg+xml' in page
    key = client.session["banli_otp_setup_key"]
    client.post("/account/two-factor/", {"action": "confirm", "code": code_for(key)})
    assert TOTPDevice.objects.filter(user=clerk, confirmed=True).exists()

    client.logout()
    clock.shift(60)
    sign_in(client, "clerk")
    assert client.get("/work/").url.startswith("/account/verify/")
    device = TOTPDevice.objects.get(user=clerk)
    client.post("/account/verify/", {"code": code_for(device)})
    assert client.get("/work/").status_code == 200


def test_an_enrolled_user_may_replace_the_authenticator(client, clerk, clock):
    old = enrolled(clerk)
    client.force_login(clerk)
    client.post("/account/two-factor/", {"action": "replace"})
    key = client.session["banli_otp_setup_key"]
    client.post("/account/two-factor/", {"action": "confirm", "code": code_for(key)})
    (device,) = TOTPDevice.objects.filter(user=clerk)
    assert device.key == key and device.pk != old.pk


def test_superusers_and_staff_must_enrol_too(client, clock):
    factories.user("root", is_superuser=True, is_staff=True)
    factories.user("staff", is_staff=True)
    for username in ["root", "staff"]:
        client.logout()
        sign_in(client, username)
        assert client.get("/admin/").url.startswith("/account/two-factor/")


def test_scripts_with_a_token_are_not_asked(client, office):
    """API tokens are for scripts; a token is only issued on a page behind the second factor."""
    token = Token.objects.create(user=office)
    response = client.get("/api/proposals/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_demo_devices_stay_the_same_on_a_second_load(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    call_command("load_demo")
    second = capsys.readouterr().out
    secrets = re.findall(r"密钥（TOTP）：([A-Z2-7 ]+)", first)
    assert len(secrets) == 2  # admin and office
    assert secrets == re.findall(r"密钥（TOTP）：([A-Z2-7 ]+)", second)
    assert "▀" in first  # the QR code, in the terminal
    codes = re.findall(r"恢复码（每个一次）：(.+)", first)
    assert len(codes[0].split()) == 10 and codes == re.findall(r"恢复码（每个一次）：(.+)", second)


def test_a_lockout_from_wrong_passwords_stops_the_code_page_too(client, office, clock):
    device = enrolled(office)
    sign_in(client, "office")
    other = type(client)()
    for _ in range(5):
        other.post("/login/", {"username": "office", "password": "wrong"})
    locked = client.post("/account/verify/", {"code": code_for(device)})
    assert locked.status_code == 429 and "登录已暂时锁定" in locked.content.decode()
    assert client.get("/office/monitor/").status_code == 302


def test_removing_a_device_ends_the_sessions_it_let_in(client, office, clock):
    client.force_login(office)
    assert client.get("/office/monitor/").status_code == 200
    TOTPDevice.objects.filter(user=office).delete()  # a lost phone, removed by the administrator
    response = client.get("/office/monitor/")
    assert response.status_code == 302 and response.url.startswith("/account/two-factor/")


def test_the_page_says_how_many_recovery_codes_are_left(client, clerk):
    enrolled(clerk)
    sign_in(client, "clerk")
    client.post("/account/verify/", {"code": StaticToken.objects.first().token})
    page = client.get("/account/two-factor/").content.decode()
    assert "两步验证已启用" in page and "未用的恢复码：9 个" in page


def test_a_confirmation_without_a_secret_shown_first_changes_nothing(client, clerk, clock):
    device = enrolled(clerk)
    client.force_login(clerk)
    page = client.post("/account/two-factor/", {"action": "confirm", "code": code_for(device)})
    assert page.status_code == 200 and "验证码不正确" in page.content.decode()
    assert list(TOTPDevice.objects.filter(user=clerk)) == [device]


# ---- the lockout counts until the whole sign-in is done ---------------------------------------
def test_a_right_password_between_rounds_of_wrong_codes_does_not_reset_the_count(
    client, office, clock
):
    device = enrolled(office)
    codes_tried = 0
    for _round in range(3):
        client.logout()
        response = client.post("/login/", {"username": "office", "password": PASSWORD})
        if response.status_code == 429:
            break
        for _ in range(3):
            clock.shift(600)
            response = client.post("/account/verify/", {"code": "000000"})
            codes_tried += 1
            if response.status_code == 429:
                break
        if response.status_code == 429:
            break
    assert response.status_code == 429 and "登录已暂时锁定" in response.content.decode()
    assert codes_tried == 5  # the limit, across the password logins between the rounds
    client.logout()
    again = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert again.status_code == 429
    clock.shift(600)
    other = type(client)()
    assert other.post("/account/verify/", {"code": code_for(device)}).status_code == 302
    assert other.get("/office/monitor/").status_code == 302  # not signed in at all


def test_the_count_is_reset_once_the_code_is_passed(client, office, clock):
    device = enrolled(office)
    for _round in range(2):
        client.logout()
        sign_in(client, "office")
        for _ in range(3):
            clock.shift(600)
            assert client.post("/account/verify/", {"code": "000000"}).status_code == 200
        clock.shift(600)
        passed = client.post("/account/verify/", {"code": code_for(device)})
        assert passed.status_code == 302  # six wrong codes in all, but the sign-in completed
        clock.shift(30)


def test_enrolling_completes_the_sign_in_of_whoever_must_have_a_second_factor(
    client, office, clock
):
    for _ in range(4):
        client.post("/login/", {"username": "office", "password": "wrong"})
    sign_in(client, "office")
    client.get("/account/two-factor/")
    key = client.session["banli_otp_setup_key"]
    client.post("/account/two-factor/", {"action": "confirm", "code": code_for(key)})
    client.logout()
    for _ in range(4):  # a fresh count: four more wrong passwords do not lock yet
        page = client.post("/login/", {"username": "office", "password": "wrong"})
        assert page.status_code == 200


# ---- no navigation before the second factor --------------------------------------------------
def test_the_code_page_shows_no_navigation_of_the_role(client, office, clock):
    device = enrolled(office)
    office.is_staff = True
    office.save()
    sign_in(client, "office")
    page = client.get("/account/verify/").content.decode()
    for hidden in ["/office/monitor/", "/admin/", "/notifications/", "/work/", "/account/token/"]:
        assert f'href="{hidden}' not in page, hidden
    assert "管理后台" not in page and "逾期监控" not in page and "退出" in page
    clock.shift(2)
    client.post("/account/verify/", {"code": code_for(device)})
    page = client.get("/account/two-factor/").content.decode()
    assert "逾期监控" in page and "管理后台" in page


def test_the_enrol_page_of_whoever_must_enrol_shows_no_navigation(client, office, clock):
    sign_in(client, "office")
    page = client.get("/account/two-factor/").content.decode()
    assert "逾期监控" not in page and "退出" in page


# ---- turning the second factor off -----------------------------------------------------------
def test_a_clerk_may_turn_the_second_factor_off_with_a_current_code(client, clerk, clock):
    device = enrolled(clerk)
    sign_in(client, "clerk")
    client.post("/account/verify/", {"code": code_for(device)})
    page = client.get("/account/two-factor/").content.decode()
    assert "关闭两步验证" in page

    clock.shift(600)
    wrong = client.post("/account/two-factor/", {"action": "disable", "code": "000000"})
    assert wrong.status_code == 200 and "两步验证未关闭" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=clerk).exists()

    clock.shift(600)
    done = client.post("/account/two-factor/", {"action": "disable", "code": code_for(device)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert not StaticToken.objects.filter(device__user=clerk).exists()
    assert client.get("/work/").status_code == 200

    client.logout()
    sign_in(client, "clerk")
    assert client.get("/work/").status_code == 200  # the password alone again


def test_whoever_must_have_a_second_factor_cannot_turn_it_off(client, office, clock):
    device = enrolled(office)
    sign_in(client, "office")
    client.post("/account/verify/", {"code": code_for(device)})
    page = client.get("/account/two-factor/").content.decode()
    assert "关闭两步验证" not in page
    clock.shift(600)
    refused = client.post("/account/two-factor/", {"action": "disable", "code": code_for(device)})
    assert refused.status_code == 403
    assert TOTPDevice.objects.filter(user=office).exists()
    assert StaticToken.objects.filter(device__user=office).count() == 10
