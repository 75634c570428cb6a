"""In real Chromium: the secretariat convenes a meeting whose agenda links a negotiation
document, a focal point nominates a delegation, the secretariat accepts it and records an
outcome that moves the document to the SOC, then issues a numbered note with an English and a
Russian version; a point of contact of a member state finds the note and opens it, the
secretariat circulates it through the hotline, and that point of contact receives it in the
hotline inbox, opens and acknowledges it.

With CBMHUB_SHOTS_DIR set, a second test saves the meetings pages (en and ru, 1366 and 390 px
wide) there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cbmhub.core.roles import SYSTEM
from cbmhub.hotline import worker
from cbmhub.hotline.choices import Scope
from cbmhub.hotline.models import Channel
from cbmhub.meetings import services

from .conftest import HEAD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("CBMHUB_SHOTS_DIR", "")


@pytest.fixture
def diplomatic(cica):
    return Channel.objects.create(
        name="CICA diplomatic network",
        scope=Scope.MULTILATERAL,
        level="diplomatic",
        organisation=cica,
    )


def test_convene_nominate_outcome_and_note(
    browser_as, live_server, sam, alice, anna, swg, soc, document, revision, series, diplomatic
):
    page = browser_as(sam)
    page.goto(f"{live_server.url}/meetings/")
    page.get_by_test_id("convene").click()
    form = page.get_by_test_id("meeting-form")
    form.locator("select[name=body]").select_option(label=str(swg))
    form.locator("input[name=title]").fill("SWG session on the statement")
    form.locator("select[name=kind]").select_option("session")
    form.locator("input[name=time_zone]").fill("Asia/Almaty")
    form.locator("input[name=part1_start]").fill("2030-09-28T10:00")
    form.locator("input[name=part1_end]").fill("2030-09-28T18:00")
    form.locator("input[name=part1_venue]").fill("Astana")
    form.get_by_role("button", name="Convene").click()
    expect(page.get_by_test_id("meeting-title")).to_have_text("SWG session on the statement")
    meeting_url = page.url

    page.get_by_text("Add an agenda item").click()
    agenda = page.get_by_test_id("agenda-form")
    agenda.locator("input[name=title]").fill("Draft statement")
    agenda.locator("select[name=document]").select_option(label=str(document))
    agenda.get_by_role("button", name="Add").click()
    expect(page.get_by_test_id("agenda-document")).to_have_text(document.symbol)

    # The focal point of state A nominates the delegation.
    focal = browser_as(alice)
    focal.goto(meeting_url)
    delegation = focal.get_by_test_id("delegation-form")
    delegation.locator("input[name=name1]").fill("Aidos Bekov")
    delegation.locator("input[name=function1]").fill("Ambassador")
    delegation.get_by_role("button", name="Nominate").click()
    expect(focal.get_by_test_id("delegation-status")).to_have_text("Nominated")

    # The secretariat accepts it and records the SWG's recommendation.
    page.goto(meeting_url)
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("delegation-status")).to_have_text("Accepted")
    page.get_by_text("Record an outcome").click()
    outcome = page.get_by_test_id("outcome-form")
    outcome.locator("select[name=kind]").select_option("recommendation")
    outcome.locator("textarea[name=wording]").fill("The SWG recommended its approval by the SOC.")
    outcome.locator("select[name=effect]").select_option("recommend_approval")
    outcome.locator("select[name=target_body]").select_option(label=str(soc))
    outcome.get_by_role("button", name="Record").click()
    expect(page.get_by_test_id("outcome")).to_contain_text("Recommend for approval")
    page.get_by_test_id("agenda-document").click()
    expect(page.get_by_test_id("current-stage")).to_have_text(
        "Recommended by SWG for approval by SOC"
    )

    # A note in English and Russian, issued under the next number of the series.
    page.goto(f"{live_server.url}/meetings/notes/")
    page.get_by_test_id("note-create").click()
    note = page.get_by_test_id("note-form")
    note.locator("select[name=series]").select_option(label=series.pattern)
    note.locator("input[name=subject]").fill("Outcome of the SWG session")
    note.locator("input[name=date]").fill("2030-09-29")
    note.locator("textarea[name=body]").fill("The SWG recommended the statement to the SOC.")
    note.get_by_role("button", name="Save as draft").click()
    page.get_by_text("Add or change a language version").click()
    version = page.get_by_test_id("version-form")
    version.locator("select[name=language]").select_option("ru")
    version.locator("textarea[name=body]").fill("СРГ рекомендовала заявление КСДЛ.")
    version.get_by_role("button", name="Save").click()
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("note-symbol")).to_have_text("SWG/OI/1262")
    expect(page.get_by_test_id("aligned")).to_be_visible()

    # A point of contact of state A finds the note and opens it, and its PDF.
    poc = browser_as(anna)
    poc.goto(f"{live_server.url}/meetings/notes/")
    poc.get_by_role("link", name="SWG/OI/1262").click()
    expect(poc.get_by_test_id("note-status")).to_have_text("Issued")
    expect(poc.get_by_test_id("aligned")).to_contain_text("СРГ рекомендовала")
    with poc.expect_download() as download:
        poc.get_by_test_id("pdf-ru").click()
    assert download.value.suggested_filename == "SWG-OI-1262-ru.pdf"

    # The secretariat circulates it through the hotline (CICA's diplomatic channel); the
    # worker delivers it to the inboxes.
    page.get_by_test_id("circulate").click()
    expect(page.get_by_test_id("circulation-row")).to_have_count(3)
    while worker.deliveries_process():
        pass

    # State A's point of contact receives it in the hotline inbox, from CICA, opens it with
    # both PDFs and acknowledges it; the note page then shows it read by state A.
    poc.goto(f"{live_server.url}/hotline/")
    row = poc.get_by_test_id("inbox-row").filter(has_text="SWG/OI/1262")
    expect(row.get_by_test_id("sender-organisation")).to_have_text("CICA")
    row.get_by_test_id("message-link").click()
    expect(poc.get_by_test_id("sender-organisation")).to_contain_text("CICA")
    expect(poc.get_by_test_id("body")).to_contain_text("The SWG recommended the statement")
    expect(poc.get_by_role("link", name="SWG-OI-1262-ru.pdf")).to_be_visible()
    expect(poc.get_by_role("link", name="SWG-OI-1262-en.pdf")).to_be_visible()
    poc.get_by_test_id("acknowledge").click()
    expect(poc.get_by_test_id("acknowledge")).to_have_count(0)
    page.reload()
    expect(
        page.get_by_test_id("circulation-row")
        .filter(has_text=anna.state.name)
        .get_by_test_id("acknowledged")
    ).to_contain_text("UTC")


@pytest.mark.skipif(not SHOTS, reason="screenshots only on request (CBMHUB_SHOTS_DIR)")
def test_screenshots(
    browser_as, live_server, sam, alice, anna, swg, soc, document, revision, note, diplomatic
):
    """Not a check: saves what people see (CBMHUB_SHOTS_DIR=/some/dir)."""
    from .conftest import PARTS

    meeting = services.meeting_create(
        actor=SYSTEM,
        body=swg,
        title="Special Working Group meeting",
        kind="session",
        parts=PARTS,
        time_zone="Asia/Almaty",
    )
    item = services.agenda_item_add(
        actor=SYSTEM, meeting=meeting, title=document.title, revision=revision
    )
    services.outcome_record(
        actor=SYSTEM,
        agenda_item=item,
        kind="recommendation",
        wording="Recommended for approval by the SOC.",
        effect="recommend_approval",
        target_body=soc,
    )
    delegation = services.delegation_nominate(
        actor=alice, meeting=meeting, state=alice.state, members=HEAD
    )
    services.delegation_accept(actor=SYSTEM, delegation=delegation)
    note = services.note_issue(actor=SYSTEM, note=note)
    message = services.note_circulate(actor=sam, note=note).circulated_message
    assert message is not None
    while worker.deliveries_process():
        pass
    from cbmhub.hotline import services as hotline_services

    hotline_services.message_acknowledge(actor=anna, message=message)
    pages = {
        "list": "/meetings/",
        "meeting": f"/meetings/{meeting.pk}/",
        "participants": f"/meetings/{meeting.pk}/participants/",
        "calendar": "/meetings/calendar/?month=2022-09",
        "notes": "/meetings/notes/",
        "note": f"/meetings/notes/{note.pk}/",
        "document": f"/negotiations/documents/{document.pk}/",
    }
    hotline_pages = {"inbox": "/hotline/", "hotline-message": f"/hotline/messages/{message.pk}/"}
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for language in ("en", "ru"):
        for width in (1366, 390):
            page = browser_as(sam, language=language, width=width)
            for name, path in pages.items():
                page.goto(f"{live_server.url}{path}")
                page.screenshot(
                    path=str(Path(SHOTS) / f"{name}-{language}-{width}.png"), full_page=True
                )
            page.context.close()
            # What a member state's point of contact sees of the circulated note.
            page = browser_as(anna, language=language, width=width)
            for name, path in hotline_pages.items():
                page.goto(f"{live_server.url}{path}")
                page.screenshot(
                    path=str(Path(SHOTS) / f"{name}-{language}-{width}.png"), full_page=True
                )
            page.context.close()
