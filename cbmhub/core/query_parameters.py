"""Query parameters are held to the schema itself, for every API endpoint.

DRF ignores a query parameter that no view reads, so a misspelt filter (``?stat=KAZ``)
silently returns everything, and each view reads the values it knows in its own way
(``include_inactive=maybe`` was false). Here the OpenAPI schema that drf-spectacular
generates from the code is the contract: an API request naming a query parameter the
operation does not list, leaving out a required one, or giving one a value outside its
schema (type ``integer`` or ``boolean``, ``enum``, ``minimum``/``maximum``) is answered 400
in the API's error format, each problem naming its parameter. The schema is generated once
per process, on the first API request; what it documents is by construction what is
accepted, so the two cannot drift apart. Views still read and check their parameters: this
is the outer gate, not the only one.
"""

from __future__ import annotations

import functools
import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.generators import SchemaGenerator

from .api import error_body

_PATH_PARAMETER = re.compile(r"\{[^/{}]+\}")


_INTEGER = re.compile(r"-?[0-9]{1,18}")
Parameters = dict[str, dict]  # name -> the parameter object (schema, required)


@functools.cache
def documented_query_parameters() -> tuple[tuple[re.Pattern[str], dict[str, Parameters]], ...]:
    """(path pattern, {METHOD: {name: parameter}}) for each path of the schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = []
    for path, operations in schema["paths"].items():
        parts = _PATH_PARAMETER.split(path)
        pattern = re.compile("[^/]+".join(re.escape(part) for part in parts))
        parameters = {
            method.upper(): {
                parameter["name"]: parameter
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query"
            }
            for method, operation in operations.items()
        }
        routes.append((pattern, parameters))
    return tuple(routes)


def _operation(path: str, method: str) -> Parameters | None:
    for pattern, operations in documented_query_parameters():
        if pattern.fullmatch(path):
            return operations.get(method)
    return None


def _value_problem(value: str, schema: dict) -> str | None:
    """What is wrong with `value` for a parameter of this schema (None: nothing)."""
    kind = schema.get("type")
    if kind == "boolean":
        return None if value in ("true", "false") else _("Use true or false.")
    if kind == "integer":
        if not _INTEGER.fullmatch(value):
            return _("Must be a whole number.")
        number = int(value)
        if number < schema.get("minimum", number) or number > schema.get("maximum", number):
            return _("Must be a whole number from %(minimum)d to %(maximum)d.") % {
                "minimum": schema.get("minimum", -(2**63)),
                "maximum": schema.get("maximum", 2**63 - 1),
            }
    if "enum" in schema and value not in schema["enum"]:
        return _("Use one of: %s.") % ", ".join(str(option) for option in schema["enum"])
    return None


def _nul_problems(path: str, query) -> list[dict[str, str]]:
    """A NUL character can be in no record (PostgreSQL refuses it in text), so a path or query
    carrying one is refused before any lookup sends it to the database."""
    message = _("A NUL character is not allowed here.")
    problems = [{"field": "path", "message": message}] if "\x00" in path else []
    for name, values in query.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            problems.append({"field": name.replace("\x00", "\\x00"), "message": message})
    return problems


def query_problems(path: str, method: str, query) -> list[dict[str, str]]:
    """The problems of a request's query (a QueryDict) against its operation in the schema,
    each with the parameter's name; none for a path or method the schema does not describe
    (the schema and docs pages, OPTIONS, a 405)."""
    problems = _nul_problems(path, query)
    parameters = _operation(path, method)
    if parameters is None or problems:
        return problems
    for name, values in query.lists():
        parameter = parameters.get(name)
        if parameter is None:
            problems.append({"field": name, "message": _("Unknown query parameter.")})
            continue
        for value in values:
            problem = _value_problem(value, parameter.get("schema", {}))
            if problem:
                problems.append({"field": name, "message": problem})
    for name, parameter in parameters.items():
        if parameter.get("required") and name not in query:
            problems.append({"field": name, "message": _("This query parameter is required.")})
    return problems


class KnownQueryParametersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not hasattr(view_func, "cls"):  # only DRF views: the API
            return None
        problems = query_problems(request.path_info, request.method or "", request.GET)
        if not problems:
            return None
        return JsonResponse(
            error_body("invalid", "The request is not valid.", problems), status=400
        )
