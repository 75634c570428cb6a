"""One error format for the whole API.

Every error response has the shape::

    {"error": {"code": "not_found", "message": "Point of contact not found.",
               "details": [{"field": "level", "message": "..."}]}}

`code` is stable and machine-readable; `message` is for people; `details` lists field errors
(with a `field` path, a `row` for imports) when there are any.

The errors themselves (``DomainError``, ``Forbidden``) are in ``core/errors.py``, which services
import without importing DRF; ``DomainError`` is imported here for the handler (and for code
that still imports it from here).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .db import RETRY_AFTER_SECONDS, is_database_busy
from .errors import DomainError


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in ("non_field_errors", "__all__"):
                path = prefix
            out.extend(_flatten(value, path))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix, "message": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            out.extend(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
        return out
    return [{"field": prefix, "message": str(detail)}]


def _documented_detail(detail: dict, message: str) -> dict:
    """A service's detail in the documented shape: every detail has a field and a message
    (a service that gives only the place, e.g. line and offset, gets the error's message)."""
    return {"field": "", "message": message, **detail}


def error_body(code: str, message: str, details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or []}}


def busy_database_response(exc: Exception) -> Response | None:
    """503 + Retry-After when another writer held the database (core/db.py), else None."""
    if not is_database_busy(exc):
        return None
    message = _("The database is busy with another change; nothing was changed. Try again.")
    response = Response(error_body("busy", message), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _in_use_response(exc: ProtectedError | RestrictedError) -> Response:
    """A delete that other records still point at (a point of contact a check or a message
    named, a body a document belongs to) is a conflict with the record's current state, not a
    server error. Only the kinds of the referring records are named, never the records (they
    may belong to another state)."""
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.args[1]})
    message = _("This record is still referred to by other records and cannot be removed.")
    details = [{"field": "", "message": _("Referred to by: %s.") % ", ".join(kinds)}]
    return Response(error_body("in_use", message, details), status=status.HTTP_409_CONFLICT)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if (busy := busy_database_response(exc)) is not None:
        return busy
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return _in_use_response(exc)
    if isinstance(exc, DomainError):
        details = [_documented_detail(detail, exc.message) for detail in exc.details]
        return Response(error_body(exc.code, exc.message, details), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        details = _flatten(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return Response(
            error_body("invalid", "The request is not valid.", details),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", "The request is not valid.", _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = error_body(code if isinstance(code, str) else "error", str(detail))
    response.data = body
    return response


# The same format, described for the OpenAPI schema (every app lists it among its responses).


class ErrorDetailSerializer(serializers.Serializer):
    row = serializers.JSONField(required=False, help_text="Import only: CSV row or JSON index.")
    line = serializers.IntegerField(required=False, help_text="Text import only: the line.")
    offset = serializers.IntegerField(
        required=False, help_text="Text import only: the byte offset in the file."
    )
    field = serializers.CharField()
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = ErrorDetailSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    """The one error format of the API (see the module docstring)."""

    error = ErrorBodySerializer()


# The error responses an operation lists beside the ones core/schema.py adds to every operation,
# one table for every app (``responses={200: ..., **ERRORS}`` or ``error_responses(400, 403)``).
ERRORS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid request."),
    403: OpenApiResponse(ErrorSerializer, description="Refused for this user."),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not visible to you."),
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in statuses}


def validated(
    serializer_class: type[serializers.Serializer],
    request: Request,
    instance: Any = None,
    *,
    partial: bool = False,
) -> dict[str, Any]:
    """The request's body checked by ``serializer_class`` (against ``instance`` for a change;
    ``partial`` for PATCH, as DRF's ``UpdateModelMixin`` passes it); invalid input raises the
    validation error the handler above turns into 400 ``invalid``."""
    serializer = serializer_class(instance, data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/v1/ that names no endpoint: the JSON 404 of every other API error,
    whatever the method, rather than the HTML page for people."""
    body = error_body("not_found", _("There is no API endpoint at this address."))
    return JsonResponse(body, status=404)
