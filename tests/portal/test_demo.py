"""Each demo proposer can sign in: load_demo prints where, which mobiles, and where the code
is written; a printed mobile signs in by code and finds its items."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal import actions
from responses.proposer_selectors import my_items, proposer_of

from .conftest import last_code

pytestmark = pytest.mark.django_db


def test_the_demo_says_how_proposers_sign_in_and_they_can(
    texts, client, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue().split("提出人登录：", 1)[1]
    assert reverse("portal-signin") in printed and "验证码" in printed
    mobile = printed.splitlines()[1].split()[1]
    assert "待评价的答复" in printed
    with django_capture_on_commit_callbacks(execute=True):
        actions.send_sign_in_code(mobile)
    user = actions.sign_in_with_code(mobile, last_code(texts, mobile)).user
    assert user is not None and my_items(proposer_of(user))
