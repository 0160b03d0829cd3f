"""Every main page on the demo data that `make run` serves, as each role sees it."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.data import DEMO_PASSWORD
from responses.models import Reply

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_pages_for_every_role(open_as, live_server, demo, shots):
    url = live_server.url
    seed = Reply.objects.get(doc_number="沪科提复〔2024〕24号")

    clerk = open_as("clerk", password=DEMO_PASSWORD)
    violations = []
    clerk.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    expect(clerk.locator("table.list tbody tr").first).to_be_visible()
    expect(clerk.locator(".badge.overdue").first).to_be_visible()
    shots(clerk, "demo-clerk-inbox")
    clerk.goto(f"{url}/items/{seed.assignment.proposal_id}/")
    expect(clerk.locator(".timeline")).to_contain_text("签发")
    shots(clerk, "demo-item-seed-000")
    clerk.goto(f"{url}/letters/reply/{seed.pk}/")
    expect(clerk.locator(".sheet .number")).to_contain_text("沪科提复〔2024〕24号")
    expect(clerk.locator(".sheet")).to_contain_text("章毅、张远波、朱军红等委员：")
    shots(clerk, "demo-letter-seed-000")
    assert violations == [], violations  # no inline script or style anywhere

    leader = open_as("leader", password=DEMO_PASSWORD)
    expect(leader.locator("h1")).to_contain_text("待签发")
    expect(leader.locator(".queue-item").first).to_be_visible()
    shots(leader, "demo-leader-queue")

    office = open_as("office", password=DEMO_PASSWORD)
    expect(office.locator("table.counts tbody tr").first).to_be_visible()
    expect(office.locator("svg.chart rect").first).to_be_visible()
    shots(office, "demo-office-monitor")
    office.goto(f"{url}/office/proposals/")
    shots(office, "demo-office-proposals")
    office.goto(f"{url}/office/publication/")
    shots(office, "demo-office-publication")

    public = open_as()
    public.goto(f"{url}/public/")
    expect(public.locator("table.list")).to_contain_text("沪科建复〔2024〕40号")
    shots(public, "demo-public-list")
    public.goto(f"{url}/public/replies/{seed.pk}/")
    expect(public.locator(".sheet")).to_contain_text("联系人：王大宽；联系电话：23119524")
    shots(public, "demo-public-reply-seed-000")
