"""Exercises in real Chromium: the control cell prepares and starts a run; the worker's step
sends the first inject over the hotline; the player opens it from the exercise page,
acknowledges and replies in the hotline; the console shows it without a reload (htmx polling);
the after-action report downloads and names that state's times. Screenshots of the console and
the player's page, in English and Russian, 1366 and 390 px wide, go to /work/shots/exercises/."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cbmhub.core.roles import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 20_000  # the console polls every 5 s; room for a slow shared machine
SHOTS = Path("/work/shots/exercises")


def test_control_starts_player_answers_console_shows_report_names_times(
    browser_as, live_server, scenario, sam, bert, tmp_path
):
    from cbmhub.exercises import services
    from cbmhub.hotline.worker import deliveries_process

    control = browser_as(sam)
    control.goto(f"{live_server.url}/exercises/scenarios/{scenario.pk}/")
    expect(control.get_by_test_id("plan")).to_contain_text("Ransomware at the power grid operator")
    control.get_by_test_id("new-run").click()
    control.get_by_test_id("start").click()
    expect(control.get_by_test_id("run-status")).to_contain_text("Running")
    run_url = control.url

    # The worker's step: the first inject goes out through the hotline.
    assert services.runs_step(actor=SYSTEM) == 1
    deliveries_process()
    expect(control.locator("[data-testid=cell]").first).to_have_attribute(
        "data-cell", "delivered", timeout=POLL
    )

    player = browser_as(bert)
    player.goto(run_url)
    expect(player.get_by_test_id("controls")).to_have_count(0)
    expect(player.get_by_test_id("timeline")).not_to_contain_text("Which indicators")
    player.get_by_role("link", name="open in the hotline").click()
    expect(player.get_by_test_id("subject")).to_contain_text("[EXERCISE]")
    player.get_by_test_id("acknowledge").click()
    expect(player.get_by_test_id("receipt")).to_contain_text("acknowledged")
    player.locator("[data-testid=reply-form] textarea[name=body]").fill(
        "Assessment: two hosts affected, contained."
    )
    player.get_by_role("button", name="Send reply").click()

    # The console shows it in place, without a reload.
    expect(control.locator("[data-testid=cell]").first).to_have_attribute(
        "data-cell", "answered", timeout=POLL
    )

    with control.expect_download() as download:
        control.get_by_test_id("report-pdf").click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # Mongolia: 1 inject, acknowledged, a time to acknowledge, answered, a time to reply.
    assert re.search(r"Mongolia\s+1\s+1\s+\d:\d\d:\d\d\s+1\s+\d:\d\d:\d\d", text), text

    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("en", "ru"):
        for width in (1366, 390):
            page = browser_as(sam, language=language, width=width)
            page.goto(run_url)
            page.screenshot(path=SHOTS / f"console-{language}-{width}.png", full_page=True)
            page = browser_as(bert, language=language, width=width)
            page.goto(run_url)
            page.screenshot(path=SHOTS / f"player-{language}-{width}.png", full_page=True)
