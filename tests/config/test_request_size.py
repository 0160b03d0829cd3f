"""A body larger than MAX_REQUEST_BYTES is refused from its declared length, before the CSRF
check or any view reads it (an upload's own limits apply only once it is received)."""

import pytest

pytestmark = pytest.mark.django_db


def test_oversized_upload_is_refused_before_it_is_read(client, office, settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    client.force_login(office)
    response = client.post(
        "/office/import/", {"files": "x"}, CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1)
    )
    assert response.status_code == 413
    assert "超过1MB" in response.content.decode()


def test_a_body_within_the_limit_reaches_the_page(client, office, settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    client.force_login(office)
    response = client.post("/office/import/", {})
    assert response.status_code != 413


def test_a_malformed_length_is_a_bad_request(client):
    assert client.post("/login/", {}, CONTENT_LENGTH="lots").status_code == 400
