from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbmhub.accounts import services

from .conftest import current_code, wrong_code


def test_user_create_for_a_state(state_a):
    user = services.user_create(
        username="dana",
        email="dana@example.org",
        role="focal_point",
        state=state_a,
        password="a long enough passphrase",
    )
    assert user.is_focal_point and user.state == state_a
    assert user.check_password("a long enough passphrase")


@pytest.mark.parametrize(
    ("role", "with_state", "field"),
    [
        ("focal_point", False, "state"),
        ("poc", False, "state"),
        ("secretariat", True, "organisation"),
        ("observer", True, "state"),
    ],
)
def test_user_create_says_which_scope_field_is_wrong(state_a, role, with_state, field):
    kwargs = {"state": state_a} if with_state else {}
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(username="dana", email="dana@example.org", role=role, **kwargs)
    assert field in excinfo.value.message_dict


def test_user_create_for_the_secretariat(cica):
    user = services.user_create(
        username="sina", email="sina@example.org", role="secretariat", organisation=cica
    )
    assert user.is_secretariat and not user.has_usable_password()


def test_user_create_refuses_a_weak_password(db):
    with pytest.raises(ValidationError):
        services.user_create(
            username="eve", email="e@example.org", role="observer", password="12345"
        )


def test_user_create_refuses_an_unknown_role(db):
    with pytest.raises(ValueError):
        services.user_create(username="eve", email="e@example.org", role="king")


def test_device_confirm_with_the_right_code(alice):
    device = services.two_factor_device_create(user=alice)
    assert services.two_factor_device_create(user=alice) == device
    codes = services.two_factor_device_confirm(
        user=alice, device=device, token=current_code(device)
    )
    assert len(codes) == services.BACKUP_CODE_COUNT
    assert TOTPDevice.objects.get(pk=device.pk).confirmed


def test_device_confirm_refuses_a_wrong_code(alice):
    device = services.two_factor_device_create(user=alice)
    with pytest.raises(services.AccountsError) as excinfo:
        services.two_factor_device_confirm(user=alice, device=device, token=wrong_code(device))
    assert excinfo.value.code == "invalid_code"
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert not StaticToken.objects.filter(device__user=alice).exists()


def test_device_confirm_refuses_another_users_device(alice, bob):
    device = services.two_factor_device_create(user=bob)
    with pytest.raises(services.AccountsError):
        services.two_factor_device_confirm(user=alice, device=device, token=current_code(device))


def test_verify_accepts_spaced_codes_and_uses_up_backup_codes(alice, enrol):
    device, codes = enrol(alice)
    code = current_code(device)
    assert services.two_factor_verify(user=alice, token=f"{code[:3]} {code[3:]}") == device
    assert services.two_factor_verify(user=alice, token=codes[1]) is not None
    assert services.two_factor_verify(user=alice, token="") is None
    assert StaticToken.objects.filter(device__user=alice).count() == len(codes) - 1
