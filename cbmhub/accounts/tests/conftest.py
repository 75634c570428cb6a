"""Helpers for the accounts tests: authenticator codes and enrolled devices."""

from __future__ import annotations

import pytest
from django_otp.oath import totp

from cbmhub.accounts import services


def current_code(device) -> str:
    """The code an authenticator app holding ``device``'s secret shows right now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def wrong_code(device) -> str:
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def require_2fa(settings):
    settings.CBMHUB_REQUIRE_2FA = True


@pytest.fixture
def enrol():
    """``enrol(user)`` -> (confirmed authenticator, backup codes), as after the setup page."""

    def make(user):
        device = services.two_factor_device_create(user=user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device, services.backup_codes_regenerate(user=user)

    return make
