"""The OpenAPI description is valid and complete (no generator warnings), the docs page works
under the site's Content-Security-Policy from vendored assets, and Schemathesis, generating
requests from the description for every operation (POST included), with an office token and
with a clerk token, never gets a server error."""

import re

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from responses.actions import rotate_api_token
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "api.yml")
    text = (tmp_path / "api.yml").read_text()
    for path in ("/api/proposals/", "/api/assignments/{id}/accept/", "/api/feedback/"):
        assert f"  {path}:" in text


def test_the_docs_page_uses_local_assets_under_the_csp(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"<script>[^<]", html)  # no inline script: the CSP forbids it
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources)  # no CDN
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert client.get("/api/docs/?script").status_code == 200


schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(params=["office", "clerk"])
def token(request, office, kewei, clerk, leader):
    """A token of the office or of a unit's clerk over a little data (an item in handling,
    a sent reply); the WSGI calls keep the test's database connection open, as Django's own
    test client does."""
    factories.sent_reply(office, clerk, leader, kewei)
    factories.filed(office, title="关于在办件的提案")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield rotate_api_token({"office": office, "clerk": clerk}[request.param]).key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Every operation, reads and verbs, valid and invalid requests: a handful of examples each,
# the same ones every run (derandomized), so CI stays fast and a failure reproduces.
@schema.parametrize()
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_generated_requests_never_meet_a_server_error(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}", "Host": "localhost"},
        checks=[not_a_server_error],
    )
