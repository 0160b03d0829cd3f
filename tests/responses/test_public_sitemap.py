"""The sitemap lists what the public site shows and nothing more."""

import pytest

from responses.actions import (
    publish_letter,
    save_letter,
    send_letter,
    sign_letter,
    start_reply,
    submit_letter,
    withdraw_publication,
)
from tests import factories

pytestmark = pytest.mark.django_db


def reply(office, clerk, leader, kewei, **fields):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    draft = start_reply(assignment, clerk)
    draft = save_letter(draft, clerk, body="答复正文", class_label="解决采纳", **fields)
    submit_letter(draft, clerk)
    sign_letter(draft, leader)
    return send_letter(draft, clerk)


def test_the_sitemap_lists_published_replies_only(client, office, kewei, clerk, leader):
    published = publish_letter(reply(office, clerk, leader, kewei), clerk)
    withheld = reply(office, clerk, leader, kewei, disclosure="withheld", withheld_reason="privacy")
    sent_not_yet_published = reply(office, clerk, leader, kewei)
    draft = start_reply(factories.accepted(office, clerk, kewei), clerk)

    xml = client.get("/sitemap.xml").content.decode()
    assert "/public/</loc>" in xml
    assert f"/public/replies/{published.pk}/</loc>" in xml
    for hidden in (withheld, sent_not_yet_published, draft):
        assert f"/public/replies/{hidden.pk}/" not in xml

    withdraw_publication(published, office, "发现含有个人信息")
    assert f"/public/replies/{published.pk}/" not in client.get("/sitemap.xml").content.decode()
