"""The API's error contract (issue 8, items 12 and 17): every error is the documented JSON
error with a 4xx code, and the schema describes exactly what is served. Each test names the
finding it proves; each failed on the code before the fix (a 500, an HTML page, a silently
accepted parameter, or a schema that said otherwise)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import get_resolver
from rest_framework.parsers import JSONParser

from cbmhub.core.parsers import BoundedJSONParser

from .conftest import concrete

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
LONG_NUMBER = "1" * 5000


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is the documented error: JSON ``{"error": {"code", "message", "details"}}``."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def operations(schema: dict, predicate) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if predicate(path, method, operation)
    ]


# --- item 12: ProtectedError is 409, not 500 ---------------------------------------------------


def test_deleting_a_point_of_contact_a_check_targeted_is_409(api_for, api_world, bob):
    poc = api_world["target_poc"]
    response = api_for(bob).delete(f"/api/v1/directory/points-of-contact/{poc.pk}/")
    error = assert_error(response, 409, "in_use")
    assert "check target" in error["details"][0]["message"]
    assert type(poc).objects.filter(pk=poc.pk).exists()


def test_deleting_a_body_a_document_belongs_to_is_409(api_for, api_world, sam):
    body = api_world["swg"]
    response = api_for(sam).delete(f"/api/v1/directory/bodies/{body.pk}/")
    assert_error(response, 409, "in_use")
    assert type(body).objects.filter(pk=body.pk).exists()


def test_a_refused_delete_leaves_no_history_behind(api_for, api_world, sam):
    from cbmhub.directory.models import ChangeRecord

    before = ChangeRecord.objects.count()
    api_for(sam).delete(f"/api/v1/directory/bodies/{api_world['swg'].pk}/")
    assert ChangeRecord.objects.count() == before


# --- item 12 and 17: strict limit/offset on every paginated list -------------------------------

BAD_PAGING = [
    ("limit", "10000000000000000000000"),
    ("limit", "1e22"),
    ("limit", "0"),
    ("limit", "1001"),
    ("limit", "-1"),
    ("limit", "abc"),
    ("limit", "١٢"),  # Arabic-Indic digits: int() reads them, the schema's integer does not
    ("offset", "null"),
    ("offset", "10000000000000000000000"),
    ("offset", "-1"),
    ("offset", "1.5"),
    ("offset", " 1"),
]


def test_every_list_is_paginated_by_the_strict_class(schema):
    paginated = operations(
        schema, lambda p, m, o: any(x["name"] == "limit" for x in o.get("parameters", []))
    )
    assert {path for path, _m, _o in paginated} >= {
        "/api/v1/directory/points-of-contact/",
        "/api/v1/directory/bodies/",
        "/api/v1/hotline/messages/",
        "/api/v1/negotiations/documents/",
    }
    for path, _method, operation in paginated:
        limit = next(x for x in operation["parameters"] if x["name"] == "limit")
        assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == 1000, path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        name = ref.rsplit("/", 1)[1]
        if path in PAGED_INSIDE:
            # One object whose list is paged: it states the total and the page it holds.
            properties = schema["components"]["schemas"][name]["properties"]
            assert {PAGED_INSIDE[path], "offset", "limit"} <= set(properties), path
            continue
        assert name.startswith("Paginated"), path


# Operations that answer one object with a paged list inside it, not a list, and the field
# that gives the list's total (the analysis of a revision: its paragraphs, h-engine).
PAGED_INSIDE = {
    "/api/v1/negotiations/documents/{document_id}/revisions/{revision_id}/analysis/": (
        "paragraphs_total"
    ),
}


@pytest.mark.parametrize(("name", "value"), BAD_PAGING)
def test_bad_limit_or_offset_is_400_naming_it_on_every_list(
    api_for, api_world, root, schema, name, value
):
    api = api_for(root)
    lists = operations(
        schema,
        lambda p, m, o: m == "get" and any(x["name"] == "limit" for x in o.get("parameters", [])),
    )
    assert lists
    for path, _method, _operation in lists:
        response = api.get(concrete(path, api_world), {name: value})
        error = assert_error(response, 400, "invalid")
        assert [detail["field"] for detail in error["details"]] == [name], path


def test_good_limit_and_offset_still_page(api_for, api_world, root):
    page = api_for(root).get("/api/v1/directory/states/", {"limit": "1", "offset": "1"}).json()
    assert page["count"] == 3
    assert [state["iso3"] for state in page["results"]] == ["MNG"]


def test_document_list_is_served_as_the_schema_says(api_for, api_world, alice, schema):
    """Item 17: the list is paginated and the schema now says so (it said: an array)."""
    operation = schema["paths"]["/api/v1/negotiations/documents/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(component["properties"]) == {"count", "next", "previous", "results"}
    body = api_for(alice).get("/api/v1/negotiations/documents/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["results"][0]["symbol"] == "SWG/OI/9001"


# --- item 12: JSON bodies within bounds, everywhere ---------------------------------------------


def test_no_api_view_parses_json_without_bounds():
    """Every DRF view under /api/v1/ parses JSON with the bounded parser (the mechanism: a view
    that lists its own parsers cannot bring the unbounded one back unnoticed)."""
    checked = 0

    def walk(patterns):
        nonlocal checked
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            cls = getattr(pattern.callback, "cls", None)
            if cls is None:
                continue
            for parser in cls().get_parsers():
                if isinstance(parser, JSONParser):
                    assert isinstance(parser, BoundedJSONParser), cls
            checked += 1

    walk(get_resolver().url_patterns)
    assert checked > 10


def test_deep_json_is_400_on_every_json_endpoint(api_for, api_world, root, schema):
    json_bodies = operations(
        schema, lambda p, m, o: "application/json" in o.get("requestBody", {}).get("content", {})
    )
    assert len(json_bodies) > 10
    api = api_for(root)
    for path, method, _operation in json_bodies:
        call = getattr(api, method)
        response = call(concrete(path, api_world), DEEP, content_type="application/json")
        error = assert_error(response, 400, "parse_error")
        assert "deep" in error["message"], (method, path)


def test_deep_json_is_400_on_the_unauthenticated_check_confirmation(api_for, db):
    response = api_for().post(
        "/api/v1/hotline/checks/confirm/", DEEP, content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    "body", [f'{{"token": {LONG_NUMBER}}}', '{"token": NaN}', '{"token": 1e999}']
)
def test_unbounded_numbers_and_non_json_constants_are_400(api_for, db, body):
    response = api_for().post(
        "/api/v1/hotline/checks/confirm/", body, content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_a_5000_digit_number_in_an_import_file_is_a_problem_with_its_place(api_for, root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = '{"states": [\n  {"iso3": "KAZ", "name": ' + LONG_NUMBER + "}\n]}"
    upload = SimpleUploadedFile("directory.json", text.encode(), content_type="application/json")
    response = api_for(root).post("/api/v1/directory/import", {"file": upload}, format="multipart")
    error = assert_error(response, 400, "import_invalid")
    assert "line 2" in error["details"][0]["message"]


def test_a_deeply_nested_import_file_is_a_problem_not_a_500(api_for, root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("directory.json", DEEP.encode(), content_type="application/json")
    response = api_for(root).post("/api/v1/directory/import", {"file": upload}, format="multipart")
    assert_error(response, 400, "import_invalid")


# --- item 12: unknown paths under /api/v1/ -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here",
        "/api/v1/directory/states/12/",
        "/api/v1/hotline/messages/abc/",
        "/api/v1/me/",
        "/api/v1/negotiations/documents/1/unknown/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_api_paths_are_the_json_404(api_for, alice, path, method):
    assert_error(getattr(api_for(alice), method)(path), 404, "not_found")
    assert_error(getattr(api_for(), method)(path), 404, "not_found")


def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/directory/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- item 17: unknown query parameters --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/directory/points-of-contact/", {"stat": "KAZ"}),
        ("/api/v1/directory/states/", {"q": "kaz", "ordering": "name"}),
        ("/api/v1/hotline/messages/", {"box": "in", "format": "api"}),
        ("/api/v1/negotiations/documents/", {"page": "2"}),
        ("/api/v1/me", {"x": ""}),
    ],
)
def test_unknown_query_parameters_are_400_naming_them(api_for, api_world, alice, path, query):
    error = assert_error(api_for(alice).get(path, query), 400, "invalid")
    known = {"q", "box", "limit", "offset"}
    assert [d["field"] for d in error["details"]] == [name for name in query if name not in known]


def test_documented_query_parameters_are_accepted(api_for, api_world, bob):
    api = api_for(bob)
    assert (
        api.get(
            "/api/v1/directory/points-of-contact/", {"state": "KAZ", "level": "technical"}
        ).status_code
        == 200
    )
    assert (
        api.get("/api/v1/directory/export", {"format": "csv", "kind": "states"}).status_code == 200
    )
    check = api_world["check"]
    assert api.get(f"/api/v1/hotline/checks/{check.pk}/").status_code == 200


def test_schema_and_docs_pages_keep_their_own_parameters(client, alice):
    client.force_login(alice)
    assert client.get("/api/v1/schema/", {"format": "json"}).status_code == 200


# --- item 17: every export variant the schema allows is served ---------------------------------


def test_every_export_variant_the_schema_allows_is_served(api_for, api_world, alice, schema):
    parameters = schema["paths"]["/api/v1/directory/export"]["get"]["parameters"]
    enums = {p["name"]: p["schema"]["enum"] for p in parameters}
    api = api_for(alice)
    for fmt in enums["format"]:
        for kind in enums["kind"]:
            response = api.get("/api/v1/directory/export", {"format": fmt, "kind": kind})
            assert response.status_code == 200, (fmt, kind, response.content[:200])


def test_csv_of_everything_is_a_zip_of_one_csv_per_kind(api_for, api_world, alice):
    from cbmhub.directory import importexport

    response = api_for(alice).get("/api/v1/directory/export", {"format": "csv", "kind": "all"})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [f"{kind}.csv" for kind in importexport.KINDS]
    assert archive.read("states.csv").decode() == importexport.export_csv("states")


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/directory/points-of-contact/", {"include_inactive": "maybe"}, "include_inactive"),
        ("/api/v1/directory/points-of-contact/", {"level": "ministerial"}, "level"),
        ("/api/v1/directory/export", {"format": "CSV"}, "format"),
        ("/api/v1/hotline/messages/", {"channel": "one"}, "channel"),
    ],
)
def test_query_values_outside_their_schema_are_400_naming_them(
    api_for, api_world, alice, path, query, field
):
    error = assert_error(api_for(alice).get(path, query), 400, "invalid")
    assert [detail["field"] for detail in error["details"]] == [field]


def test_a_required_query_parameter_left_out_is_400_naming_it(api_for, api_world, sam):
    document = api_world["document"]
    response = api_for(sam).get(f"/api/v1/negotiations/documents/{document.pk}/compare/")
    error = assert_error(response, 400, "invalid")
    assert {detail["field"] for detail in error["details"]} == {"old", "new"}


# --- item 17: every error body has the documented shape -----------------------------------------


def test_error_details_always_have_field_and_message(api_for, api_world, sam):
    """A text import that is not UTF-8 named its place (line, offset) but no message."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("text.txt", b"PP1. \xa3 ok", content_type="text/plain")
    document = api_world["document"]
    response = api_for(sam).post(
        f"/api/v1/negotiations/documents/{document.pk}/revisions/",
        {"file": upload, "kind": "rev", "number": 2},
        format="multipart",
    )
    error = assert_error(response, 400, "not_utf8")
    assert error["details"] == [
        {"field": "file", "message": error["message"], "line": 1, "offset": 5}
    ]


def test_every_operation_documents_the_shared_errors(schema):
    for path, method, operation in operations(schema, lambda p, m, o: True):
        codes = set(operation["responses"])
        assert "400" in codes, (method, path)
        if operation.get("security") != [] and "confirm" not in path:
            assert {"401", "403"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method == "delete":
            assert "409" in codes, (method, path)


# --- found by the Schemathesis run on PostgreSQL: NUL characters ---------------------------------


def test_a_nul_character_in_a_json_body_is_400_not_a_database_error(api_for, api_world, sam):
    """PostgreSQL refuses NUL in text: a lookup by acronym with one was a 500 there."""
    body = {"state": "MNG", "organisation": "CI\u0000CA", "status": "member"}
    response = api_for(sam).post("/api/v1/directory/memberships/", body, format="json")
    error = assert_error(response, 400, "parse_error")
    assert "NUL" in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/directory/points-of-contact/?organisation=CI%00CA",
        "/api/v1/directory/states/?q=%00",
        "/api/v1/directory/organisations/CI%00CA/",
    ],
)
def test_a_nul_character_in_the_path_or_query_is_400(api_for, api_world, alice, path):
    error = assert_error(api_for(alice).get(path), 400, "invalid")
    assert "NUL" in error["details"][0]["message"]
