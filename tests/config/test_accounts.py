"""Idle sessions end; the password policy holds at every place a password is set."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from demo import loader as demo
from proposals.models import User
from responses.actions import start_reply
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WEAK = ["banli-demo-pass", "Banli@2024", "BANLI2024DEMO", "correcthorsebattery"]
STRONG = "Kewei-Reply-2026"


# ---- idle sessions ---------------------------------------------------------------------------
def test_a_session_ends_after_thirty_idle_minutes(client, clerk, time_machine):
    time_machine.move_to(START, tick=False)
    client.force_login(clerk)
    assert client.get("/work/").status_code == 200
    for minutes in (29, 29, 29):  # activity keeps it alive, well past thirty minutes in all
        time_machine.shift(timedelta(minutes=minutes))
        assert client.get("/work/").status_code == 200
    time_machine.shift(timedelta(minutes=31))
    response = client.get("/work/?state=open")
    assert response.status_code == 302
    assert response.url == "/login/?next=/work/%3Fstate%3Dopen"
    assert SESSION_KEY not in client.session
    login = client.get(response.url).content.decode()
    assert "30 分钟未操作" in login and "自动退出" in login
    assert client.get("/work/").status_code == 302  # signed out for good


def test_the_idle_limit_comes_from_the_setting(client, clerk, time_machine, settings):
    settings.SESSION_IDLE_MINUTES = 5
    time_machine.move_to(START, tick=False)
    client.force_login(clerk)
    client.get("/work/")
    time_machine.shift(timedelta(minutes=6))
    assert client.get("/work/").status_code == 302


def test_the_session_is_not_written_on_every_request(client, clerk, time_machine):
    time_machine.move_to(START, tick=False)
    client.force_login(clerk)
    client.get("/work/")
    seen = client.session["banli_last_seen"]
    time_machine.shift(20)
    response = client.get("/work/")
    assert client.session["banli_last_seen"] == seen
    assert "sessionid" not in response.cookies  # nothing to save
    time_machine.shift(60)
    client.get("/work/")
    assert client.session["banli_last_seen"] == seen + 80


def test_an_idle_session_ends_for_boosted_links_with_a_full_page_redirect(
    client, clerk, time_machine
):
    time_machine.move_to(START, tick=False)
    client.force_login(clerk)
    client.get("/work/")
    time_machine.shift(timedelta(minutes=45))
    response = client.get("/work/", HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")
    assert response["HX-Redirect"].startswith("/login/?next=")


def test_an_autosave_after_the_idle_limit_keeps_the_typed_text_on_the_page(
    client, clerk, kewei, office, time_machine
):
    time_machine.move_to(START, tick=False)
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    reply = start_reply(assignment, clerk)
    client.force_login(clerk)
    url = f"/letters/reply/{reply.pk}/"
    assert client.get(url).status_code == 200
    time_machine.shift(timedelta(minutes=31))
    typed = {"body": "空闲期间写下的一大段答复", "title": reply.title}
    for _ in range(2):  # the first autosave after the limit, and the ones after it
        saved = client.post(url, typed, HTTP_HX_REQUEST="true")
        # Nothing on the page is replaced or cleared: only a message goes to the message area,
        # and no redirect takes the page (and the text in it) away.
        assert saved.status_code == 200
        assert saved["HX-Retarget"] == "#flash" and saved["HX-Reswap"] == "innerHTML"
        assert "HX-Redirect" not in saved and "HX-Location" not in saved
        notice = saved.content.decode()
        assert "会话因长时间未操作已结束" in notice and "仍在本页" in notice
        assert "<form" not in notice  # not the login page
    assert SESSION_KEY not in client.session
    reply.refresh_from_db()
    assert reply.body != typed["body"]  # signed out: nothing saved
    # A page opened afterwards still goes to the login, with the way back.
    page = client.get(url)
    assert page.status_code == 302 and page.url == f"/login/?next={url}"


# ---- the password policy ---------------------------------------------------------------------
@pytest.mark.parametrize("password", WEAK + ["Short-1a"])
def test_the_validators_refuse_weak_passwords(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="clerk"))


def test_the_validators_accept_a_long_password_of_three_classes():
    validate_password(STRONG, User(username="clerk"))
    validate_password("办理答复2026年度ok", User(username="clerk"))  # 汉字 count as symbols


def test_the_password_change_page_applies_the_policy(client, clerk):
    client.force_login(clerk)
    assert client.get("/account/password/").status_code == 200
    weak = client.post(
        "/account/password/",
        {
            "old_password": "pw-Banli-2024",
            "new_password1": "Banli@2024",
            "new_password2": "Banli@2024",
        },
    )
    assert weak.status_code == 200 and "至少3类" in weak.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password("pw-Banli-2024")
    done = client.post(
        "/account/password/",
        {"old_password": "pw-Banli-2024", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert done.status_code == 302 and done.url == "/account/password/done/"
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)


@pytest.fixture
def superuser(client):
    root = factories.user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    return root


def test_the_admin_add_user_form_applies_the_policy(client, superuser):
    form = {"username": "newclerk", "usable_password": "true"}
    weak = client.post(
        "/admin/proposals/user/add/", {**form, "password1": "Banli@2024", "password2": "Banli@2024"}
    )
    assert weak.status_code == 200 and not User.objects.filter(username="newclerk").exists()
    assert "至少须有 12 个字符" in weak.content.decode()
    client.post("/admin/proposals/user/add/", {**form, "password1": STRONG, "password2": STRONG})
    assert User.objects.get(username="newclerk").check_password(STRONG)


def test_the_admin_password_form_applies_the_policy(client, superuser, clerk):
    url = f"/admin/proposals/user/{clerk.pk}/password/"
    weak = client.post(
        url, {"password1": "bananabanana1", "password2": "bananabanana1", "usable_password": "true"}
    )
    assert weak.status_code == 200 and "至少3类" in weak.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password("pw-Banli-2024")
    client.post(url, {"password1": STRONG, "password2": STRONG, "usable_password": "true"})
    clerk.refresh_from_db()
    assert clerk.check_password(STRONG)


def test_changepassword_refuses_weak_passwords(clerk, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Banli@2024")
    with pytest.raises(CommandError):
        call_command("changepassword", "clerk", stdout=io.StringIO(), stderr=io.StringIO())
    clerk.refresh_from_db()
    assert clerk.check_password("pw-Banli-2024")


def test_createsuperuser_refuses_weak_passwords(monkeypatch):
    """At a terminal createsuperuser runs the validators and asks whether to bypass them: a
    "y" no longer helps. Without a terminal it takes DJANGO_SUPERUSER_PASSWORD unchecked in
    Django; the user manager checks it here."""
    from django.contrib.auth.management.commands import createsuperuser

    answers = iter(["root2", "Banli@2024", "Banli@2024", "y"])
    monkeypatch.setattr(createsuperuser.getpass, "getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    out = io.StringIO()
    with pytest.raises(CommandError, match="至少须有 12 个字符"):
        call_command("createsuperuser", interactive=True, email="", stdout=out, stderr=out)
    assert "至少须有 12 个字符" in out.getvalue()

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Banli@2024")
    with pytest.raises(CommandError, match="至少须有 12 个字符"):
        call_command("createsuperuser", interactive=False, username="root3", email="")
    assert not User.objects.filter(username__in=["root2", "root3"]).exists()

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", interactive=False, username="root3", email="", stdout=out)
    assert User.objects.get(username="root3").check_password(STRONG)


def test_the_demo_password_meets_the_policy_and_is_checked(monkeypatch):
    validate_password(demo.DEMO_PASSWORD, User(username="office"))
    monkeypatch.setattr(demo, "DEMO_PASSWORD", "Banli@2024")
    with pytest.raises(ValidationError):
        call_command("load_demo", stdout=io.StringIO())


def test_a_form_sent_after_the_idle_limit_is_not_replayed_after_signing_in(
    client, clerk, time_machine
):
    time_machine.move_to(START, tick=False)
    client.force_login(clerk)
    client.get("/work/")
    time_machine.shift(timedelta(minutes=31))
    response = client.post("/logout/")
    assert response.status_code == 302 and response.url == "/login/"
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "password, why",
    [
        ("          aA1", "空格"),  # spaces are not a class, nor most of a password
        ("aA1                 ", "空格"),
        ("Aa1Aa1Aa1Aa1", "不同的字符"),  # three different characters
        ("Aa1 Aa1 Aa1 Aa1 Aa1", "不同的字符"),
        ("clerk2Clerk2!", "用户名"),
        ("Xy9-CLERK2-zz", "用户名"),
    ],
)
def test_the_validators_refuse_padding_repetition_and_the_username(password, why):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, User(username="clerk2"))
    assert why in " ".join(refused.value.messages)


def test_spaces_count_as_no_class_but_a_passphrase_is_fine():
    with pytest.raises(ValidationError, match="至少3类"):
        validate_password("abcdefgh 1234", User(username="clerk"))  # two classes and a space
    validate_password("Kewei reply 2026", User(username="clerk"))
    validate_password("Xy9-CLK-zzqw", User(username="ab"))  # too short a username to look for


def _change(client, old, new):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_change_page_refuses_the_current_password_as_the_new_one(client, clerk):
    clerk.set_password(STRONG)
    clerk.save()
    client.force_login(clerk)
    same = _change(client, STRONG, STRONG)
    assert same.status_code == 200 and "不能与原密码相同" in same.content.decode()
    assert _change(client, STRONG, "Anders-Antwort-2027").status_code == 302


def test_the_change_page_refuses_a_password_with_the_username(client):
    factories.user("clerk2")
    client.force_login(User.objects.get(username="clerk2"))
    page = _change(client, "pw-Banli-2024", "clerk2Clerk2!")
    assert page.status_code == 200 and "不能包含用户名" in page.content.decode()


def test_wrong_current_passwords_on_the_change_page_lock_like_wrong_logins(client, clerk):
    client.force_login(clerk)
    for _ in range(4):
        page = _change(client, "guess-Banli-2024", STRONG)
        assert page.status_code == 200 and "原密码" in page.content.decode()
    locked = _change(client, "guess-Banli-2024", STRONG)
    assert locked.status_code == 429 and "登录已暂时锁定" in locked.content.decode()
    assert SESSION_KEY not in client.session  # the session that guessed is signed out
    # The right password is refused too, here and at the login, until the cool-off.
    relogin = client.post("/login/", {"username": "clerk", "password": "pw-Banli-2024"})
    assert relogin.status_code == 429
    clerk.refresh_from_db()
    assert clerk.check_password("pw-Banli-2024")


def test_a_locked_account_cannot_change_its_password_from_an_open_session(client, clerk):
    client.force_login(clerk)
    other = type(client)()
    for _ in range(5):
        other.post("/login/", {"username": "clerk", "password": "wrong"})
    refused = _change(client, "pw-Banli-2024", STRONG)
    assert refused.status_code == 429
    clerk.refresh_from_db()
    assert clerk.check_password("pw-Banli-2024")


def test_a_right_password_resets_the_count_of_who_has_no_second_factor(client, clerk):
    for _round in range(2):
        for _ in range(4):
            page = client.post("/login/", {"username": "clerk", "password": "wrong"})
            assert page.status_code == 200
        right = client.post("/login/", {"username": "clerk", "password": "pw-Banli-2024"})
        assert right.status_code == 302
        client.logout()
