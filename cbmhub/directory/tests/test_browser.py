"""The directory in real Chromium: log in, search a state as you type, open it, edit a point of
contact as its focal point; another state's focal point gets no edit link and is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cbmhub.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_focal_point_edits_own_point_of_contact_and_other_focal_point_is_refused(
    login_page, live_server, alice, bob, anna
):
    from cbmhub.directory.models import ChangeRecord, PointOfContact

    page = login_page(alice)
    expect(page.get_by_test_id("whoami")).to_contain_text("alice")

    # Search as you type: htmx swaps in the results without a page load.
    page.goto(f"{live_server.url}/directory/")
    search = page.locator("input[name=q]")
    search.press_sequentially("Kazakh", delay=30)
    expect(page).to_have_url(re.compile(r"q=Kazakh"))
    results = page.locator("#results")
    expect(results.get_by_test_id("poc-row")).to_have_count(2)
    expect(results).not_to_contain_text("Mongolia")

    # Open the state, where its points of contact are grouped by level.
    results.get_by_role("link", name="Kazakhstan").first.click()
    expect(page).to_have_url(f"{live_server.url}/directory/states/KAZ/")
    technical = page.get_by_test_id("level-technical")
    expect(technical).to_contain_text("KZ-CERT")

    # Edit the technical point of contact: office and a second channel.
    technical.get_by_test_id("poc-edit").click()
    page.fill("input[name=office]", "KZ-CERT Operations Centre")
    page.fill("input[name=channels-1-value]", "+7 7172 55 55 55")
    page.select_option("select[name=channels-1-kind]", "phone")
    page.get_by_test_id("poc-form").get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}/directory/states/KAZ/")
    expect(page.get_by_test_id("level-technical")).to_contain_text("KZ-CERT Operations Centre")
    expect(page.get_by_test_id("level-technical")).to_contain_text("+7 7172 55 55 55")

    poc = PointOfContact.objects.get(office="KZ-CERT Operations Centre")
    record = ChangeRecord.objects.get(model="pointofcontact", object_id=poc.pk)
    assert record.actor == alice and record.changes["office"] == [
        "KZ-CERT",
        "KZ-CERT Operations Centre",
    ]
    page.goto(f"{live_server.url}/directory/states/KAZ/history/")
    expect(page.get_by_test_id("change").first).to_contain_text("KZ-CERT Operations Centre")

    # Bob, focal point of Mongolia, sees Kazakhstan's page without edit links and is refused.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", bob.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("whoami")).to_contain_text("bob")
    page.goto(f"{live_server.url}/directory/states/KAZ/")
    expect(page.get_by_test_id("level-technical")).to_contain_text("KZ-CERT Operations Centre")
    expect(page.get_by_test_id("poc-edit")).to_have_count(0)
    expect(page.get_by_test_id("poc-add")).to_have_count(0)
    response = page.goto(f"{live_server.url}/directory/points-of-contact/{poc.pk}/edit/")
    assert response is not None and response.status == 403
    poc.refresh_from_db()
    assert poc.office == "KZ-CERT Operations Centre"
