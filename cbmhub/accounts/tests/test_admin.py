from __future__ import annotations

import base64

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from cbmhub.accounts import services
from cbmhub.accounts.models import ApiToken
from cbmhub.directory.models import ChangeRecord


def test_user_admin_lists_and_edits_role_scope(client_for, root, alice):
    client = client_for(root)
    response = client.get("/admin/accounts/user/?role__exact=focal_point")
    assert response.status_code == 200
    assert "alice" in response.content.decode()
    response = client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert response.status_code == 200
    assert 'name="role"' in response.content.decode()
    assert 'name="state"' in response.content.decode()


def test_user_admin_is_refused_to_non_staff(client_for, sam):
    assert client_for(sam).get("/admin/accounts/user/").status_code == 302


def test_moving_an_account_to_another_state_is_in_the_history(client_for, root, alice, state_b):
    """Moving alice to state B would give her B's traffic: the change must leave a record."""
    client = client_for(root)
    page = client.get(f"/admin/accounts/user/{alice.pk}/change/")
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not isinstance(value, (list, tuple))
    }
    data.update(
        username="alice",
        role="focal_point",
        state=state_b.pk,
        organisation="",
        date_joined_0=alice.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=alice.date_joined.strftime("%H:%M:%S"),
        is_active="on",
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(f"/admin/accounts/user/{alice.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.state == state_b
    record = ChangeRecord.objects.get(model="user", object_id=alice.pk, changes__has_key="state")
    assert record.actor == root
    assert record.changes == {"state": ["Kazakhstan", "Mongolia"]}
    assert record.state == state_b


def test_secretariat_staff_cannot_open_the_user_admin(client_for, sam):
    sam.is_staff = True
    sam.save(update_fields=["is_staff"])
    assert client_for(sam).get("/admin/accounts/user/").status_code == 403


# --- item 3: the operator's admin shows no token and no second-factor secret -----------------


def test_the_drf_token_admin_is_gone(client_for, root):
    assert client_for(root).get("/admin/authtoken/tokenproxy/").status_code == 404
    assert client_for(root).get("/admin/authtoken/token/").status_code == 404


def test_the_token_admin_shows_no_key_and_no_digest(client_for, root, alice):
    token, key = services.api_token_issue(user=alice, name="misp sync")
    client = client_for(root)
    for url in ("/admin/accounts/apitoken/", f"/admin/accounts/apitoken/{token.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert token.prefix in html
        assert key not in html
        assert key[len(token.prefix) + 1 :] not in html
        assert token.digest not in html
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_the_operator_revokes_a_token_and_the_history_names_them(client_for, root, alice):
    token, key = services.api_token_issue(user=alice, name="misp sync")
    response = client_for(root).post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_reason == "operator"
    record = ChangeRecord.objects.filter(model="user", object_id=alice.pk).latest("id")
    assert record.actor == root
    assert record.changes["api_token"] == [str(token), "revoked: operator"]


def test_the_totp_admin_shows_no_key(client_for, root, alice, enrol):
    device, codes = enrol(alice)
    client = client_for(root)
    secret = base64.b32encode(device.bin_key).decode()
    for url in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "alice" in html
        assert device.key not in html
        assert secret not in html and secret.lower() not in html
        assert "otpauth://" not in html
    # django-otp's own admin has a QR code and a config page per device; ours has neither.
    for extra in ("config", "qrcode"):
        response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{extra}/", follow=True)
        assert response["Content-Type"].startswith("text/html")
        assert "otpauth://" not in response.content.decode()
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403


def test_the_backup_code_admin_shows_no_code(client_for, root, alice, enrol):
    _device, codes = enrol(alice)
    static = StaticDevice.objects.get(user=alice)
    client = client_for(root)
    for url in (
        "/admin/otp_static/staticdevice/",
        f"/admin/otp_static/staticdevice/{static.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert not any(code in html for code in codes)
    assert client.get("/admin/otp_static/staticdevice/add/").status_code == 403


def test_the_operator_removes_a_lost_authenticator_on_the_record(client_for, root, alice, enrol):
    device, _codes = enrol(alice)
    response = client_for(root).post(
        f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    record = ChangeRecord.objects.filter(model="user", object_id=alice.pk).latest("id")
    assert record.actor == root
    assert record.changes["two_factor_device"] == [f"totpdevice: {device.name}", "removed"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/apitoken/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
    ],
)
def test_secretariat_staff_cannot_open_token_or_device_admins(client_for, sam, url):
    sam.is_staff = True
    sam.save(update_fields=["is_staff"])
    assert client_for(sam).get(url).status_code == 403


def test_a_role_change_in_the_admin_revokes_the_tokens(client_for, root, alice, state_b):
    _token, key = services.api_token_issue(user=alice, name="script")
    test_moving_an_account_to_another_state_is_in_the_history(client_for, root, alice, state_b)
    token = ApiToken.objects.get(user=alice)
    assert token.revoked_reason == "access_change"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me").status_code == 401
    records = ChangeRecord.objects.filter(model="user", object_id=alice.pk).order_by("id")
    assert [list(record.changes) for record in records] == [["api_token"], ["state"], ["api_token"]]
    last = records.last()
    assert last is not None
    assert last.actor == root
    assert last.changes["api_token"][1] == "revoked: access_change"


def test_a_password_set_in_the_admin_revokes_the_tokens(client_for, root, anna):
    _token, key = services.api_token_issue(user=anna, name="script")
    new = "an operator's new passphrase 7"
    response = client_for(root).post(
        f"/admin/accounts/user/{anna.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    anna.refresh_from_db()
    assert anna.check_password(new)
    token = ApiToken.objects.get(user=anna)
    assert token.revoked_reason == "password_reset"
    record = ChangeRecord.objects.filter(model="user", object_id=anna.pk).latest("id")
    assert record.actor == root


@pytest.mark.parametrize("persona", ["olga", "alice", "anna"])
def test_observers_and_states_cannot_reach_token_or_device_admins(client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))
    for url in ("/admin/accounts/apitoken/", "/admin/otp_totp/totpdevice/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
