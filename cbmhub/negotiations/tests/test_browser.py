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


def test_a_long_revision_is_navigable(login_page, live_server, sam, document, corpus_004):
    """Issue 10, item 16: paragraph navigation, a bracketed-only view without choosing a
    delegation, the filter kept in the URL, sticky side panels, **bold** shown as bold."""
    from cbmhub.negotiations import services

    text = corpus_004.decode("utf-8") + "\nOP9. Decide to **hold** a *workshop*.\n"
    revision = services.revision_import(
        actor=sam, document=document, data=text.encode(), kind="rev", number=3
    ).revision
    url = f"{live_server.url}/negotiations/documents/{document.pk}/revisions/{revision.pk}/"
    page = login_page(sam)
    page.set_viewport_size({"width": 1280, "height": 800})
    # The revision is shown 50 paragraphs a page (4 pages here): OP9 is on the last one.
    page.goto(f"{url}?paragraph=OP9#p-OP9")

    # Bold is bold, italic italic, and the asterisks are not displayed.
    op9 = page.locator("#p-OP9 .neg-source")
    assert op9.evaluate("e => e.innerText").strip() == "OP9. Decide to hold a workshop."
    bold = op9.locator(".neg-strong", has_text="hold")
    assert int(bold.evaluate("e => getComputedStyle(e).fontWeight")) >= 700
    assert bold.evaluate("e => getComputedStyle(e).fontStyle") == "normal"
    italic = op9.locator(".neg-em", has_text="workshop")
    assert italic.evaluate("e => getComputedStyle(e).fontStyle") == "italic"

    # Paragraph navigation: one click to a numbered paragraph on another page (OP5(1) is on
    # page 3 of 4).
    nav = page.get_by_test_id("paragraph-nav")
    expect(nav.get_by_role("link", name="OP5(1)", exact=True)).to_be_visible()
    nav.get_by_role("link", name="OP5(1)", exact=True).click()
    expect(page.locator("#p-OP5\\(1\\)")).to_be_in_viewport()
    assert page.url.endswith("#p-OP5(1)")

    # Far down the page, the filter and the consensus are still on screen, whether the
    # wheel turns over the text or over the side panel.
    page.mouse.move(300, 400)
    page.mouse.wheel(0, 100_000)
    page.wait_for_function("window.scrollY > 5000")
    expect(page.get_by_test_id("delegation-filter")).to_be_in_viewport()
    expect(nav).to_be_in_viewport()
    expect(page.get_by_test_id("consensus")).to_be_in_viewport()
    box = page.get_by_test_id("side-scroll").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.wheel(0, 5_000)
    page.mouse.move(300, 400)
    page.mouse.wheel(0, -2_000)
    expect(page.get_by_test_id("delegation-filter")).to_be_in_viewport()
    expect(nav).to_be_in_viewport()

    # Bracketed only, with no delegation chosen; the URL keeps it, and so does a reload.
    page.get_by_test_id("status-filter").select_option("bracketed")
    expect(page.get_by_test_id("paragraph").first).to_have_attribute("data-status", "bracketed")
    statuses = page.get_by_test_id("paragraph").evaluate_all(
        "els => [...new Set(els.map(e => e.dataset.status))]"
    )
    assert statuses == ["bracketed"]
    expect(page.get_by_test_id("paragraph")).to_have_count(9)
    expect(nav.locator("a")).to_have_count(9)  # the navigation follows the filter
    expect(nav.get_by_role("link", name="PP5a", exact=True)).to_have_count(0)
    assert "status=bracketed" in page.url

    # A delegation and "only its paragraphs": both kept in the URL; a reload shows the same.
    page.locator("#neg-delegation").select_option("ISR")
    page.get_by_label("only its paragraphs").check()
    expect(page.get_by_test_id("paragraph")).to_have_count(8)  # PP5a (ISR) is conditional
    assert re.search(r"[?&]only=1(&|$)", page.url) and "delegation=ISR" in page.url
    assert "status=bracketed" in page.url
    page.reload()
    expect(page.get_by_test_id("paragraph")).to_have_count(8)
    expect(page.get_by_label("only its paragraphs")).to_be_checked()
    expect(page.get_by_test_id("status-filter")).to_have_value("bracketed")
    page.get_by_label("only its paragraphs").uncheck()
    expect(page.get_by_test_id("paragraph")).to_have_count(9)
    assert "only=1" not in page.url

    # The conditional paragraphs on their own: PP5a and PP5c.
    page.locator("#neg-delegation").select_option("")
    page.get_by_test_id("status-filter").select_option("conditional")
    expect(page.get_by_test_id("paragraph")).to_have_count(2)
    keys = page.get_by_test_id("paragraph").evaluate_all("els => els.map(e => e.dataset.key)")
    assert keys == ["PP5a", "PP5c"]
