"""In real Chromium: the secretariat adds an agenda item on a plan of implementation (the
measures app) from the meeting page; a member state's focal point follows the plan's and the
measure's links from the agenda.

With CBMHUB_SHOTS_DIR set, a second test saves the meeting page with such an item (en and ru,
1366 and 390 px wide) there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cbmhub.core.roles import SYSTEM
from cbmhub.measures import services as measures
from cbmhub.meetings import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("CBMHUB_SHOTS_DIR", "")


@pytest.fixture
def plan(cica):
    catalogue = measures.catalogue_create(
        actor=SYSTEM, organisation=cica, code="cica-cbm", title="CICA Catalogue of CBMs"
    )
    items = [
        measures.ItemSpec(code="2", text="New challenges and threats"),
        measures.ItemSpec(code="2.1", parent="2", text="Security of and in the use of ICTs"),
    ]
    measures.catalogue_import_items(actor=SYSTEM, catalogue=catalogue, items=items)
    return measures.plan_create(
        actor=SYSTEM,
        measure=catalogue.measures.get(code="2.1"),
        title="Plan of implementation on ICT security",
        from_year=2022,
        to_year=2023,
    )


@pytest.fixture
def meeting(swg, state_a):
    from .conftest import PARTS

    return services.meeting_create(
        actor=SYSTEM,
        body=swg,
        title="Special Working Group meeting",
        kind="session",
        parts=PARTS,
        time_zone="Asia/Almaty",
    )


def test_agenda_item_on_a_plan(browser_as, live_server, sam, alice, meeting, plan):
    page = browser_as(sam)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.get_by_text("Add an agenda item").click()
    agenda = page.get_by_test_id("agenda-form")
    agenda.locator("input[name=title]").fill("Implementation of measure 2.1")
    agenda.locator("select[name=plan]").select_option(str(plan.pk))
    agenda.get_by_role("button", name="Add").click()
    expect(page.get_by_test_id("agenda-plan")).to_have_text(str(plan))
    expect(page.get_by_test_id("agenda-measure")).to_have_text("Measure 2.1")

    focal = browser_as(alice)
    focal.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    focal.get_by_test_id("agenda-plan").click()
    expect(focal.locator("h1")).to_have_text(plan.title)
    focal.go_back()
    focal.get_by_test_id("agenda-measure").click()
    assert focal.url.endswith("#measure-2.1")
    expect(focal.locator("[id='measure-2.1']")).to_be_in_viewport()


@pytest.mark.skipif(not SHOTS, reason="screenshots only on request (CBMHUB_SHOTS_DIR)")
def test_screenshots(browser_as, live_server, sam, meeting, plan):
    """Not a check: saves what people see (CBMHUB_SHOTS_DIR=/some/dir)."""
    services.agenda_item_add(
        actor=SYSTEM, meeting=meeting, title="Opening and adoption of the agenda"
    )
    services.agenda_item_add(
        actor=SYSTEM, meeting=meeting, title="Implementation of measure 2.1", plan=plan
    )
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for language in ("en", "ru"):
        for width in (1366, 390):
            page = browser_as(sam, language=language, width=width)
            page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
            page.locator("details:has([data-testid=agenda-form])").evaluate("d => d.open = true")
            page.screenshot(
                path=str(Path(SHOTS) / f"agenda-{language}-{width}.png"), full_page=True
            )
            page.context.close()
