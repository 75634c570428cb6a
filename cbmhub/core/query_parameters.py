"""Unknown query parameters are refused, for every API endpoint, from the schema itself.

DRF ignores a query parameter that no view reads, so a misspelt filter (``?stat=KAZ``)
silently returns everything. Here the OpenAPI schema that drf-spectacular generates from the
code is the list of what each operation accepts: an API request naming any other query
parameter is answered 400 in the API's error format, naming it. The schema is generated once
per process, on the first API request; what the schema documents is by construction exactly
what is accepted, so the two cannot drift apart.
"""

from __future__ import annotations

import functools
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .api import error_body

_PATH_PARAMETER = re.compile(r"\{[^/{}]+\}")


@functools.cache
def documented_query_parameters() -> tuple[tuple[re.Pattern[str], dict[str, frozenset[str]]], ...]:
    """(path pattern, {METHOD: names of its query parameters}) for each path of the schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = []
    for path, operations in schema["paths"].items():
        parts = _PATH_PARAMETER.split(path)
        pattern = re.compile("[^/]+".join(re.escape(part) for part in parts))
        names = {
            method.upper(): frozenset(
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query"
            )
            for method, operation in operations.items()
        }
        routes.append((pattern, names))
    return tuple(routes)


def unknown_query_parameters(path: str, method: str, names: list[str]) -> list[str] | None:
    """The names the schema does not list for this operation; None for a path or method the
    schema does not describe (the schema and docs pages, OPTIONS, a 405)."""
    for pattern, operations in documented_query_parameters():
        if pattern.fullmatch(path):
            known = operations.get(method)
            return None if known is None else [name for name in names if name not in known]
    return None


class KnownQueryParametersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not hasattr(view_func, "cls") or not request.GET:  # only DRF views: the API
            return None
        unknown = unknown_query_parameters(
            request.path_info, request.method or "", list(request.GET)
        )
        if not unknown:
            return None
        details = [{"field": name, "message": _("Unknown query parameter.")} for name in unknown]
        body = error_body("invalid", "The request is not valid.", details)
        return JsonResponse(body, status=400)
