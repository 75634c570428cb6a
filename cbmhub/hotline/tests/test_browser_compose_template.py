"""Changing the template on the compose page in real Chromium (issue 10.5): an untouched body is
replaced by the new template's headings; a typed body is replaced only if the user agrees, and
kept when they do not."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "Situation: our payment gateway is down since 09:40 UTC. Please call."


def test_template_change_keeps_typed_text_unless_the_user_agrees(
    login_page, live_server, alice, anna, bob, bert, link
):
    page = login_page(alice)
    swaps: list[str] = []
    page.on("request", lambda r: swaps.append(r.url) if "/compose/template/" in r.url else None)
    dialogs: list[str] = []
    answers: list[str] = []  # how to answer the next dialogs; none expected: dismiss

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept() if answers and answers.pop(0) == "accept" else dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(f"{live_server.url}/hotline/compose/")
    form = page.get_by_test_id("compose-form")
    kind, body = form.locator("select[name=kind]"), form.locator("textarea[name=body]")
    expect(body).to_have_value(re.compile("What we ask:"))

    # Untouched: the headings are simply replaced, nothing asked.
    kind.select_option("request_assistance")
    expect(body).to_have_value(re.compile("Assistance requested:"))
    assert dialogs == []

    # Typed: the user is asked; "Cancel" keeps every character, and nothing is fetched.
    body.fill(TYPED)
    fetched = len(swaps)
    answers.append("dismiss")
    kind.select_option("incident_notification")
    page.wait_for_timeout(500)  # room for a swap that must not come
    assert len(dialogs) == 1 and "Replace the text you typed" in dialogs[0]
    expect(body).to_have_value(TYPED)
    expect(kind).to_have_value("incident_notification")
    assert len(swaps) == fetched

    # Asked again, and "OK" replaces it with the chosen template's headings.
    answers.append("accept")
    kind.select_option("request_information")
    expect(body).to_have_value(re.compile("What we ask:"))
    assert len(dialogs) == 2

    # Freshly replaced, the body is untouched again: the next change asks nothing.
    kind.select_option("free_text")
    expect(body).to_have_value("")
    kind.select_option("incident_notification")
    expect(body).to_have_value(re.compile("What happened:"))
    assert len(dialogs) == 2

    # And the typed text is what gets sent.
    body.fill(TYPED)
    form.locator("input[name=subject]").fill("Gateway down")
    form.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("body")).to_contain_text("payment gateway is down")
