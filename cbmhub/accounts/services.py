"""Writes to accounts: creating users, passwords, API tokens and two-factor devices.

Views and the API call these functions; none of them trusts its caller to have checked the
request's second factor, so the views that issue tokens or replace devices check it first
(see ``views.verified_required``).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cbmhub.core.errors import DomainError
from cbmhub.directory.choices import ChangeAction
from cbmhub.directory.services import record_change

from . import tokens
from .choices import STATE_ROLES, Role, TokenRevocation
from .models import ApiToken, User

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# A person needs a few tokens (a script, a MISP sync, a test); a cap keeps one account from
# filling the table.
MAX_ACTIVE_API_TOKENS = 20
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


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


# --- passwords ----------------------------------------------------------------------------


@transaction.atomic
def user_password_save(*, user: User, actor: User | None, reason: TokenRevocation) -> User:
    """Store the password just set on ``user`` (``set_password``) and revoke the API tokens
    issued under the old one: whoever reset or changed it may be locking out someone who
    learnt it, and that someone may have made tokens."""
    user.save(update_fields=["password", "password_changed_at"])
    api_tokens_revoke_all(user=user, actor=actor or user, reason=reason)
    return user


# --- API tokens ---------------------------------------------------------------------------


def _record_token_change(*, actor, user: User, before: str | None, after: str | None) -> None:
    # Into the account's history (the directory's ChangeRecord of the user), like every
    # change to what an account may do.
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        obj=user,
        changes={"api_token": [before, after]},
        state=user.state,
        organisation=user.organisation,
    )


@transaction.atomic
def api_token_issue(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a named API token; returns the token and its key, which is never stored and so
    can be shown only this once."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(
            {"name": _("Give the token a name, for example the program using it.")}
        )
    # Lock the account: the count and the name check below must not race a second issue.
    # (No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of a join.)
    user = User.objects.select_for_update().get(pk=user.pk)
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if active.filter(name=name).exists():
        raise ValidationError(
            {"name": _("You already have a token called “%(name)s”.") % {"name": name}}
        )
    if active.count() >= MAX_ACTIVE_API_TOKENS:
        raise AccountsError(
            _("You have %(count)d tokens, the most an account may hold: revoke one first.")
            % {"count": MAX_ACTIVE_API_TOKENS},
            code="too_many_tokens",
        )
    key, prefix = tokens.new_key()
    while ApiToken.objects.filter(prefix=prefix).exists():  # 40 random bits: next to never
        key, prefix = tokens.new_key()
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        digest=tokens.digest(key),
        credential_stamp=user.credential_stamp,
    )
    token.full_clean()
    token.save()
    _record_token_change(actor=user, user=user, before=None, after=f"{token} created")
    return token, key


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, actor: User | None, reason: TokenRevocation = TokenRevocation.BY_USER
) -> bool:
    """Revoke one token; returns whether it was still active. The caller has checked that
    ``actor`` may (the owner from the profile, an operator from the admin)."""
    token = ApiToken.objects.select_for_update(of=("self",)).select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    # The reason's code, not its label: the history keeps one language.
    label = f"revoked: {TokenRevocation(reason).value}"
    _record_token_change(actor=actor, user=token.user, before=str(token), after=label)
    return True


@transaction.atomic
def api_tokens_revoke_all(*, user: User, actor: User | None, reason: TokenRevocation) -> int:
    """Revoke every active token of ``user``; returns how many."""
    active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    return sum(api_token_revoke(token=token, actor=actor, reason=reason) for token in active)


def api_token_mark_used(*, token: ApiToken, now=None) -> None:
    """Note when a token was last used, at most once a minute (one conditional UPDATE, no
    lock: two requests at once both writing the same minute is harmless)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


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
