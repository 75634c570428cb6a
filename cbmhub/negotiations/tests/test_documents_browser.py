"""In real Chromium: the secretariat imports a delegation's Word file with tracked changes,
reads the messages, downloads the revision as Word and the comparison with tracked changes;
screenshots of the changed pages in English and Russian, wide and narrow
(/work/shots/documents/ when that folder can be made)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cbmhub.negotiations import notation
from cbmhub.negotiations.documents.docx import DocMeta, compare_docx, import_docx

from .conftest import SHORT_TEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("CBMHUB_SHOTS", "/work/shots/documents"))
NEW_TEXT = SHORT_TEXT.replace("twice a year", "once a year") + "\nOP3. Decide to report.\n"


def _shot(page, name: str) -> None:
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_word_import_downloads_and_screenshots(
    browser_as, live_server, sam, alice, revision, tmp_path
):
    data = compare_docx(
        notation.analyse(notation.parse(SHORT_TEXT)),
        notation.analyse(notation.parse(NEW_TEXT)),
        DocMeta(author="KAZ delegation", date="2026-05-01"),
    )
    upload = tmp_path / "Rev2 from KAZ.docx"
    upload.write_bytes(data)
    page = browser_as(sam)
    page.goto(f"{live_server.url}/negotiations/documents/{revision.document_id}/")
    form = page.get_by_test_id("import-form")
    if not form.is_visible():
        page.get_by_text("Import a revision").click()
    form.locator("input[name=file]").set_input_files(str(upload))
    form.locator("select[name=kind]").select_option("rev")
    form.locator("input[name=number]").fill("2")
    form.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("revision-label")).to_have_text("Rev.2")
    expect(page.get_by_text("tracked changes accepted")).to_be_visible()
    expect(page.get_by_test_id("revision-downloads")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_test_id("download-docx").click()
    word = Path(info.value.path()).read_bytes()
    assert import_docx(word).text == NEW_TEXT

    document_id = revision.document_id
    for language in ("en", "ru"):
        for width in (1366, 390):
            reader = browser_as(alice, language=language, width=width)
            reader.goto(f"{live_server.url}/negotiations/documents/{document_id}/compare/")
            expect(reader.get_by_test_id("compare-downloads")).to_be_visible()
            _shot(reader, f"compare-{language}-{width}")
            if language == "en" and width == 1366:
                with reader.expect_download() as info:
                    reader.get_by_test_id("download-compare-docx").click()
                tracked = import_docx(Path(info.value.path()).read_bytes())
                assert {c.author for c in tracked.changes} == {"Special Working Group"}
                assert "once a year" in tracked.text and "twice a year" in tracked.rejected_text
            reader.get_by_role("link", name="Rev.2").first.click()
            expect(reader.get_by_test_id("revision-downloads")).to_be_visible()
            _shot(reader, f"revision-{language}-{width}")
            secretariat = browser_as(sam, language=language, width=width)
            secretariat.goto(f"{live_server.url}/negotiations/documents/{document_id}/")
            details = secretariat.locator("details.card").first
            if details.count():
                details.evaluate("d => d.open = true")
            _shot(secretariat, f"document-import-{language}-{width}")
