"""Reads about accounts: whether a session still owes its second factor, devices, tokens."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from .models import User


def two_factor_pending(user) -> bool:
    """True while a signed-in user who must use a second factor has not passed it this session."""
    if not (
        settings.CBMHUB_REQUIRE_2FA
        and user.is_authenticated
        and getattr(user, "needs_two_factor", False)
    ):
        return False
    # The user that auth.login() just put on the request has not been through OTPMiddleware
    # yet, so it has no is_verified(); a fresh login is never verified.
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


def two_factor_enrolled(user: User) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def backup_codes_remaining(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def api_token_for(user: User) -> Token | None:
    return Token.objects.filter(user=user).first()


def user_for_profile(user: User) -> User:
    """The signed-in user with the state and organisation the profile page shows."""
    return User.objects.select_related("state", "organisation").get(pk=user.pk)
