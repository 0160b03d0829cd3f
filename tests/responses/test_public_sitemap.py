"""The sitemap lists what the public site shows and nothing more."""

import pytest

from responses import actions as letters
from tests import factories

pytestmark = pytest.mark.django_db


def reply(office, clerk, leader, kewei, **fields):
    assignment = factories.accepted(office, clerk, kewei)
    factories.contacted(assignment, clerk)
    draft = letters.start_reply(assignment, clerk)
    draft = letters.save_letter(draft, clerk, body="答复正文", class_label="解决采纳", **fields)
    letters.submit_letter(draft, clerk)
    letters.sign_letter(draft, leader)
    return letters.send_letter(draft, clerk)


def test_the_sitemap_lists_published_replies_only(client, office, kewei, clerk, leader):
    published = letters.publish_letter(reply(office, clerk, leader, kewei), clerk)
    withheld = reply(office, clerk, leader, kewei, disclosure="withheld", withheld_reason="privacy")
    sent_not_yet_published = reply(office, clerk, leader, kewei)
    draft = letters.start_reply(factories.accepted(office, clerk, kewei), clerk)

    xml = client.get("/sitemap.xml").content.decode()
    assert "/public/</loc>" in xml
    assert f"/public/replies/{published.pk}/</loc>" in xml
    for hidden in (withheld, sent_not_yet_published, draft):
        assert f"/public/replies/{hidden.pk}/" not in xml

    letters.withdraw_publication(published, office, "发现含有个人信息")
    assert f"/public/replies/{published.pk}/" not in client.get("/sitemap.xml").content.decode()
