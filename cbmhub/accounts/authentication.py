"""API authentication by the account's API tokens (``accounts.ApiToken``).

Two ways to present a token, one check behind both (``authenticate_key``):

- ``ApiTokenAuthentication``: ``Authorization: Token <key>``, the API's default.
- ``ApiTokenBasicAuthentication``: HTTP Basic with the username and, as the password, an API
  token (never the account's password). For clients that speak only Basic, such as TAXII 2.1
  clients; a view enables it with ``authentication_classes``, it is not on globally.

A token works only while (1) it is not revoked, (2) its account is active, (3) the account
still has the password and role it had when the token was issued (``User.credential_stamp``;
a token found stale is revoked on the spot, with the reason in the history) and (4) an account
that must use a second factor has a confirmed authenticator.
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from . import selectors
from .choices import TokenRevocation
from .models import ApiToken, User


def authenticate_key(key: str, *, username: str | None = None) -> tuple[User, ApiToken]:
    """The account and token a key stands for, or ``AuthenticationFailed`` saying why.
    With ``username`` (HTTP Basic), the token must be that account's."""
    # Imported here: DRF imports this module while ``rest_framework.views`` loads, which
    # ``core.api`` (imported by the services) is itself in the middle of importing: a cycle.
    from . import services  # noqa: PLC0415

    token = selectors.api_token_for_key(key)
    # A token of another account gets the same answer as a wrong key: the reply must not
    # tell whose token it is.
    if token is None or (username is not None and token.user.get_username() != username):
        raise exceptions.AuthenticationFailed(_("Invalid token."))
    user = token.user
    if not user.is_active:
        raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
    if token.credential_stamp != user.credential_stamp:
        services.api_token_revoke(
            token=token, actor=None, reason=TokenRevocation.CREDENTIALS_CHANGED
        )
        raise exceptions.AuthenticationFailed(
            _("This token was revoked: the account's password or role changed since it was issued.")
        )
    if (
        settings.CBMHUB_REQUIRE_2FA
        and user.needs_two_factor
        and not selectors.two_factor_enrolled(user)
    ):
        raise exceptions.AuthenticationFailed(
            _(
                "This account must use two-factor authentication: set up an authenticator "
                "app on your profile page before its API tokens work."
            )
        )
    services.api_token_mark_used(token=token)
    return user, token


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>``."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: send “Authorization: Token <key>”, one key, no spaces.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return authenticate_key(key)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class ApiTokenBasicAuthentication(BaseAuthentication):
    """HTTP Basic where the password is an API token of the named user."""

    realm = "CBM Hub"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"basic":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid basic header: send “Authorization: Basic <base64 of user:token>”.")
            )
        try:
            decoded = base64.b64decode(parts[1], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeError):
            raise exceptions.AuthenticationFailed(
                _("Invalid basic header: the credentials are not base64 of “user:token”.")
            ) from None
        username, colon, key = decoded.partition(":")
        if not colon:
            raise exceptions.AuthenticationFailed(
                _("Invalid basic header: the credentials are not base64 of “user:token”.")
            )
        return authenticate_key(key, username=username)

    def authenticate_header(self, request: Request) -> str:
        return f'Basic realm="{self.realm}"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes ``Authorization: Token <key>``."""

    target_class = "cbmhub.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API token from your profile page: `Token <key>`.",
        }


class ApiTokenBasicScheme(OpenApiAuthenticationExtension):
    target_class = "cbmhub.accounts.authentication.ApiTokenBasicAuthentication"
    name = "tokenBasicAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Your username and, as the password, an API token.",
        }
