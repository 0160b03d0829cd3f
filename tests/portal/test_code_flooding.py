"""Asking for codes cannot lock the real proposer out: an earlier code stays good when
another is asked for (whoever asks), a mobile waits a minute between codes instead of being
blocked, and the day's texts to one mobile are capped (the SMS bill). Wrong codes stay
bounded per code and by django-axes per mobile and address."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import actions
from portal.actions.accounts import (
    CODE_WRONG_TRIES,
    CODES_PER_ADDRESS_AND_MOBILE,
    CODES_PER_MOBILE_PER_DAY,
)
from portal.models import SignInCode
from workflow.audit import ActionRefused

from .conftest import MOBILE, last_code, minutes_ago

pytestmark = pytest.mark.django_db


def ask(capture, ip, mobile=MOBILE):
    with capture(execute=True):
        actions.send_sign_in_code(mobile, ip)


def test_an_attackers_requests_from_elsewhere_never_take_away_the_proposers_code(
    person, texts, client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        page = client.post(reverse("portal-signin"), {"step": "send", "mobile": MOBILE})
    assert "验证码已发送" in page.content.decode()
    code = last_code(texts)
    # Someone who knows the deputy's mobile keeps asking, from addresses of their own.
    for n in range(2):
        minutes_ago(SignInCode.objects.all(), 1.5)
        ask(capture, f"203.0.113.{n}")
    assert len(texts) == 3  # each reached the deputy's phone; the first is still theirs
    page = client.post(reverse("portal-signin"), {"step": "code", "mobile": MOBILE, "code": code})
    assert page.status_code == 302 and page["Location"] == reverse("portal-home")
    person.refresh_from_db()
    assert client.session["_auth_user_id"] == str(person.user.pk)
    # Signed in: the other codes of the moment are spent with it.
    assert not SignInCode.objects.filter(used_at=None, expires_at__gt=timezone.now()).exists()


def test_asking_again_within_a_minute_shows_the_code_box_and_the_wait(
    person, texts, client, django_capture_on_commit_callbacks
):
    ask(django_capture_on_commit_callbacks, "203.0.113.7")  # someone else, a moment ago
    page = client.post(reverse("portal-signin"), {"step": "send", "mobile": MOBILE})
    html = page.content.decode()
    assert page.status_code == 200 and "秒后重新获取" in html
    assert 'name="code"' in html  # the code the phone just got is typed here
    assert len(texts) == 1
    page = client.post(
        reverse("portal-signin"), {"step": "code", "mobile": MOBILE, "code": last_code(texts)}
    )
    assert page.status_code == 302 and "_auth_user_id" in client.session


def test_only_the_latest_three_live_codes_are_checked(
    person, texts, django_capture_on_commit_callbacks
):
    codes = []
    for n in range(4):
        minutes_ago(SignInCode.objects.all(), 1.5)
        ask(django_capture_on_commit_callbacks, f"203.0.113.{n}")
        codes.append(last_code(texts))
    assert actions.sign_in_with_code(MOBILE, codes[0]).user is None  # the oldest: not checked
    signed = actions.sign_in_with_code(MOBILE, codes[1]).user
    person.refresh_from_db()
    assert signed == person.user


def test_the_days_texts_to_one_mobile_are_capped_whoever_asks(
    person, texts, django_capture_on_commit_callbacks
):
    cap, _span = CODES_PER_MOBILE_PER_DAY
    for n in range(cap):
        minutes_ago(SignInCode.objects.all(), 1.5)
        ask(django_capture_on_commit_callbacks, f"198.51.100.{n}")
    minutes_ago(SignInCode.objects.all(), 1.5)
    with pytest.raises(actions.MobileMustWait, match="上限"):
        ask(django_capture_on_commit_callbacks, "198.51.100.200")
    assert len(texts) == cap  # the bill for one mobile in a day
    # The latest code the deputy received still signs them in.
    signed = actions.sign_in_with_code(MOBILE, last_code(texts)).user
    person.refresh_from_db()
    assert signed is not None and signed == person.user


def test_wrong_guesses_spend_every_code_they_were_checked_against(
    person, texts, django_capture_on_commit_callbacks
):
    ask(django_capture_on_commit_callbacks, "10.0.0.1")
    first = last_code(texts)
    minutes_ago(SignInCode.objects.all(), 1.5)
    ask(django_capture_on_commit_callbacks, "10.0.0.1")
    second = last_code(texts)
    wrong = next(f"{n:06d}" for n in range(10) if f"{n:06d}" not in (first, second))
    for _ in range(CODE_WRONG_TRIES):
        assert actions.sign_in_with_code(MOBILE, wrong).user is None
    for code in (first, second):
        assert "过期" in actions.sign_in_with_code(MOBILE, code).problem


def test_one_address_cannot_spend_a_mobiles_day_of_codes(
    person, texts, django_capture_on_commit_callbacks
):
    most, _span = CODES_PER_ADDRESS_AND_MOBILE
    for _ in range(most):
        minutes_ago(SignInCode.objects.all(), 1.5)
        ask(django_capture_on_commit_callbacks, "203.0.113.9")
    minutes_ago(SignInCode.objects.all(), 1.5)
    with pytest.raises(ActionRefused, match="本网络"):
        ask(django_capture_on_commit_callbacks, "203.0.113.9")
    ask(django_capture_on_commit_callbacks, "192.0.2.1")  # the deputy, elsewhere, still gets one
    assert len(texts) == most + 1
