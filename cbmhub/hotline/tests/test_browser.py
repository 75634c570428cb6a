"""The hotline in real Chromium: state A sends an urgent request; state B's inbox shows it
without a reload (htmx polling) and B acknowledges; A sees the acknowledgement; a message left
unacknowledged past its deadline escalates to B's diplomatic point of contact."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cbmhub.conftest import PASSWORD
from cbmhub.hotline.permissions import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 25_000  # the inbox polls every 10 s; leave room on a slow shared machine


def _signed_in(browser, live_server, user):
    """A second, separate browser session (its own cookies), signed in through the form."""
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Ulaanbaatar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    # Wait for the page the form leads to, not the one already loaded.
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def _send(page, live_server, link, subject):
    page.goto(f"{live_server.url}/hotline/compose/")
    form = page.get_by_test_id("compose-form")
    form.locator("select[name=channel]").select_option(str(link.pk))
    form.locator("select[name=kind]").select_option("request_assistance")
    # The template's headings arrive through htmx.
    expect(form.locator("textarea[name=body]")).to_have_value(re.compile("Assistance requested:"))
    form.locator("select[name=priority]").select_option("urgent")
    form.locator("input[name=subject]").fill(subject)
    form.locator("textarea[name=body]").fill("Situation: DDoS on the payment gateway.")
    form.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("subject")).to_have_text(subject)
    found = re.search(r"/messages/(\d+)/", page.url)
    assert found is not None, page.url
    return int(found.group(1))


def test_urgent_request_acknowledged_and_unacknowledged_one_escalated(
    browser, login_page, live_server, alice, anna, bob, bert, link
):
    from cbmhub.hotline import services
    from cbmhub.hotline.models import Delivery, Receipt

    # B's technical POC has the inbox open before anything is sent.
    b_page = _signed_in(browser, live_server, bert)
    b_page.goto(f"{live_server.url}/hotline/")
    expect(b_page.get_by_test_id("inbox-empty")).to_be_visible()

    a_page = login_page(alice)
    first = _send(a_page, live_server, link, "Urgent: DDoS on payment gateway")

    # The new message appears in B's open inbox without a reload, with its countdown.
    row = b_page.locator(f'[data-testid=inbox-row][data-message="{first}"]')
    expect(row).to_be_visible(timeout=POLL)
    expect(row).to_contain_text("Urgent: DDoS on payment gateway")
    expect(row.get_by_test_id("countdown")).to_contain_text(re.compile(r"due in \d+m \d\ds"))

    row.get_by_test_id("message-link").click()
    expect(b_page.get_by_test_id("body")).to_contain_text("DDoS on the payment gateway")
    b_page.get_by_test_id("acknowledge").click()  # htmx swaps the receipts in place
    expect(b_page.get_by_test_id("receipt")).to_contain_text("acknowledged")
    expect(b_page.get_by_test_id("acknowledge")).to_have_count(0)
    receipt = Receipt.objects.get(message_id=first)
    assert receipt.acknowledged_by_id == bert.pk

    # A sees the acknowledgement on the message and on the record's timeline.
    a_page.reload()
    expect(a_page.get_by_test_id("receipt")).to_contain_text("MNG: acknowledged")
    expect(a_page.locator('[data-testid=timeline] li[data-kind="acknowledged"]')).to_contain_text(
        "bert"
    )

    # A second request is left unacknowledged; its one-hour deadline passes.
    second = _send(a_page, live_server, link, "Second request, unanswered")
    assert (
        services.escalations_run(now=timezone.now() + timedelta(hours=1, minutes=1), actor=SYSTEM)
        == 1
    )
    escalated = Receipt.objects.get(message_id=second)
    assert (escalated.escalation_level, escalated.escalation_count) == ("diplomatic", 1)
    notified = Delivery.objects.filter(message_id=second, purpose="escalation")
    assert list(notified.values_list("address", flat=True)) == ["diplomatic.mng@example.org"]

    # B's diplomatic POC finds it at the top of the inbox, marked as escalated to them.
    bob_page = _signed_in(browser, live_server, bob)
    bob_page.goto(f"{live_server.url}/hotline/")
    top = bob_page.get_by_test_id("inbox-row").first
    expect(top).to_have_attribute("data-message", str(second))
    expect(top.get_by_test_id("escalated-to-me")).to_contain_text("Diplomatic")

    # A sees that B has not acknowledged it and that it was escalated.
    a_page.goto(f"{live_server.url}/hotline/messages/{second}/")
    expect(a_page.get_by_test_id("receipt")).to_contain_text("escalated to Diplomatic")

    for page in (b_page, bob_page):
        page.context.close()
