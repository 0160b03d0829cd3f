"""The office tools on the demo data in a real browser: statistics with their charts, search
with marked hits, the similar-case panel, the import page, the public search and the API docs
(Swagger UI from local files), with no Content-Security-Policy violation anywhere."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.data import DEMO_PASSWORD
from responses.models import Reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def watch(page):
    violations = []
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and violations.append((page.url, m.text)),
    )
    return violations


def test_the_office_tools_on_the_demo(open_as, live_server, demo, shots):
    url = live_server.url
    office = open_as("office", password=DEMO_PASSWORD)
    violations = watch(office)
    office.goto(f"{url}/office/statistics/?year=")
    expect(office.locator("table.counts").first).to_contain_text("合计")
    expect(office.locator("svg.chart rect").first).to_be_visible()
    expect(office.locator(".definitions")).to_contain_text("解决采纳率")
    shots(office, "office-statistics")
    office.goto(f"{url}/search/")
    office.fill("#s-q", "干细胞")
    expect(office.locator("ol.hits mark").first).to_have_text("干细胞")
    shots(office, "office-search")
    seed = Reply.objects.get(doc_number="沪科提复〔2024〕24号")
    office.goto(f"{url}/items/{seed.assignment.proposal_id}/")
    expect(office.locator(".similar")).to_contain_text("关于加快推进我省干细胞产业发展的建议")
    shots(office, "item-similar-panel")
    office.goto(f"{url}/office/proposals/import/")
    expect(office.locator("a[href$='template.xlsx']")).to_be_visible()
    office.goto(f"{url}/api/docs/")
    expect(office.locator(".swagger-ui .info .title")).to_contain_text("Banli")
    expect(office.locator(".opblock").first).to_be_visible()
    shots(office, "api-docs")
    assert violations == [], violations

    public = open_as()
    public.goto(f"{url}/public/?q=干细胞")
    expect(public.locator("#rows mark").first).to_be_visible()
    shots(public, "public-search")
