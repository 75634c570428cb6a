"""Failed sign-ins: who gets stopped, and for how long (django-axes, configured in settings).

- **The pair** (username, client address) is locked after ``AXES_FAILURE_LIMIT`` failures for
  ``AXES_COOLOFF_TIME``: someone guessing ``observer``'s password is stopped, while failures
  on made-up usernames from the same address lock no real account.
- **The address** is rate-limited: after ``CBMHUB_LOGIN_ADDRESS_LIMIT`` failures across all
  usernames within the cool-off window (credential stuffing), it may try no *new* username
  until the window has passed. It locks out no one who has signed in from this browser
  before: a successful sign-in leaves a signed cookie naming the account (a "device
  cookie", as OWASP recommends), and that account's attempts from that browser are let
  through to the pair check. An attacker without the cookie gains nothing from it.
- **The address** is the client's, not the proxy's, when ``CBMHUB_TRUSTED_PROXIES`` says
  which proxies to believe (``accounts.network``).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .network import client_address

DEVICE_COOKIE = "cbmhub_device"
_DEVICE_SALT = "cbmhub.accounts.lockout.device"
DEVICE_COOKIE_MAX_AGE = 60 * 60 * 24 * 180
# A shared computer may remember a few accounts; the oldest is forgotten first.
DEVICE_COOKIE_ACCOUNTS = 5


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``), behind the trusted proxies."""
    return client_address(request.META, settings.CBMHUB_TRUSTED_PROXIES)


def _known_accounts(request: HttpRequest) -> list[str]:
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if not value:
        return []
    try:
        accounts = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return []
    return (
        [name for name in accounts if isinstance(name, str)] if isinstance(accounts, list) else []
    )


def remember_device(request: HttpRequest, response: HttpResponse, username: str) -> None:
    """After a successful sign-in: this browser has proven it knows ``username``."""
    accounts = [name for name in _known_accounts(request) if name != username]
    accounts = [*accounts, username][-DEVICE_COOKIE_ACCOUNTS:]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(accounts, salt=_DEVICE_SALT),
        max_age=DEVICE_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def address_failures(ip_address: str | None) -> int:
    """Failed sign-ins from one address, all usernames, within the cool-off window."""
    if not ip_address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=ip_address)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with the address rate limit beside its pair lock."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        limit = settings.CBMHUB_LOGIN_ADDRESS_LIMIT
        if not limit or address_failures(getattr(request, "axes_ip_address", None)) < limit:
            return False
        if get_client_username(request, credentials) in _known_accounts(request):
            return False
        # The lockout page says that the network, not the account, is paused.
        request.cbmhub_address_limited = True
        return True
