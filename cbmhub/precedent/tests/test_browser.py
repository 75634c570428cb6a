"""In real Chromium: a revision's paragraphs marked as agreed language, the precedent with the
difference highlighted, and the Russian version side by side. With CBMHUB_SHOTS_DIR set, the
pages are also saved as screenshots (en and ru, 1366 and 390 px) to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import services as negotiations

from .conftest import DRAFT_RU

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("CBMHUB_SHOTS_DIR", "")


@pytest.fixture
def russian(draft):
    return negotiations.revision_version_import(
        actor=SYSTEM, revision=draft, language="ru", data=DRAFT_RU.encode(), source_name="ru.txt"
    )


def test_agreed_language_precedent_difference_and_russian_side_by_side(
    browser_as, live_server, alice, draft, russian
):
    page = browser_as(alice)
    page.goto(f"{live_server.url}/negotiations/documents/{draft.document_id}/revisions/{draft.pk}/")
    page.get_by_test_id("precedent-link").click()
    agreed = page.locator('[data-testid="draft-paragraph"][data-status="agreed"]')
    expect(agreed.first).to_be_visible()
    expect(agreed.first.get_by_test_id("agreed")).to_have_text("agreed language")
    expect(page.get_by_test_id("share")).to_contain_text("%")
    # PP1 adds "serious" to the adopted text: open its precedent.
    agreed.first.get_by_test_id("open-precedent").click()
    first = page.get_by_test_id("result").first
    expect(first).to_contain_text("SWG/ICT/1")
    inserted = first.locator("ins.diff-ins")
    expect(inserted).to_have_text("serious ")
    assert inserted.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    # Back on the revision: its Russian version, side by side.
    page.goto(f"{live_server.url}/negotiations/documents/{draft.document_id}/revisions/{draft.pk}/")
    page.get_by_test_id("versions-link").click()
    page.get_by_test_id("version-ru").click()
    table = page.get_by_test_id("side-by-side")
    expect(table).to_contain_text("постановляет продолжать активно заниматься этим вопросом")
    expect(table).to_contain_text("Decides to remain actively seized of the matter.")
    expect(page.get_by_test_id("missing")).to_have_count(1)  # OP2 has no Russian version


@pytest.mark.skipif(not SHOTS, reason="screenshots only on request (CBMHUB_SHOTS_DIR)")
def test_screenshots(browser_as, live_server, alice, draft, russian):
    """Not a check: saves what people see, to look at."""
    base = f"{live_server.url}"
    pages = {
        "draft": f"/precedent/revisions/{draft.pk}/",
        "precedent": f"/precedent/revisions/{draft.pk}/paragraphs/0/",
        "search": "/precedent/?q=Decides+to+remain+seized+of+the+matter",
        "versions": (
            f"/negotiations/documents/{draft.document_id}/revisions/{draft.pk}/versions/ru/"
        ),
    }
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for language in ("en", "ru"):
        for width in (1366, 390):
            page = browser_as(alice, language=language, width=width)
            for name, path in pages.items():
                page.goto(base + path)
                shot = Path(SHOTS) / f"{name}-{language}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
            page.context.close()
