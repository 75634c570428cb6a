from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbmhub.accounts.models import ApiToken
from cbmhub.conftest import PASSWORD

from .conftest import current_code, wrong_code

HOME = "/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


def sign_in(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.mark.parametrize("persona", ["alice", "sam", "root"])
def test_focal_point_secretariat_and_superuser_must_pass_2fa(client, require_2fa, persona, request):
    user = request.getfixturevalue(persona)
    response = sign_in(client, user)
    assert response["Location"].startswith(VERIFY)

    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    # Not enrolled yet: the verify page sends them on to setup, keeping where they were going.
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2F"


def test_api_via_session_is_blocked_before_verification(client, alice, require_2fa, enrol):
    enrol(alice)
    sign_in(client, alice)
    response = client.get("/api/v1/me")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


@pytest.mark.parametrize("persona", ["anna", "olga"])
def test_points_of_contact_and_observers_are_not_forced(client, require_2fa, persona, request):
    user = request.getfixturevalue(persona)
    response = sign_in(client, user)
    assert response["Location"] == reverse("core:home")
    assert client.get(HOME).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_nobody_is_forced_when_2fa_is_off(client, alice):
    sign_in(client, alice)
    assert client.get(HOME).status_code == 200


def test_setup_shows_a_qr_code_and_confirms_with_a_code(client, alice, require_2fa):
    sign_in(client, alice)
    response = client.get(f"{SETUP}?next=/directory/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    secret = response.context["secret"].replace(" ", "")
    assert secret and secret in html.replace(" ", "")
    # Reloading keeps the same secret, so a QR code already scanned stays good.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=alice).count() == 1

    response = client.post(SETUP, {"code": current_code(device), "next": "/directory/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert StaticToken.objects.filter(device__user=alice).count() == 10
    assert client.get(HOME).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_setup_refuses_a_wrong_code(client, alice, require_2fa):
    sign_in(client, alice)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=alice)
    response = client.post(SETUP, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert "does not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # the failed try is counted, not rolled back
    assert client.get(HOME).status_code == 302


def test_verify_accepts_the_current_code(client, alice, require_2fa, enrol):
    device, _codes = enrol(alice)
    sign_in(client, alice)
    response = client.get(VERIFY)
    assert response.status_code == 200
    response = client.post(VERIFY, {"code": current_code(device), "next": "/directory/"})
    assert response.status_code == 302
    assert response["Location"] == "/directory/"
    assert client.get(HOME).status_code == 200


def test_verify_refuses_a_wrong_code(client, alice, require_2fa, enrol):
    device, _codes = enrol(alice)
    sign_in(client, alice)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert client.get(HOME).status_code == 302


@pytest.mark.parametrize("which", ["authenticator", "backup code"])
def test_verify_refuses_another_users_code(client, alice, bob, require_2fa, enrol, which):
    enrol(alice)
    bobs_device, bobs_codes = enrol(bob)
    sign_in(client, alice)
    code = current_code(bobs_device) if which == "authenticator" else bobs_codes[0]
    assert client.post(VERIFY, {"code": code}).status_code == 400
    assert client.get(HOME).status_code == 302


def test_a_backup_code_works_once(client, sam, require_2fa, enrol):
    _device, codes = enrol(sam)
    sign_in(client, sam)
    assert client.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert client.get(HOME).status_code == 200
    client.post("/accounts/logout/")
    sign_in(client, sam)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert client.get(HOME).status_code == 302


def test_verify_does_not_redirect_to_another_site(client, alice, require_2fa, enrol):
    device, _codes = enrol(alice)
    sign_in(client, alice)
    response = client.post(VERIFY, {"code": current_code(device), "next": "//evil.example/"})
    assert response["Location"] == reverse("core:home")


def test_a_password_alone_cannot_replace_the_authenticator(client, alice, require_2fa, enrol):
    device, _codes = enrol(alice)
    sign_in(client, alice)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    response = client.post(SETUP, {"code": "123456"})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=alice)) == [device]


def test_verified_user_may_replace_the_authenticator(client, alice, require_2fa, enrol):
    old, _codes = enrol(alice)
    sign_in(client, alice)
    client.post(VERIFY, {"code": current_code(old)})
    assert client.get(SETUP).status_code == 200
    new = TOTPDevice.objects.get(user=alice, confirmed=False)
    assert client.post(SETUP, {"code": current_code(new)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=alice)) == [new]


@pytest.mark.parametrize("url", ["/accounts/profile/", "/accounts/password/change/"])
def test_credential_pages_need_the_second_factor(client, alice, require_2fa, enrol, url):
    enrol(alice)
    sign_in(client, alice)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_api_token_cannot_be_issued_before_verification(client, alice, require_2fa, enrol):
    enrol(alice)
    sign_in(client, alice)
    response = client.post("/accounts/profile/api-token/", {"action": "issue", "name": "ci"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=alice).exists()


def test_new_backup_codes_replace_the_old(client, alice, require_2fa, enrol):
    device, old_codes = enrol(alice)
    sign_in(client, alice)
    client.post(VERIFY, {"code": current_code(device)})
    response = client.post("/accounts/two-factor/backup-codes/")
    assert response.status_code == 200
    new_codes = response.context["codes"]
    stored = set(StaticToken.objects.filter(device__user=alice).values_list("token", flat=True))
    assert stored == set(new_codes)
    assert not stored & set(old_codes)


def test_pages_need_a_login(client, db):
    for url in (VERIFY, SETUP, "/accounts/profile/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
