"""The errors services raise, for every app. No DRF here: services import this module, not the
API layer (``core/api.py`` maps these errors to the API's error format, Django maps a refusal
to the 403 page).

- ``DomainError``: a request the domain refuses. Each app subclasses it once
  (``DirectoryError``, ``HotlineError`` …). The one way to say which input is wrong is
  ``field=`` (a path such as ``channels[0].value``); ``details=`` is for several places or a
  place with more than a field (a ``row``, a ``line`` and an ``offset``).
- ``Forbidden``: the one way to say "this user may not". It is a ``DomainError`` (the API
  answers 403 with its message) and a Django ``PermissionDenied`` (pages answer 403), so every
  app refuses the same way.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError


class DomainError(Exception):
    """An error a service raises for a request that the domain refuses.

    The API maps it to HTTP 400 (or ``status_code``) with ``code`` and ``details``; a page
    shows it on its form (``core.forms.add_domain_error``).
    """

    code = "invalid"
    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str = "",
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if field and not details:
            details = [{"field": field, "message": message}]
        self.field = field
        self.details = details or []


class Forbidden(DomainError, PermissionDenied):
    """The user may not do this: 403 in pages and in the API, with the message saying why."""

    code = "permission_denied"
    status_code = 403


def validation_details(error: DjangoValidationError) -> list[dict[str, Any]]:
    """A Django ``ValidationError`` (``full_clean``) as the API's details, one per message."""
    if not hasattr(error, "error_dict"):
        return [{"field": "", "message": str(message)} for message in error.messages]
    return [
        {"field": "" if field == "__all__" else field, "message": str(message)}
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def full_clean_or_raise(instance: Any, error_class: type[DomainError]) -> None:
    """``instance.full_clean()``, refused as the app's error naming every field that failed
    (the first one's message is the error's message)."""
    try:
        instance.full_clean()
    except DjangoValidationError as error:
        details = validation_details(error)
        first = details[0]
        raise error_class(
            first["message"], code="invalid", field=first["field"], details=details
        ) from None
