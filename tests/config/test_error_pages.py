"""A refusal or a wrong address is a page of the product, in the user's language, with the
header and a way back: not the server's bare English."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_refused_page_says_why_in_chinese_with_a_way_back(client, office):
    client.force_login(office)
    response = client.get("/review/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in body and "返回首页" in body and "逾期监控" in body
    assert "403 Forbidden" not in body


def test_a_missing_page_in_english(client, clerk):
    client.force_login(clerk)
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and "Back to the home page" in body


def test_anonymous_visitors_get_the_same_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
