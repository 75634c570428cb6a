"""The TAXII 2.1 server (OASIS TAXII 2.1, sections 4 and 5), at ``/taxii2/``.

Plain Django views, not DRF: TAXII has its own media type, error format and envelope, and a
page of 1,000 objects is written by joining the stored JSON texts, never re-encoding them.
Authentication: HTTP Basic with the username and an API token as the password (the
specification's one required scheme; a password never works, so two-factor accounts are not
weakened) or ``Authorization: Token``; both are ``accounts.authentication``'s classes.

Every read goes through ``selectors.visible_objects`` and ``selectors.served_raw`` (TLP and
granular redaction); a collection the caller may not see is a 404. Pages are a keyset cursor
over (date added, row id): ``next`` names the last row served, so an object added while a
client pages is neither skipped nor repeated (new objects always come later).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions as drf_exceptions

from cbmhub.accounts.authentication import ApiTokenAuthentication, ApiTokenBasicAuthentication
from cbmhub.core.errors import Forbidden

from . import permissions, selectors, services, stix
from .models import Collection, Status, StixObject

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
MAX_PAGE = 1000
_AUTHENTICATORS = (ApiTokenBasicAuthentication(), ApiTokenAuthentication())


def max_content_length() -> int:
    return int(getattr(settings, "CBMHUB_TAXII_MAX_CONTENT_LENGTH", 10 * 1024 * 1024))


class TaxiiError(Exception):
    """A TAXII error message (section 3.6.1) with its HTTP status."""

    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(title)
        self.status, self.title, self.description = status, title, description


def _json_response(
    body: str | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    response = HttpResponse(text, status=status, content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error_response(error: TaxiiError) -> HttpResponse:
    body = {
        "title": error.title,
        "description": error.description,
        "http_status": str(error.status),
    }
    response = _json_response(body, error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="CBM Hub TAXII"'
    return response


def _authenticate(request: HttpRequest) -> Any:
    for authenticator in _AUTHENTICATORS:
        try:
            found = authenticator.authenticate(request)  # type: ignore[arg-type]
        except drf_exceptions.AuthenticationFailed as error:
            raise TaxiiError(401, _("Authentication failed"), str(error.detail)) from None
        if found is not None:
            return found[0]
    # No session cookie: TAXII views take no CSRF token, so only a header a browser never
    # sends by itself authenticates here.
    raise TaxiiError(
        401,
        _("Authentication required"),
        _(
            "Use HTTP Basic with your username and an API token as the password, "
            "or “Authorization: Token <key>”."
        ),
    )


def _media_type_ok(value: str, base: str) -> bool:
    """``value`` (one media range) accepts TAXII/STIX 2.1 JSON of ``base``."""
    parts = [part.strip().lower() for part in value.split(";")]
    if parts[0] in ("*/*", "application/*"):
        return True
    if parts[0] != base:
        return False
    versions = [p.split("=", 1)[1].strip() for p in parts[1:] if p.startswith("version=")]
    return not versions or versions[0] == "2.1"


def _check_accept(request: HttpRequest) -> None:
    accept = request.headers.get("Accept", "")
    if not accept:
        return
    if not any(_media_type_ok(item, "application/taxii+json") for item in accept.split(",")):
        raise TaxiiError(
            406,
            _("Not acceptable"),
            _(
                "This server answers application/taxii+json;version=2.1 only; "
                "the request accepts: %(accept)s"
            )
            % {"accept": accept[:200]},
        )


def taxii_view(
    *methods: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A TAXII endpoint: the methods it answers, content negotiation, authentication, and every
    error as a TAXII error message (never an HTML page, never a 500 for bad input)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise TaxiiError(405, _("Method not allowed"), ", ".join(methods))
                _check_accept(request)
                user = _authenticate(request)
                return view(request, user, *args, **kwargs)
            except TaxiiError as error:
                return _error_response(error)
            except Forbidden as error:
                return _error_response(TaxiiError(403, _("Forbidden"), error.message))
            except services.ExchangeError as error:
                return _error_response(TaxiiError(422, _("Unprocessable"), error.message))
            except Http404 as error:
                return _error_response(TaxiiError(404, _("Not found"), str(error)))

        wrapped.__name__ = view.__name__
        return wrapped

    return decorate


# --- discovery, API root, collections --------------------------------------------------------


@taxii_view("GET")
def discovery(request: HttpRequest, user: Any) -> HttpResponse:
    api_root = request.build_absolute_uri(reverse("taxii:api-root"))
    return _json_response(
        {
            "title": "CBM Hub TAXII 2.1",
            "description": _("CERT-to-CERT sharing between states, TLP 2.0 enforced."),
            "default": api_root,
            "api_roots": [api_root],
        }
    )


@taxii_view("GET")
def api_root(request: HttpRequest, user: Any) -> HttpResponse:
    return _json_response(
        {
            "title": "CBM Hub",
            "description": _("The collections of the sharing arrangements you take part in."),
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": max_content_length(),
        }
    )


def _collection_body(user: Any, collection: Collection) -> dict[str, Any]:
    return {
        "id": str(collection.pk),
        "title": collection.title,
        "description": collection.description or str(collection.arrangement),
        "can_read": permissions.can_read(user, collection),
        "can_write": permissions.can_write(user, collection),
        "media_types": [STIX_MEDIA_TYPE],
    }


@taxii_view("GET")
def collections(request: HttpRequest, user: Any) -> HttpResponse:
    found = [_collection_body(user, c) for c in selectors.visible_collections(user)]
    return _json_response({"collections": found} if found else {})


@taxii_view("GET")
def collection(request: HttpRequest, user: Any, collection_id: str) -> HttpResponse:
    return _json_response(_collection_body(user, selectors.access_collection(user, collection_id)))


# --- filters and the cursor ------------------------------------------------------------------


def _limit(request: HttpRequest) -> int:
    value = request.GET.get("limit")
    if value is None or value == "":
        return MAX_PAGE
    if not value.isdigit() or int(value) < 1:
        raise TaxiiError(400, _("Bad limit"), _("limit must be a whole number from 1."))
    return min(int(value), MAX_PAGE)


def _timestamp(value: str, name: str) -> dt.datetime:
    stamp = stix.parse_timestamp(value)
    if stamp is None:
        raise TaxiiError(
            400,
            _("Bad timestamp"),
            _("%(name)s is not a timestamp such as 2026-01-31T12:00:00.000Z: %(value)s")
            % {"name": name, "value": value[:60]},
        )
    return stamp


def _encode_cursor(added: dt.datetime, pk: int) -> str:
    return (
        base64.urlsafe_b64encode(f"{stix.format_timestamp(added)}|{pk}".encode())
        .decode()
        .rstrip("=")
    )


def _decode_cursor(token: str) -> tuple[dt.datetime, int]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        stamp, _sep, pk = text.partition("|")
        added = stix.parse_timestamp(stamp)
        if added is None or not pk.isdigit():
            raise ValueError
        return added, int(pk)
    except (ValueError, binascii.Error, UnicodeError):
        raise TaxiiError(400, _("Bad next"), _("next is not a value this server gave.")) from None


def _split(request: HttpRequest, name: str) -> list[str]:
    return [
        item.strip()
        for value in request.GET.getlist(name)
        for item in value.split(",")
        if item.strip()
    ]


def _version_filter(
    objects: QuerySet[StixObject], request: HttpRequest, default: str
) -> QuerySet[StixObject]:
    wanted = _split(request, "match[version]") or [default]
    query = Q(pk__in=[])
    for item in wanted:
        if item == "all":
            return objects
        if item == "last":
            query |= Q(is_latest=True)
        elif item == "first":
            earlier = StixObject.objects.filter(
                collection_id=OuterRef("collection_id"),
                stix_id=OuterRef("stix_id"),
                version__lt=OuterRef("version"),
            )
            query |= Q(~Exists(earlier))
        else:
            query |= Q(version=stix.format_timestamp(_timestamp(item, "match[version]")))
    return objects.filter(query)


def _filtered(
    request: HttpRequest, objects: QuerySet[StixObject], *, version_default: str = "last"
) -> QuerySet[StixObject]:
    if added_after := request.GET.get("added_after"):
        objects = objects.filter(date_added__gt=_timestamp(added_after, "added_after"))
    if ids := _split(request, "match[id]"):
        objects = objects.filter(stix_id__in=ids)
    if types := _split(request, "match[type]"):
        objects = objects.filter(type__in=types)
    if spec_versions := _split(request, "match[spec_version]"):
        objects = objects.filter(spec_version__in=spec_versions)
    return _version_filter(objects, request, version_default)


def _page(
    request: HttpRequest, objects: QuerySet[StixObject], fields: tuple[str, ...]
) -> tuple[list[tuple[Any, ...]], str]:
    """One page of rows (``fields`` after pk and date_added) and the next cursor ("" at the end)."""
    limit = _limit(request)
    if token := request.GET.get("next"):
        added, pk = _decode_cursor(token)
        objects = objects.filter(Q(date_added__gt=added) | Q(date_added=added, pk__gt=pk))
    rows = list(
        objects.order_by("date_added", "pk").values_list("pk", "date_added", *fields)[: limit + 1]
    )
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, _encode_cursor(rows[-1][1], rows[-1][0])
    return rows, ""


def _page_by_version(
    request: HttpRequest, versions: QuerySet[StixObject]
) -> tuple[list[tuple[Any, ...]], str]:
    """One page of an object's versions in ascending order of version (TAXII 5.8), with a
    keyset cursor over (version, row id)."""
    limit = _limit(request)
    if token := request.GET.get("next"):
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            version, _sep, pk = text.rpartition("|")
            if not pk.isdigit():
                raise ValueError
        except (ValueError, binascii.Error, UnicodeError):
            raise TaxiiError(
                400, _("Bad next"), _("next is not a value this server gave.")
            ) from None
        versions = versions.filter(Q(version__gt=version) | Q(version=version, pk__gt=int(pk)))
    rows = list(
        versions.order_by("version", "pk").values_list(
            "pk", "date_added", "modified", "created", "version"
        )[: limit + 1]
    )
    if len(rows) <= limit:
        return rows, ""
    rows = rows[:limit]
    cursor = f"{rows[-1][4]}|{rows[-1][0]}".encode()
    return rows, base64.urlsafe_b64encode(cursor).decode().rstrip("=")


def _page_headers(rows: list[tuple[Any, ...]]) -> dict[str, str]:
    if not rows:
        return {}
    added = [row[1] for row in rows]
    return {
        "X-TAXII-Date-Added-First": stix.format_timestamp(min(added)),
        "X-TAXII-Date-Added-Last": stix.format_timestamp(max(added)),
    }


def _envelope(
    user: Any, collection: Collection, rows: list[tuple[Any, ...]], next_token: str
) -> HttpResponse:
    served = []
    for pk, _added, raw, granular_rank, added_by_id in rows:
        if granular_rank is None:
            served.append(raw)
        else:
            obj = StixObject(
                pk=pk,
                raw=raw,
                granular_rank=granular_rank,
                added_by_id=added_by_id,
                collection=collection,
            )
            served.append(selectors.served_raw(user, obj, arrangement_id=collection.arrangement_id))
    head = '{"more":true,"next":' + json.dumps(next_token) + "," if next_token else '{"more":false,'
    return _json_response(
        head + '"objects":[' + ",".join(served) + "]}", headers=_page_headers(rows)
    )


_OBJECT_FIELDS = ("raw", "granular_rank", "added_by_id")


# --- objects ---------------------------------------------------------------------------------


@taxii_view("GET", "POST")
def objects(request: HttpRequest, user: Any, collection_id: str) -> HttpResponse:
    target = selectors.access_collection(user, collection_id)
    if request.method == "POST":
        return _add_objects(request, user, target)
    visible = _filtered(request, selectors.visible_objects(user, collection=target))
    rows, next_token = _page(request, visible, _OBJECT_FIELDS)
    return _envelope(user, target, rows, next_token)


def _read_envelope(request: HttpRequest) -> list[Any]:
    content_type = request.headers.get("Content-Type", "")
    if not _media_type_ok(
        content_type, "application/taxii+json"
    ) or content_type.strip().startswith("*"):
        raise TaxiiError(
            415,
            _("Unsupported media type"),
            _("Send the envelope as application/taxii+json;version=2.1, not %(type)s")
            % {"type": content_type[:100] or "nothing"},
        )
    limit = max_content_length()
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TaxiiError(
            413,
            _("Too large"),
            _(
                "The envelope is %(size)s bytes; "
                "this server takes at most %(limit)s (max_content_length)."
            )
            % {"size": declared, "limit": limit},
        )
    body = request.read(limit + 1)
    if len(body) > limit:
        raise TaxiiError(
            413,
            _("Too large"),
            _("The envelope is over max_content_length (%(limit)s bytes).") % {"limit": limit},
        )
    try:
        envelope = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, UnicodeError, RecursionError) as error:
        raise TaxiiError(400, _("Malformed JSON"), str(error)[:300]) from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise TaxiiError(
            422,
            _("Not an envelope"),
            _("Send a JSON object with an “objects” list (a TAXII envelope)."),
        )
    return envelope["objects"]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _add_objects(request: HttpRequest, user: Any, collection: Collection) -> HttpResponse:
    if not permissions.can_write(user, collection):
        raise TaxiiError(403, _("Forbidden"), _("You may read this collection but not add to it."))
    items = _read_envelope(request)
    result = services.objects_add(actor=user, collection=collection, objects=items)
    status = services.status_record(actor=user, collection=collection, result=result)
    return _json_response(status_body(status), 202)


def status_body(status: Status) -> dict[str, Any]:
    return {
        "id": str(status.pk),
        "status": status.status,
        "request_timestamp": stix.format_timestamp(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": len(status.successes),
        "successes": status.successes,
        "failure_count": len(status.failures),
        "failures": status.failures,
        "pending_count": 0,
        "pendings": [],
    }


def _one_object(
    user: Any, collection_id: str, object_id: str
) -> tuple[Collection, QuerySet[StixObject]]:
    target = selectors.access_collection(user, collection_id)
    versions = selectors.visible_objects(user, collection=target).filter(stix_id=object_id)
    if not versions.exists():
        raise TaxiiError(
            404,
            _("Not found"),
            _("No object %(id)s in this collection that you may read.") % {"id": object_id[:300]},
        )
    return target, versions


@taxii_view("GET", "DELETE")
def object_detail(
    request: HttpRequest, user: Any, collection_id: str, object_id: str
) -> HttpResponse:
    target, versions = _one_object(user, collection_id, object_id)
    if request.method == "DELETE":
        if not permissions.can_write(user, target):
            raise TaxiiError(
                403, _("Forbidden"), _("You may read this collection but not delete from it.")
            )
        chosen = _filtered(request, versions, version_default="all")
        services.objects_delete(
            actor=user,
            collection=target,
            stix_id=object_id,
            versions=list(chosen.values_list("version", flat=True)),
        )
        return HttpResponse(status=200, content_type=TAXII_MEDIA_TYPE)
    rows, next_token = _page(request, _filtered(request, versions), _OBJECT_FIELDS)
    return _envelope(user, target, rows, next_token)


@taxii_view("GET")
def object_versions(
    request: HttpRequest, user: Any, collection_id: str, object_id: str
) -> HttpResponse:
    _target, versions = _one_object(user, collection_id, object_id)
    if added_after := request.GET.get("added_after"):
        versions = versions.filter(date_added__gt=_timestamp(added_after, "added_after"))
    if spec_versions := _split(request, "match[spec_version]"):
        versions = versions.filter(spec_version__in=spec_versions)
    rows, next_token = _page_by_version(request, versions)
    body: dict[str, Any] = {
        "more": bool(next_token),
        "versions": [
            modified or created or stix.format_timestamp(added)
            for _pk, added, modified, created, _version in rows
        ],
    }
    if next_token:
        body["next"] = next_token
    return _json_response(body, headers=_page_headers(rows))


@taxii_view("GET")
def manifest(request: HttpRequest, user: Any, collection_id: str) -> HttpResponse:
    target = selectors.access_collection(user, collection_id)
    visible = _filtered(request, selectors.visible_objects(user, collection=target))
    rows, next_token = _page(request, visible, ("stix_id", "modified", "created"))
    records = [
        {
            "id": stix_id,
            "date_added": stix.format_timestamp(added),
            "version": modified or created or stix.format_timestamp(added),
            "media_type": STIX_MEDIA_TYPE,
        }
        for _pk, added, stix_id, modified, created in rows
    ]
    body: dict[str, Any] = {"more": bool(next_token), "objects": records}
    if next_token:
        body["next"] = next_token
    return _json_response(body, headers=_page_headers(rows))


@taxii_view("GET")
def status(request: HttpRequest, user: Any, status_id: str) -> HttpResponse:
    pk = selectors.uuid_or_none(status_id)
    found = Status.objects.filter(pk=pk, user_id=user.pk).first() if pk else None
    if found is None:
        raise TaxiiError(404, _("Not found"), _("No such status of yours."))
    return _json_response(status_body(found))
