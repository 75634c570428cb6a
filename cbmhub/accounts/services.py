"""Writes to accounts: creating users, API tokens and two-factor devices.

Views and the API call these functions; none of them trusts its caller to have checked the
request's second factor, so the views that issue tokens or replace devices check it first
(see ``views.verified_required``).
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from cbmhub.core.api import DomainError

from .choices import STATE_ROLES, Role
from .models import User

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class AccountsError(DomainError):
    """A change to an account that the rules refuse (for example a wrong confirmation code)."""


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    role: str,
    state=None,
    organisation=None,
    password: str | None = None,
    time_zone: str = "",
) -> User:
    """Create a login. Without a password, the person chooses one through "forgotten password"
    (the reset form also serves accounts that never had a password)."""
    _check_role_scope(role=Role(role), state=state, organisation=organisation)
    user = User(
        username=username,
        email=email,
        role=Role(role),
        state=state,
        organisation=organisation,
        time_zone=time_zone,
    )
    user.full_clean(exclude=["password"])
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def _check_role_scope(*, role: Role, state, organisation) -> None:
    """Say which field is wrong before the database constraint ``user_role_scope`` would."""
    errors: dict[str, str] = {}
    if role in STATE_ROLES:
        if state is None:
            errors["state"] = _("A %(role)s acts for a state: choose the state.")
        if organisation is not None:
            errors["organisation"] = _("A %(role)s acts for a state, not an organisation.")
    elif role == Role.SECRETARIAT:
        if organisation is None:
            errors["organisation"] = _("A %(role)s works for an organisation: choose it.")
        if state is not None:
            errors["state"] = _("A %(role)s acts for an organisation, not a state.")
    else:
        if state is not None:
            errors["state"] = _("An %(role)s acts for no state.")
        if organisation is not None:
            errors["organisation"] = _("An %(role)s acts for no organisation.")
    if errors:
        raise ValidationError(
            {field: message % {"role": role.label.lower()} for field, message in errors.items()}
        )


@transaction.atomic
def user_set_time_zone(*, user: User, time_zone: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["time_zone"])
    return user


# --- API tokens ---------------------------------------------------------------------------


@transaction.atomic
def api_token_issue(*, user: User) -> Token:
    """Issue a new API token, replacing (and so revoking) any earlier one of this user."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user: User) -> bool:
    """Revoke the user's API token; returns whether there was one."""
    deleted, _unused = Token.objects.filter(user=user).delete()
    return deleted > 0


# --- two-factor devices -------------------------------------------------------------------


@transaction.atomic
def two_factor_device_create(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled. Reused while unconfirmed, so that
    reloading the setup page does not invalidate a QR code already scanned."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def two_factor_device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm an enrolled authenticator with a code from it, replace the user's earlier
    authenticators, and return a fresh set of backup codes (shown to the user once)."""
    # Not one atomic block around the raise: a failed try must stay counted (throttling).
    with transaction.atomic():
        locked = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        if locked is None:
            raise AccountsError(
                _("This authenticator is already set up or was replaced; start again."),
                code="device_gone",
            )
        if locked.verify_token(_normalise_token(token)):
            TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            return backup_codes_regenerate(user=user)
    raise AccountsError(
        _("That code does not match. Check the time on your phone and enter the current code."),
        code="invalid_code",
        details=[{"field": "code", "message": _("Wrong or expired code.")}],
    )


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's one-time backup codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_verify(*, user: User, token: str):
    """The confirmed device (authenticator or backup code) that accepts ``token``, or None.

    A backup code is used up; a failed try slows the next one down (django-otp throttling).
    Each device is locked while it checks, so one code cannot be used twice concurrently.
    """
    token = _normalise_token(token)
    if not token:
        return None
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
                if device.verify_token(token):
                    return device
    return None


def _normalise_token(token: str) -> str:
    # Authenticator apps show "123 456"; backup codes are printed in lower case.
    return "".join((token or "").split()).lower()
