"""API tokens at the door: the Token header, the HTTP Basic variant, and when a token stops
working (revoked, inactive account, no second factor, new password, new role)."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from cbmhub.accounts import services
from cbmhub.accounts.authentication import ApiTokenAuthentication, ApiTokenBasicAuthentication
from cbmhub.accounts.models import ApiToken
from cbmhub.conftest import PASSWORD, api_key_for
from cbmhub.directory.models import ChangeRecord

from .conftest import current_code

ME = "/api/v1/me"
NEW_PASSWORD = "a brand new passphrase 42"


def api_with(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def refused(response, message: str = "") -> bool:
    body = response.json()
    return response.status_code == 401 and message in body["error"]["message"]


# --- the Token header ---------------------------------------------------------------------


def test_a_token_opens_the_api_and_notes_when_it_was_used(anna):
    key = api_key_for(anna)
    response = api_with(key).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "anna"
    token = ApiToken.objects.get(user=anna)
    assert token.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(anna):
    key = api_key_for(anna)
    api = api_with(key)
    api.get(ME)
    first = ApiToken.objects.get(user=anna).last_used_at
    assert first is not None
    api.get(ME)
    assert ApiToken.objects.get(user=anna).last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    api.get(ME)
    later = ApiToken.objects.get(user=anna).last_used_at
    assert later is not None and later > first


@pytest.mark.parametrize(
    "header",
    [
        "Token not-a-real-token",
        "Token cbm_0123456789_" + "A" * 43,  # well formed, no such token
        "Token " + "x" * 5000,
    ],
)
def test_wrong_keys_are_refused(anna, header):
    api_key_for(anna)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get(ME)
    assert refused(response, "Invalid token.")
    assert response["WWW-Authenticate"] == "Token"


def test_a_right_prefix_with_a_wrong_secret_is_refused(anna):
    key = api_key_for(anna)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert refused(api_with(forged).get(ME), "Invalid token.")


def test_a_malformed_header_says_what_to_send(anna):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token two parts")
    assert refused(api.get(ME), "Authorization: Token <key>")


def test_a_revoked_token_is_refused(anna):
    key = api_key_for(anna)
    services.api_token_revoke(token=ApiToken.objects.get(user=anna), actor=anna)
    assert refused(api_with(key).get(ME), "Invalid token.")


def test_an_inactive_accounts_token_is_refused(anna):
    key = api_key_for(anna)
    anna.is_active = False
    anna.save()
    assert api_with(key).get(ME).status_code == 401


# --- HTTP Basic with a token as the password (for TAXII clients) ---------------------------


def basic_request(username: str, password: str) -> Request:
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    return Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Basic {credentials}"))


def test_basic_with_the_username_and_a_token(anna):
    key = api_key_for(anna)
    authenticated = ApiTokenBasicAuthentication().authenticate(basic_request("anna", key))
    assert authenticated is not None
    user, token = authenticated
    assert user == anna and token.user == anna


def test_basic_refuses_the_account_password(anna):
    with pytest.raises(exceptions.AuthenticationFailed):
        ApiTokenBasicAuthentication().authenticate(basic_request("anna", PASSWORD))


def test_basic_refuses_another_users_name_with_a_token(anna, bob):
    key = api_key_for(anna)
    with pytest.raises(exceptions.AuthenticationFailed) as excinfo:
        ApiTokenBasicAuthentication().authenticate(basic_request("bob", key))
    assert str(excinfo.value.detail) == "Invalid token."


@pytest.mark.parametrize("credentials", ["%%%not base64", base64.b64encode(b"no-colon").decode()])
def test_basic_says_what_is_wrong_with_a_bad_header(db, credentials):
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Basic {credentials}"))
    with pytest.raises(exceptions.AuthenticationFailed) as excinfo:
        ApiTokenBasicAuthentication().authenticate(request)
    assert "user:token" in str(excinfo.value.detail)


def test_basic_passes_other_schemes_on_and_names_its_realm(db):
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION="Token abc"))
    assert ApiTokenBasicAuthentication().authenticate(request) is None
    assert ApiTokenAuthentication().authenticate(basic_request("anna", "x")) is None
    assert ApiTokenBasicAuthentication().authenticate_header(request) == 'Basic realm="CBM Hub"'


def test_basic_is_not_enabled_for_the_api_as_a_whole(anna):
    key = api_key_for(anna)
    api = APIClient()
    credentials = base64.b64encode(f"anna:{key}".encode()).decode()
    api.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert api.get(ME).status_code == 401


# --- item 11: tokens and the second factor ---------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "sam", "root"])
def test_a_token_issued_before_2fa_was_required_needs_a_device(
    persona, request, require_2fa, settings, enrol
):
    user = request.getfixturevalue(persona)
    settings.CBMHUB_REQUIRE_2FA = False
    key = api_key_for(user)
    assert api_with(key).get(ME).status_code == 200

    settings.CBMHUB_REQUIRE_2FA = True
    assert refused(api_with(key).get(ME), "two-factor authentication")
    device, _codes = enrol(user)
    assert api_with(key).get(ME).status_code == 200
    # The device removed (a lost phone): the tokens stop with it.
    device.delete()
    assert api_with(key).get(ME).status_code == 401


def test_an_unconfirmed_device_is_not_enough(alice, require_2fa):
    key = api_key_for(alice)
    services.two_factor_device_create(user=alice)
    assert api_with(key).get(ME).status_code == 401


def test_accounts_without_a_second_factor_duty_need_no_device(anna, olga, require_2fa):
    for user in (anna, olga):
        assert api_with(api_key_for(user)).get(ME).status_code == 200


# --- item 11: a password reset, a password change or a role change ends the tokens ----------


def test_a_password_reset_revokes_the_tokens(client, anna):
    key = api_key_for(anna)
    client.post("/accounts/password/reset/", {"email": "anna@example.org"})
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", str(mail.outbox[0].body)
    )
    assert link is not None
    response = client.get(link.group(1))
    response = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert api_with(key).get(ME).status_code == 401
    token = ApiToken.objects.get(user=anna)
    assert token.revoked_reason == "password_reset"
    record = ChangeRecord.objects.filter(model="user", object_id=anna.pk).latest("id")
    assert record.changes["api_token"][1] == "revoked: password_reset"


def test_a_password_change_revokes_the_tokens(client_for, anna):
    key = api_key_for(anna)
    response = client_for(anna).post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api_with(key).get(ME).status_code == 401
    assert ApiToken.objects.get(user=anna).revoked_reason == "password_change"


def test_a_refused_password_change_keeps_the_tokens(client_for, anna):
    key = api_key_for(anna)
    client_for(anna).post(
        "/accounts/password/change/",
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert api_with(key).get(ME).status_code == 200


def test_a_password_set_by_any_other_path_ends_the_tokens(anna):
    """`cbmhub changepassword` or the shell revoke nothing themselves; the stamp catches it."""
    key = api_key_for(anna)
    anna.set_password(NEW_PASSWORD)
    anna.save()
    assert refused(api_with(key).get(ME), "password or role changed")
    token = ApiToken.objects.get(user=anna)
    assert token.revoked_reason == "credentials_changed"
    record = ChangeRecord.objects.filter(model="user", object_id=anna.pk).latest("id")
    assert record.actor is None
    assert record.changes["api_token"][1] == "revoked: credentials_changed"


@pytest.mark.parametrize(
    "change",
    [
        {"role": "focal_point"},
        {"is_superuser": True},
        {"is_staff": True},
    ],
)
def test_a_role_change_by_any_path_ends_the_tokens(anna, change):
    key = api_key_for(anna)
    for field, value in change.items():
        setattr(anna, field, value)
    anna.save()
    assert api_with(key).get(ME).status_code == 401


def test_a_move_to_another_state_ends_the_tokens(anna, state_b):
    key = api_key_for(anna)
    anna.state = state_b
    anna.save()
    assert api_with(key).get(ME).status_code == 401


def test_a_time_zone_change_keeps_the_tokens(anna):
    key = api_key_for(anna)
    services.user_set_time_zone(user=anna, time_zone="Asia/Almaty")
    assert api_with(key).get(ME).status_code == 200


def test_a_password_rehash_at_sign_in_keeps_the_tokens(client, anna, settings):
    """A stronger hasher after an upgrade rewrites the hash at the next sign-in; that is not
    a new password and must not end the tokens."""
    key = api_key_for(anna)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    old_hash = anna.password
    response = client.post("/accounts/login/", {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.password != old_hash and anna.password.startswith("pbkdf2_")
    assert api_with(key).get(ME).status_code == 200


def test_a_verified_focal_point_keeps_using_a_token(alice, require_2fa, enrol):
    device, _codes = enrol(alice)
    assert services.two_factor_verify(user=alice, token=current_code(device)) is not None
    assert api_with(api_key_for(alice)).get(ME).status_code == 200
