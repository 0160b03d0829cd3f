"""Hostile and malformed input: no server error, nothing half-saved, and text stays text."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals.models import Proposal
from responses.importer import parse
from tests import factories

pytestmark = pytest.mark.django_db
HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "=cmd|' /C calc'!A0",
            "'; DROP TABLE x; --",
            "〔〕号：：：",
            "\x00\x01",
            "第号提案",
            "A" * 5000,
            "😀" * 50,
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=2000))
def test_the_letter_parser_never_fails(text):
    parsed = parse(text)
    assert isinstance(parsed.missing, list)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=HOSTILE, names=HOSTILE, number=HOSTILE, body=HOSTILE)
def test_intake_form_rejects_or_saves_whole_never_500(client, office, title, names, number, body):
    session = factories.session()
    client.force_login(office)
    before = Proposal.objects.count()
    response = client.post(
        "/office/proposals/new",
        {
            "kind": "proposal",
            "session": session.pk,
            "number": number,
            "title": title,
            "proposer_names": names,
            "proposer_kind": "member",
            "body": body,
        },
    )
    assert response.status_code in (200, 302, 400)
    created = Proposal.objects.count() - before
    assert created in (0, 1)
    if created:
        item = Proposal.objects.latest("pk")
        page = client.get(f"/items/{item.pk}/").content.decode()
        assert "<script>alert(1)</script>" not in page  # escaped, never markup
        assert item.signatories.count() >= 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=HOSTILE)
def test_list_filters_take_any_query_string(client, office, query):
    client.force_login(office)
    for url in ("/office/proposals/", "/office/monitor/", "/public/"):
        response = client.get(
            url,
            {
                "q": query,
                "state": query,
                "year": query,
                "unit": query,
                "result": query,
                "page": query,
                "session": query,
            },
        )
        expected = 400 if "\x00" in query else 200  # NUL is refused, naming the field
        assert response.status_code == expected, (url, query)
