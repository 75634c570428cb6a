"""The hotline pages in real Chromium (issue 10): the communication check form offers only who
can be asked and confirms the scope, an open check reads as in progress (item 8); the message
page updates its own status after acknowledging, and for the sender without a reload (item 15)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cbmhub.conftest import _state, make_poc
from cbmhub.hotline.models import CommunicationCheck

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_form_offers_who_can_be_asked_and_confirms_the_scope(
    browser_as, live_server, cica, sam, alice, anna, bob, bert, carol
):
    from cbmhub.directory.models import Membership

    japan = _state("Japan", "JP", "JPN")
    Membership.objects.create(state=japan, organisation=cica, status="observer")
    make_poc(japan, "technical", "JPCERT/CC")

    page = browser_as(sam)
    page.goto(f"{live_server.url}/hotline/checks/")
    page.get_by_text("Start a communication check").click()
    form = page.get_by_test_id("check-form")
    states = form.locator(".checkbox-grid input[name=states]")
    expect(states).to_have_count(3)  # KAZ, MNG, THA; not Japan, an observer
    # The grid is the group's box; each checkbox stays a plain checkbox (Django puts the
    # widget's class on both, which once drew every box as a bordered grid of its own).
    assert states.first.evaluate("e => getComputedStyle(e).display") != "grid"
    assert form.locator("div.checkbox-grid").evaluate("e => getComputedStyle(e).display") == "grid"
    expect(form.get_by_test_id("not-askable")).to_contain_text("Japan")
    form.get_by_label("Mongolia").check()  # one click, no Ctrl
    form.get_by_role("button", name="Review who will be asked").click()

    scope = page.get_by_test_id("check-scope")
    expect(scope.get_by_test_id("scope-summary")).to_contain_text("will ask 2 points of contact")
    expect(scope.get_by_test_id("scope-state")).to_have_text(["Mongolia"])
    assert not CommunicationCheck.objects.exists()  # nothing started before confirming
    scope.get_by_test_id("confirm-start").click()

    expect(page.get_by_test_id("response-rate")).to_contain_text("0 of 2 answered so far")
    expect(page.get_by_test_id("awaited")).to_have_count(2)
    expect(page.get_by_test_id("open-bar")).to_have_count(1)
    check = CommunicationCheck.objects.get()
    assert sorted(check.targets.values_list("state__iso3", flat=True)) == ["MNG", "MNG"]


def test_message_page_updates_its_own_status(browser_as, live_server, link, send, alice, bert):
    message = send(alice, link, subject="Scanning from your address space").message
    url = f"{live_server.url}/hotline/messages/{message.pk}/"

    sender = browser_as(alice)
    sender.clock.install()  # the status poll (every 15 s) is run forward, not waited for
    sender.goto(url)
    expect(sender.locator('[data-testid=timeline] li[data-kind="acknowledged"]')).to_have_count(0)

    recipient = browser_as(bert)
    recipient.goto(url)
    recipient.get_by_test_id("acknowledge").click()
    # The acknowledgement is in the receipts box and in the timeline, without a reload.
    expect(recipient.get_by_test_id("acknowledge")).to_have_count(0)
    expect(
        recipient.locator('[data-testid=timeline] li[data-kind="acknowledged"]')
    ).to_contain_text("bert")
    # A reader at UTC sees each time once.
    sent = recipient.locator("[data-testid=message] time").first.inner_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", sent)
    expect(recipient.locator(".hotline-local")).to_have_count(0)

    # The sender's open page picks it up on its next poll.
    sender.clock.run_for(16_000)
    expect(sender.get_by_test_id("receipt")).to_contain_text("acknowledged")
    expect(sender.locator('[data-testid=timeline] li[data-kind="acknowledged"]')).to_have_count(1)
