"""The exchange in real Chromium: a CERT point of contact files an incident report with two
indicators at TLP:AMBER; the partner state's CERT sees it; a third state does not. Screenshots
(en and ru, 1366 and 390 px wide) go to CBMHUB_SHOTS_DIR when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cbmhub.exchange.models import StixObject

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("CBMHUB_SHOTS_DIR", "")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_incident_at_amber_partner_sees_third_state_does_not(
    browser_as, live_server, bilateral, anna, bert, carol
):
    page = browser_as(anna)
    page.goto(f"{live_server.url}/exchange/")
    page.get_by_test_id("report-link").click()
    form = page.get_by_test_id("incident-form")
    form.get_by_label("What happened, in a few words").fill("Ransomware at the grid operator")
    form.get_by_label("Details").fill("Encrypted SCADA historians; ransom note in Kazakh.")
    form.get_by_label("Severity").select_option("high")
    form.get_by_label("Energy").check()
    form.get_by_label("Indicators").fill("198.51.100.23\nransom-pay.example.net\n")
    form.get_by_label("Who may see it (TLP)").select_option("amber")
    form.get_by_role("button", name="Share the report").click()

    expect(page.get_by_test_id("tlp")).to_have_text("TLP:AMBER")
    expect(page.get_by_test_id("who-can-see")).to_contain_text("CERTs")
    indicators = StixObject.objects.filter(type="indicator")
    assert sorted(indicators.values_list("name", flat=True)) == [
        "198.51.100.23",
        "ransom-pay.example.net",
    ]
    assert set(StixObject.objects.values_list("tlp", flat=True)) == {"amber"}

    partner = browser_as(bert)
    partner.goto(f"{live_server.url}/exchange/")
    rows = partner.get_by_test_id("object-row")
    expect(rows.filter(has_text="Ransomware at the grid operator")).to_have_count(
        2
    )  # incident, report
    # the indicator and the address it observed (an ipv4-addr object)
    expect(rows.filter(has_text="198.51.100.23")).to_have_count(2)
    rows.filter(has_text="198.51.100.23").filter(has_text="indicator").get_by_role("link").click()
    expect(partner.get_by_test_id("tlp")).to_have_text("TLP:AMBER")
    expect(partner.get_by_test_id("relationships")).to_contain_text("indicates")

    third = browser_as(carol)
    third.goto(f"{live_server.url}/exchange/")
    expect(third.get_by_test_id("no-objects")).to_be_visible()
    first = indicators.first()
    assert first is not None
    response = third.goto(f"{live_server.url}/exchange/objects/{first.pk}/")
    assert response is not None and response.status == 404


@pytest.mark.skipif(not SHOTS, reason="screenshots only on request (CBMHUB_SHOTS_DIR)")
def test_screenshots(browser_as, live_server, bilateral, anna, bert):
    from cbmhub.exchange import services

    report = services.incident_report_file(
        actor=anna,
        collection=bilateral.collections.get(),
        title="Phishing wave against the grid operator",
        description="Invoices with a macro that calls back to two addresses.",
        severity="high",
        sectors=["energy"],
        indicators_text="192.0.2.44\nupdate-invoice.example.net",
        level="amber",
    )
    indicator = StixObject.objects.filter(type="indicator").first()
    assert report and indicator
    for language in ("en", "ru"):
        for width in (1366, 390):
            page = browser_as(bert, language=language, width=width)
            for name, path in (
                ("list", "/exchange/"),
                ("object", f"/exchange/objects/{indicator.pk}/"),
                ("arrangements", "/exchange/arrangements/"),
            ):
                page.goto(f"{live_server.url}{path}")
                shoot(page, f"exchange-{name}-{language}-{width}")
            page = browser_as(anna, language=language, width=width)
            page.goto(f"{live_server.url}/exchange/report/")
            shoot(page, f"exchange-report-{language}-{width}")
