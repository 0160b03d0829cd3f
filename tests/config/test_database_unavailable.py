"""A lost database connection is answered with a retry page (503), never a stack trace."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


@pytest.fixture
def crashing_client(client, clerk):
    client.force_login(clerk)
    client.raise_request_exception = False
    return client


def test_a_lost_database_answers_503_with_a_retry_page(crashing_client):
    with mock.patch("workflow.roles.Roles.of", side_effect=OperationalError("connection lost")):
        page = crashing_client.get("/work/")
    assert page.status_code == 503
    assert page["Retry-After"] == "10"
    assert "数据库暂时无法连接，您的操作没有保存" in page.content.decode()


def test_any_other_error_is_a_plain_500_page(crashing_client):
    with mock.patch("workflow.roles.Roles.of", side_effect=RuntimeError("bug")):
        page = crashing_client.get("/work/")
    assert page.status_code == 500
    assert "服务器错误" in page.content.decode()
    assert "RuntimeError" not in page.content.decode()
