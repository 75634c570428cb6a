"""Typed requests: a request whose user is known to be a signed-in ``accounts.User``.

Django types ``request.user`` as ``User | AnonymousUser``. A page behind ``login_required``
(or the accounts app's ``verified_required``) never sees an anonymous user, so its view takes
an ``AuthedRequest`` and passes ``request.user`` to services and selectors that take a ``User``
without a cast at every call. Where the signature is fixed by a base class (a DRF viewset's
``list``, an admin method) ``signed_in_user(request)`` gives the same ``User``, checked.

Nothing is set on ``request.user`` or on model instances beyond what Django and django-otp put
there: per-object data a page needs goes in a queryset annotation or a small dataclass.

This lives in ``accounts`` (not ``core``) because it names ``accounts.User`` and ``core``
imports no domain app; ``directory`` (below ``accounts``) refers to users only through
``core.roles``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from .models import User


class AuthedRequest(HttpRequest):
    """A page request behind ``login_required``: ``user`` is an ``accounts.User``.

    Only a type: Django builds the request; the decorator is what makes the annotation true.
    """

    user: User  # narrowed from User | AnonymousUser by login_required


def signed_in_user(request: HttpRequest | Request) -> User:
    """The request's user when signed in; a refusal (403) otherwise.

    For views whose authentication is already enforced (``login_required``, DRF's
    ``IsAuthenticated``) this never refuses; it turns that guarantee into a type.
    """
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
