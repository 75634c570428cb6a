"""In real Chromium: the secretariat uploads the seed text (corpus 004) as Rev.3, opens PP5b by
its anchor and sees it bracketed with ISR and IND opposing; the delegation filter (htmx) then
marks PP5b as a paragraph ISR opposes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import CORPUS_004

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_the_seed_text_and_open_pp5b(login_page, live_server, sam, document, corpus_004):
    page = login_page(sam)
    page.goto(f"{live_server.url}/negotiations/")
    page.get_by_role("link", name="SWG/OI/9001").click()

    form = page.get_by_test_id("import-form")
    form.locator("input[name=file]").set_input_files(str(CORPUS_004))
    form.locator("select[name=kind]").select_option("rev")
    form.locator("input[name=number]").fill("3")
    form.get_by_role("button", name="Import").click()

    expect(page.get_by_test_id("revision-label")).to_have_text("Rev.3")
    revision_url = page.url.split("#")[0]
    assert re.search(r"/documents/\d+/revisions/\d+/$", revision_url)

    page.goto(f"{revision_url}?paragraph=PP5b#p-PP5b")  # the page PP5b is on
    pp5b = page.locator("#p-PP5b")
    expect(pp5b).to_be_in_viewport()
    expect(pp5b).to_have_attribute("data-status", "bracketed")
    expect(pp5b.get_by_test_id("status")).to_have_text("bracketed")
    for code in ("ISR", "IND"):
        chip = pp5b.locator(f'.neg-chip[data-delegation="{code}"]')
        expect(chip).to_have_count(1)
        expect(chip).to_have_attribute("data-stance", "oppose")
        expect(chip).to_have_text(f"\u2212{code}")
        expect(chip).to_be_visible()
    expect(pp5b.locator('.neg-chip[data-delegation="CHN"]')).to_have_attribute(
        "data-stance", "support"
    )
    expect(pp5b.locator(".neg-source .depth-2").first).to_be_visible()
    # The seed text's unmatched ']' is pointed at by line and column.
    expect(page.get_by_test_id("diagnostics")).to_contain_text("371:214")

    # What does ISR oppose? The filter answers through htmx without leaving the page.
    page.locator("#neg-delegation").select_option("ISR")
    expect(page.get_by_test_id("opposes")).to_contain_text("PP5b")
    expect(page.locator("#p-PP5b")).to_have_attribute("data-stance", "oppose")
    assert "delegation=ISR" in page.url
