"""Reads about accounts: whether a session still owes its second factor, devices, tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import tokens
from .models import ApiToken, User


def two_factor_pending(user: User | AnonymousUser) -> bool:
    """True while a signed-in user who must use a second factor has not passed it this session."""
    if not (settings.CBMHUB_REQUIRE_2FA and isinstance(user, User) and user.needs_two_factor):
        return False
    return not two_factor_verified(user)


def two_factor_verified(user: User | AnonymousUser) -> bool:
    """Whether this session passed the second factor: django-otp's ``OTPMiddleware`` gives the
    request's user an ``is_verified()``. The user that auth.login() just put on the request has
    not been through the middleware yet, so it has none; a fresh login is never verified."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def two_factor_enrolled(user: User) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def backup_codes_remaining(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's active tokens, newest first (revoked ones stay for the history only)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def api_token_of(user: User, token_id: object) -> ApiToken | None:
    """One of the user's own active tokens by id, or None (another user's id finds nothing)."""
    try:
        pk = int(str(token_id))
    except ValueError:
        return None
    return api_tokens_of(user).filter(pk=pk).first()


def api_token_for_key(key: str) -> ApiToken | None:
    """The active token a presented key opens, or None. Found by its public prefix, then the
    digest compared in constant time."""
    prefix = tokens.prefix_of(key)
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__state", "user__organisation")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not tokens.matches(key, token.digest):
        return None
    return token


def user_for_profile(user: User) -> User:
    """The signed-in user with the state and organisation the profile page shows."""
    return User.objects.select_related("state", "organisation").get(pk=user.pk)
