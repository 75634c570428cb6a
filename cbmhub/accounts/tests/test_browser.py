from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from .conftest import current_code

pytestmark = pytest.mark.browser


def test_focal_point_signs_in_and_sets_up_two_factor(login_page, live_server, alice, settings):
    settings.CBMHUB_REQUIRE_2FA = True
    page = login_page(alice)
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator("[data-testid=totp-qr] svg").count() == 1
    secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert re.fullmatch(r"[A-Z2-7]+=*", secret)

    page.fill("input[name=code]", current_code(device))
    page.click("form button[type=submit] >> text=Confirm")
    # expect() waits for the page the click leads to; count() would read the old one.
    expect(page.locator("[data-testid=backup-codes] li")).to_have_count(10)
    page.click("text=Continue")
    expect(page).to_have_url(f"{live_server.url}/")
    assert "alice" in page.locator("[data-testid=whoami]").inner_text()


def test_wrong_password_stays_on_the_login_page(login_page, anna):
    page = login_page(anna, password="not the password")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").inner_text().strip()
