"""An id in an API URL that is not a plain number, or names no row, is 404 on every route:
never a server error (the verbs used to answer 500 for `abc`)."""

import pytest
from rest_framework.test import APIClient

from tests import factories

pytestmark = pytest.mark.django_db

DETAIL = ["/api/proposals/{}/", "/api/assignments/{}/", "/api/replies/{}/"]
DETAIL += ["/api/public/replies/{}/"]
VERBS = ["/api/proposals/{}/review/", "/api/proposals/{}/file/", "/api/proposals/{}/assign/"]
VERBS += ["/api/assignments/{}/accept/"]
BAD = ["abc", "1.5", "-1", "0x1", "１", "1e3", "%20", "99999999999999999999999", "0"]


@pytest.fixture
def api(office):
    client = APIClient()
    client.force_authenticate(office)
    return client


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("route", DETAIL)
def test_a_bad_id_reads_as_not_found(api, route, bad):
    assert api.get(route.format(bad)).status_code == 404


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("route", VERBS)
def test_a_bad_id_in_a_verb_is_not_found(api, route, bad):
    assert api.post(route.format(bad), {}, format="json").status_code == 404


@pytest.mark.parametrize("route", VERBS)
def test_a_bad_id_is_not_found_for_a_clerk_too(clerk, route):
    client = APIClient()
    client.force_authenticate(clerk)
    assert client.post(route.format("abc"), {}, format="json").status_code == 404


def test_a_good_id_still_works(api, office):
    item = factories.proposal(office)
    response = api.post(f"/api/proposals/{item.pk}/review/", {}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "in_review"
