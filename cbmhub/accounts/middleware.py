"""Two-factor enforcement: secretariat officers, focal points and superusers must have passed a
TOTP check in this session before any page other than login, 2FA setup and logout."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# The API is not exempt: a session that has not passed 2FA must not reach it either. Token
# requests are authenticated later, by DRF (accounts.authentication), which refuses the tokens
# of an account that must use 2FA while it has no confirmed authenticator.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.CBMHUB_REQUIRE_2FA
            and user.is_authenticated
            and getattr(user, "needs_two_factor", False)
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
