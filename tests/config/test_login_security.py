"""Login is locked after repeated failures, and every page carries a strict CSP."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_repeated_wrong_passwords_lock_the_login(client):
    factories.user("clerk9")
    for _ in range(4):
        page = client.post("/login/", {"username": "clerk9", "password": "wrong"})
        assert page.status_code == 200 and "用户名或密码不正确" in page.content.decode()
    assert client.post("/login/", {"username": "clerk9", "password": "wrong"}).status_code == 429
    locked = client.post("/login/", {"username": "clerk9", "password": "pw-Banli-2024"})
    assert locked.status_code == 429 and "登录已暂时锁定" in locked.content.decode()


def test_a_right_password_resets_the_count(client):
    factories.user("clerk8")
    for _ in range(4):
        client.post("/login/", {"username": "clerk8", "password": "wrong"})
    assert (
        client.post("/login/", {"username": "clerk8", "password": "pw-Banli-2024"}).status_code
        == 302
    )


def test_pages_forbid_inline_scripts(client):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
