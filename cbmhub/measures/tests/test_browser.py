"""In real Chromium: a focal point files a submission; the secretariat sees the matrix cell
change and downloads the progress report. Then screenshots of the pages in English and
Russian at 1366 and 390 px (written to /work/shots/measures/, or CBMHUB_SHOTS_DIR)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cbmhub.core.roles import SYSTEM
from cbmhub.measures import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("CBMHUB_SHOTS_DIR", "/work/shots/measures"))


@pytest.fixture
def progress(plan, state_a, state_b):
    services.initiative_save(
        actor=SYSTEM,
        plan=plan,
        kind="workshop",
        title="Online workshop",
        year=2022,
        status="held",
        lead_state=state_a,
        participants=[state_a, state_b],
    )
    return plan


def test_file_then_matrix_then_report(
    browser_as, live_server, bob, sam, cycle, measure, progress, tmp_path
):
    page = browser_as(bob)
    page.goto(f"{live_server.url}/measures/cycles/{cycle.pk}/file/")
    form = page.get_by_test_id("submission-form")
    form.locator("select[name=measure]").select_option(str(measure.pk))
    form.locator("select[name=kind]").select_option("nil_return")
    form.locator("input[name=nil_since_year]").fill("2024")
    form.locator("select[name=visibility]").select_option("members")
    form.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    expect(page.get_by_test_id("nil")).to_contain_text("Nothing new since 2024")

    secretariat = browser_as(sam)
    secretariat.goto(f"{live_server.url}/measures/matrix/?cycle={cycle.pk}")
    row = secretariat.locator('[data-testid=matrix-row][data-state="MNG"]')
    cells = row.get_by_test_id("cell")
    expect(cells).to_have_count(3)  # the leaves 1.1, 1.2, 2.1
    expect(cells.nth(0)).to_have_attribute("data-status", "nil")

    secretariat.goto(f"{live_server.url}/measures/plans/{progress.pk}/")
    with secretariat.expect_download() as info:
        secretariat.get_by_test_id("report-pdf").click()
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Initiatives held: 1 of 1 planned." in text


def test_screenshots(
    browser_as, live_server, alice, bob, sam, state_a, cycle, measure, progress, catalogue
):
    from .conftest import submit

    submit(
        alice, cycle, measure, state_a, visibility="public", title="Briefing", text="Our policy."
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "matrix": f"/measures/matrix/?cycle={cycle.pk}",
        "catalogue": f"/measures/catalogues/{catalogue.code}/",
        "plan": f"/measures/plans/{progress.pk}/",
        "warning": "/measures/warning/",
        "file": f"/measures/cycles/{cycle.pk}/file/",
    }
    for language in ("en", "ru"):
        for width in (1366, 390):
            for name, url in pages.items():
                user = alice if name == "file" else sam
                page = browser_as(user, language=language, width=width)
                page.goto(f"{live_server.url}{url}")
                expect(page.locator("main, body").first).to_be_visible()
                page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)
                page.context.close()
    assert len(list(SHOTS.glob("*.png"))) >= 20
