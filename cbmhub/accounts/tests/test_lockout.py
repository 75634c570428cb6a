"""Failed sign-ins (issue 8, item 9): the (username, address) pair is locked, the address is
rate-limited without locking out accounts known to the browser, and the client's address is
read through the trusted proxies only."""

from __future__ import annotations

import pytest
from django.test import Client

from cbmhub.accounts.lockout import DEVICE_COOKIE
from cbmhub.accounts.network import parse_trusted_proxies
from cbmhub.conftest import PASSWORD, make_user

LOGIN = "/accounts/login/"
BLOCKED = "Sign-in temporarily blocked"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.CBMHUB_LOGIN_ADDRESS_LIMIT = 30
    settings.CBMHUB_TRUSTED_PROXIES = parse_trusted_proxies("")


@pytest.fixture
def kaz_cert(state_a):
    return make_user("kaz-cert", role="poc", state=state_a)


def client_at(address: str, **headers: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.defaults.update(headers)  # the WSGI environ of every request, as Client(**headers)
    return client


def fail(client: Client, username: str, times: int = 1):
    response = None
    for _attempt in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong password!"})
    return response


def sign_in(client: Client, user):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD})


def test_failures_on_made_up_usernames_lock_no_real_account(axes_on, olga, kaz_cert):
    """The issue's case: 5 failures on invented names from one address, then `observer` and
    `kaz-cert` sign in from that address with their right passwords."""
    attacker = client_at("203.0.113.9")
    for number in range(5):
        assert fail(attacker, f"ghost-{number}").status_code == 200
    assert sign_in(client_at("203.0.113.9"), olga).status_code == 302
    assert sign_in(client_at("203.0.113.9"), kaz_cert).status_code == 302


def test_the_pair_is_locked_even_with_the_right_password(axes_on, anna):
    attacker = client_at("203.0.113.9")
    assert fail(attacker, "anna", 4).status_code == 200
    response = fail(attacker, "anna")
    assert response.status_code == 429
    assert BLOCKED in response.content.decode()
    assert sign_in(attacker, anna).status_code == 429


def test_a_locked_pair_does_not_lock_the_account_elsewhere(axes_on, anna):
    fail(client_at("203.0.113.9"), "anna", 5)
    assert sign_in(client_at("198.51.100.20"), anna).status_code == 302


def test_the_address_is_rate_limited_across_usernames(axes_on, settings, olga):
    settings.CBMHUB_LOGIN_ADDRESS_LIMIT = 8
    attacker = client_at("203.0.113.9")
    for number in range(8):
        assert fail(attacker, f"ghost-{number}").status_code == 200
    response = fail(attacker, "ghost-new")
    assert response.status_code == 429
    assert "from your network" in response.content.decode()
    # A new username from that address waits, even with the right password …
    assert sign_in(client_at("203.0.113.9"), olga).status_code == 429
    # … but another address does not.
    assert sign_in(client_at("198.51.100.20"), olga).status_code == 302


def test_the_address_limit_spares_accounts_this_browser_signed_in_to(axes_on, settings, olga):
    settings.CBMHUB_LOGIN_ADDRESS_LIMIT = 8
    colleague = client_at("203.0.113.9")
    assert sign_in(colleague, olga).status_code == 302
    assert DEVICE_COOKIE in colleague.cookies
    colleague.post("/accounts/logout/")
    fail(client_at("203.0.113.9"), "ghost", 8)  # someone else behind the same address
    assert sign_in(colleague, olga).status_code == 302


def test_the_device_cookie_does_not_lift_the_pair_lock(axes_on, settings, olga):
    colleague = client_at("203.0.113.9")
    sign_in(colleague, olga)
    colleague.post("/accounts/logout/")
    assert fail(colleague, "olga", 5).status_code == 429
    assert sign_in(colleague, olga).status_code == 429


def test_a_forged_device_cookie_is_ignored(axes_on, settings, olga):
    settings.CBMHUB_LOGIN_ADDRESS_LIMIT = 3
    attacker = client_at("203.0.113.9")
    fail(attacker, "ghost", 3)
    attacker.cookies[DEVICE_COOKIE] = '["olga"]'
    assert sign_in(attacker, olga).status_code == 429


# --- behind a reverse proxy ------------------------------------------------------------------

PROXY = "10.0.0.2"


def via_proxy(client_address: str) -> Client:
    return client_at(PROXY, HTTP_X_FORWARDED_FOR=client_address)


def test_behind_a_trusted_proxy_each_client_has_its_own_address(axes_on, settings, anna):
    settings.CBMHUB_TRUSTED_PROXIES = parse_trusted_proxies("1")
    assert fail(via_proxy("203.0.113.9"), "anna", 5).status_code == 429
    # Same proxy, another client: not locked.
    assert sign_in(via_proxy("198.51.100.20"), anna).status_code == 302


def test_a_trusted_proxy_list_works_like_a_count(axes_on, settings, anna):
    settings.CBMHUB_TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/24")
    fail(via_proxy("203.0.113.9"), "anna", 5)
    assert sign_in(via_proxy("198.51.100.20"), anna).status_code == 302


def test_without_trusted_proxies_a_forged_header_changes_nothing(axes_on, anna):
    attacker = client_at("203.0.113.9")
    fail(attacker, "anna", 5)
    # Each new X-Forwarded-For would be a fresh address if the header were believed.
    forged = client_at("203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.77")
    assert sign_in(forged, anna).status_code == 429


def test_a_client_cannot_prepend_its_way_out_behind_a_proxy(axes_on, settings, anna):
    settings.CBMHUB_TRUSTED_PROXIES = parse_trusted_proxies("1")
    fail(via_proxy("203.0.113.9"), "anna", 5)
    # The proxy appends the real address after whatever the client sent.
    spoofed = client_at(PROXY, HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.9")
    assert sign_in(spoofed, anna).status_code == 429
