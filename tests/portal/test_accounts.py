"""The proposers' accounts: the office's invitation (a one-time link to set a password) and
the sign-in code sent by SMS (hashed, expiring, single use, rate-limited, locked out by
django-axes like the staff's passwords)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal import actions
from portal.models import Invitation, SignInCode, digest
from proposals.models import Proposer
from tests import factories
from workflow.audit import ActionRefused
from workflow.models import TransitionLog

from .conftest import MOBILE, invitation_token, last_code, minutes_ago

pytestmark = pytest.mark.django_db


def invite(person, office, capture, channel="sms", **kw):
    with capture(execute=True):
        return actions.invite_proposer(person, office, channel=channel, **kw)


def test_the_office_invites_by_sms_and_the_link_sets_a_password_once(
    person, office, texts, django_capture_on_commit_callbacks, client
):
    invite(person, office, django_capture_on_commit_callbacks)
    phone, text = texts[-1]
    assert phone == MOBILE and "文彬" in text and "/me/welcome/" in text
    token = invitation_token(texts)
    stored = Invitation.objects.get()
    assert stored.token_hash == digest(token)  # only the hash is kept
    assert TransitionLog.objects.filter(transition="invite", actor=office).exists()

    welcome = client.get(reverse("portal-welcome", args=[token])).content.decode()
    assert "以后用手机号码 139****5678 和这个密码登录" in welcome  # how to sign in next time
    page = client.post(
        reverse("portal-welcome", args=[token]),
        {"new_password1": "Wenbin-2024-pass", "new_password2": "Wenbin-2024-pass"},
    )
    assert page.status_code == 302 and page["Location"] == reverse("portal-home")
    person.refresh_from_db()
    assert person.user.check_password("Wenbin-2024-pass")
    client.logout()
    again = client.get(reverse("portal-welcome", args=[token]))
    assert again.status_code == 410  # single use


def test_an_invitation_expires_and_a_new_one_voids_the_old(
    person, office, texts, django_capture_on_commit_callbacks
):
    invite(person, office, django_capture_on_commit_callbacks)
    first = invitation_token(texts)
    invite(person, office, django_capture_on_commit_callbacks, channel="email")
    with pytest.raises(ActionRefused):
        actions.accept_invitation(first, "Wenbin-2024-pass")
    from django.core import mail

    second = invitation_token(mail.outbox)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ActionRefused):
        actions.accept_invitation(second, "Wenbin-2024-pass")


def test_only_the_office_of_the_proposers_jurisdiction_invites(person, clerk):
    elsewhere = factories.office_user(factories.jurisdiction("山东省", "province"), "sd-office")
    for who in (clerk, elsewhere):
        with pytest.raises(PermissionDenied):
            actions.invite_proposer(person, who, channel="sms")
    assert not Invitation.objects.exists()


def test_a_group_proposer_acts_through_named_contacts(
    shanghai, office, texts, django_capture_on_commit_callbacks
):
    group = factories.proposer("民盟上海市委", kind=Proposer.Kind.PARTY, jurisdiction=shanghai)
    with pytest.raises(ActionRefused):
        actions.invite_proposer(group, office, channel="sms")  # no mobile registered
    first = actions.add_contact_person(group, office, name="李联络", mobile="139 0000 1111")
    second = actions.add_contact_person(group, office, name="王联络", mobile="+86 13900002222")
    invite(group, office, django_capture_on_commit_callbacks, contact=second)
    assert texts[-1][0] == "13900002222" and "王联络" in texts[-1][1]
    assert first.user != second.user
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_sign_in_code("13900001111")
    assert (
        actions.sign_in_with_code("13900001111", last_code(texts, "13900001111")).user == first.user
    )


def test_a_code_signs_in_once_and_is_stored_hashed(
    person, texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_sign_in_code(MOBILE, "10.0.0.1")
    code = last_code(texts)
    row = SignInCode.objects.get()
    assert row.code_hash == digest(f"{MOBILE}:{code}")  # only the hash is kept
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    assert (
        actions.sign_in_with_code(MOBILE, "000000" if code != "000000" else "111111").user is None
    )
    signed = actions.sign_in_with_code(MOBILE, code)
    person.refresh_from_db()
    assert signed.user == person.user and not person.user.has_usable_password()
    assert actions.sign_in_with_code(MOBILE, code).user is None  # used


def test_a_code_expires(person, texts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_sign_in_code(MOBILE)
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "过期" in actions.sign_in_with_code(MOBILE, last_code(texts)).problem


def test_five_wrong_codes_spend_the_code(person, texts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_sign_in_code(MOBILE)
    code = last_code(texts)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert actions.sign_in_with_code(MOBILE, wrong).user is None
    assert actions.sign_in_with_code(MOBILE, code).user is None


def test_codes_wait_a_minute_per_mobile_and_are_rate_limited_per_address(person, shanghai):
    actions.send_sign_in_code(MOBILE, "10.0.0.1")
    with pytest.raises(actions.MobileMustWait, match="秒后重新获取"):
        actions.send_sign_in_code(MOBILE, "10.0.0.2")
    for n in range(9):
        actions.send_sign_in_code(f"1380000{n:04d}", "10.0.0.1")
    with pytest.raises(ActionRefused, match="频繁"):
        actions.send_sign_in_code("13811112222", "10.0.0.1")


def test_an_unknown_mobile_gets_no_text_but_the_same_answer(texts, client):
    page = client.post(reverse("portal-signin"), {"step": "send", "mobile": "13700000000"})
    assert page.status_code == 200 and "验证码已发送" in page.content.decode()
    assert texts == []


def test_wrong_codes_lock_the_mobile_out_as_django_axes_does(
    person, texts, client, settings, django_capture_on_commit_callbacks
):
    settings.AXES_FAILURE_LIMIT = 3
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal-signin"), {"step": "send", "mobile": MOBILE})
    code = last_code(texts)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(3):
        client.post(reverse("portal-signin"), {"step": "code", "mobile": MOBILE, "code": wrong})
    page = client.post(reverse("portal-signin"), {"step": "code", "mobile": MOBILE, "code": code})
    assert page.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def _code_sign_in(texts, capture):
    minutes_ago(SignInCode.objects.all(), 2)  # past the minute between codes
    with capture(execute=True):
        actions.send_sign_in_code(MOBILE, "10.0.0.9")
    return actions.sign_in_with_code(MOBILE, last_code(texts))


def test_saving_a_proposer_in_the_admin_keeps_their_account_and_links_no_other(
    person, office, clerk, texts, django_capture_on_commit_callbacks, client
):
    """The office fixing an address must not cut the proposer off, and can never hand a
    clerk's account to whoever holds the proposer's mobile."""
    own = _code_sign_in(texts, django_capture_on_commit_callbacks).user
    client.force_login(office)
    factories.just_active(client)
    page = client.get(f"/admin/proposals/proposer/{person.pk}/change/")
    assert page.status_code == 200 and 'name="user"' not in page.content.decode()
    client.post(
        f"/admin/proposals/proposer/{person.pk}/change/",
        {
            "kind": person.kind,
            "name": person.name,
            "phone": MOBILE,
            "address": "上海市黄浦区人民大道200号",
            "jurisdiction": person.jurisdiction_id,
            "user": clerk.pk,
        },
    )
    person.refresh_from_db()
    assert person.address == "上海市黄浦区人民大道200号" and person.user == own


def test_an_unlinked_account_is_found_again_and_a_staff_account_never_signs_in_by_code(
    person, clerk, texts, django_capture_on_commit_callbacks, client
):
    own = _code_sign_in(texts, django_capture_on_commit_callbacks).user
    Proposer.objects.filter(pk=person.pk).update(user=None)  # an old edit unlinked it
    assert _code_sign_in(texts, django_capture_on_commit_callbacks).user == own  # no 500

    Proposer.objects.filter(pk=person.pk).update(user=clerk)  # however it came about
    refused = _code_sign_in(texts, django_capture_on_commit_callbacks)
    assert refused.user is None and "不能从提出人入口登录" in refused.problem
    # and the clerk still works: the staff sign-in does not take them for a proposer
    from portal.selectors import is_proposer_account, proposer_of

    assert not is_proposer_account(clerk) and proposer_of(clerk) is None
