"""The export page (/directory/export/) and the import page (/directory/import/): check, then
apply, through the same importexport library as the API and the commands."""

from __future__ import annotations

import base64
import datetime as dt
import json
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cbmhub.directory import importexport
from cbmhub.directory.forms import IMPORT_MAX_BYTES
from cbmhub.directory.models import ChangeRecord, Membership, PointOfContact, State

from .test_importexport import GOLDEN_CSV

pytestmark = pytest.mark.django_db

EXPORT = "/directory/export/"
IMPORT = "/directory/import/"
STATES_CSV = "iso3,iso2,name,aliases\nLAO,LA,Laos,LAOS\nKAZ,KZ,Kazakhstan,QAZ\n"


def upload(text: str | bytes, name: str = "states.csv") -> SimpleUploadedFile:
    raw = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, raw, content_type="application/octet-stream")


def counts() -> tuple[int, int, int, int]:
    return (
        State.objects.count(),
        PointOfContact.objects.count(),
        Membership.objects.count(),
        ChangeRecord.objects.count(),
    )


def check(client, text: str | bytes, name: str = "states.csv", **fields):
    return client.post(IMPORT, {"file": upload(text, name), "step": "check", **fields})


class _ApplyForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.data: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form":
            self.inside = named.get("data-testid") == "import-apply"
        elif tag == "input" and self.inside and named.get("name") != "csrfmiddlewaretoken":
            self.data[named["name"] or ""] = named.get("value") or ""


def apply_data(response) -> dict:
    """The fields of the Apply form of a check page, read from its HTML as a browser would."""
    parser = _ApplyForm()
    parser.feed(response.content.decode())
    assert parser.data["step"] == "apply"
    return parser.data


# --- export --------------------------------------------------------------------------------------


def test_export_page_shows_the_form(client_for, olga):
    response = client_for(olga).get(EXPORT)
    assert response.status_code == 200
    assert 'data-testid="export-form"' in response.content.decode()


@pytest.mark.parametrize(("fmt", "kind"), [("json", "all"), ("csv", "states"), ("json", "bodies")])
def test_observer_downloads_what_the_library_exports(client_for, olga, alice, bob, fmt, kind):
    response = client_for(olga).get(EXPORT, {"format": fmt, "kind": kind})
    assert response.status_code == 200
    assert response.content.decode() == importexport.export(fmt=fmt, kind=kind)
    today = timezone.localdate().isoformat()
    expected = f"cbmhub-directory-{kind}-{today}.{fmt}"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{expected}\"; filename*=UTF-8''{expected}"
    )
    assert response["Content-Type"].startswith("text/csv" if fmt == "csv" else "application/json")


def test_export_of_points_of_contact_names_them(client_for, olga, alice):
    response = client_for(olga).get(EXPORT, {"format": "csv", "kind": "points_of_contact"})
    assert "cbmhub-directory-points-of-contact-" in response["Content-Disposition"]
    assert "Ministry of Foreign Affairs" in response.content.decode()


def test_export_csv_of_everything_is_refused_with_a_reason(client_for, olga):
    response = client_for(olga).get(EXPORT, {"format": "csv", "kind": "all"})
    assert response.status_code == 400
    assert "Content-Disposition" not in response
    assert response.context["form"].errors["kind"] == [
        "A CSV file holds one kind of record; choose which."
    ]


def test_export_needs_a_login(client):
    response = client.get(EXPORT, {"format": "json", "kind": "all"})
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- links ---------------------------------------------------------------------------------------


def test_nav_shows_import_only_to_those_allowed(client_for, anna, alice, sam):
    page = client_for(anna).get("/directory/").content.decode()
    assert f'href="{EXPORT}"' in page
    assert f'href="{IMPORT}"' not in page
    for user in (alice, sam):  # a focal point imports their state's points of contact
        page = client_for(user).get("/directory/").content.decode()
        assert f'href="{EXPORT}"' in page and f'href="{IMPORT}"' in page


# --- import: who ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["anna", "olga", "carol"])
def test_import_refused_to_pocs_and_observers(client_for, request, persona):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    before = counts()
    assert client.get(IMPORT).status_code == 403
    assert check(client, STATES_CSV).status_code == 403
    assert counts() == before


def test_apply_step_refused_to_a_user_who_may_not_import(client_for, sam, alice, state_a):
    checked = check(client_for(sam), STATES_CSV)
    assert checked.status_code == 200
    data = apply_data(checked)
    before = counts()
    # A focal point may import, but not states: every row is refused and nothing is applied.
    response = client_for(alice).post(IMPORT, data)
    assert response.status_code == 400
    assert [(p.row, p.field) for p in response.context["result"].problems] == [
        (2, "iso3"),
        (3, "iso3"),
    ]
    assert counts() == before
    assert not State.objects.filter(iso3="LAO").exists()


def test_import_needs_a_login(client):
    assert client.get(IMPORT).status_code == 302


# --- import: check -------------------------------------------------------------------------------


def test_secretariat_sees_the_form(client_for, sam):
    response = client_for(sam).get(IMPORT)
    assert response.status_code == 200
    assert 'data-testid="import-form"' in response.content.decode()


def test_a_focal_point_sees_the_form_and_who_may_import_what(client_for, alice):
    response = client_for(alice).get(IMPORT)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="import-form"' in body
    assert "A focal point imports the points of contact of their own state" in body


def test_dry_run_lists_every_problem_with_row_and_field_and_applies_nothing(
    client_for, sam, state_a, state_b
):
    before = counts()
    response = check(client_for(sam), GOLDEN_CSV, "contacts.csv", kind="points_of_contact")
    assert response.status_code == 400
    problems = response.context["result"].problems
    # A secretariat officer may not add a state's points of contact: those rows are refused, and
    # their data problems are reported in the same check (row 8's time zone), not only once an
    # operator imports the file.
    assert [(p.row, p.field) for p in problems] == [
        (2, "state"),
        (3, "level"),
        (4, "state"),
        (5, "available_24_7"),
        (5, "last_verified"),
        (5, "channels"),
        (6, ""),
        (7, "organisation"),
        (8, "state"),
        (8, "time_zone"),
    ]
    body = response.content.decode()
    assert 'data-testid="import-problems"' in body
    assert "<td>3</td><td><code>level</code></td>" in body
    assert "“strategic” is not one of: technical, diplomatic, high_level." in body
    assert "nothing was applied" in body
    assert "apply" not in response.context  # no Apply button when anything is wrong
    assert 'data-testid="import-apply"' not in body
    assert counts() == before


def test_dry_run_counts_what_would_change_and_applies_nothing(client_for, sam, state_a):
    before = counts()
    response = check(client_for(sam), STATES_CSV)
    assert response.status_code == 200
    assert response.context["totals"] == {"created": 1, "updated": 1, "unchanged": 0}
    body = response.content.decode()
    assert "1 records would be created, 1 updated, 0 unchanged." in body
    assert 'data-testid="import-apply"' in body
    assert counts() == before
    assert not State.objects.filter(iso3="LAO").exists()


def test_kind_and_format_come_from_an_exported_file_name(client_for, sam, state_a):
    response = check(client_for(sam), STATES_CSV, "cbmhub-directory-states-2025-01-01.csv")
    assert response.status_code == 200
    assert response.context["checked"]["fmt"] == "csv"
    assert response.context["checked"]["kind"] == "states"


def test_csv_without_a_kind_asks_for_one(client_for, sam):
    response = check(client_for(sam), STATES_CSV, "upload.csv")
    assert response.status_code == 400
    assert response.context["form"].errors["kind"] == [
        "Choose what the rows of this CSV file are; its name does not say."
    ]


def test_unknown_extension_asks_for_the_format(client_for, sam):
    response = check(client_for(sam), STATES_CSV, "states.xlsx", kind="states")
    assert response.status_code == 400
    assert response.context["form"].errors["format"] == [
        "“states.xlsx” does not end in .csv or .json; choose the format."
    ]


def test_non_utf8_file_says_where(client_for, sam):
    raw = "iso3,iso2,name\nLAO,LA,Laos\nCIV,CI,Côte d'Ivoire\n".encode("latin-1")
    before = counts()
    response = check(client_for(sam), raw)
    assert response.status_code == 400
    (message,) = response.context["form"].errors["file"]
    assert message.startswith(
        "“states.csv” is not UTF-8 text: byte 0xf4 on line 3 (byte 36 of the file)"
    )
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert counts() == before


def test_malformed_json_says_where(client_for, sam):
    response = check(client_for(sam), '{"states": [{"iso3": "LAO",}]}', "dir.json")
    assert response.status_code == 400
    (problem,) = response.context["result"].problems
    assert problem.message.startswith("Not valid JSON (line 1, column 28)")
    assert "Not valid JSON (line 1, column 28)" in response.content.decode()


def test_file_over_the_limit_is_refused(client_for, sam):
    response = check(client_for(sam), "x" * (IMPORT_MAX_BYTES + 1))
    assert response.status_code == 400
    assert "the limit is" in response.context["form"].errors["file"][0]


def test_check_without_a_file(client_for, sam):
    response = client_for(sam).post(IMPORT, {"step": "check"})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Choose a file to check."]


# --- import: apply -------------------------------------------------------------------------------


def test_apply_creates_records_and_history(
    client_for, sam, state_a, django_capture_on_commit_callbacks
):
    client = client_for(sam)
    checked = check(client, STATES_CSV)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT, apply_data(checked))
    assert response.status_code == 302
    assert response["Location"] == IMPORT
    laos = State.objects.get(iso3="LAO")
    assert laos.name == "Laos" and list(laos.aliases.values_list("code", flat=True)) == ["LAOS"]
    history = ChangeRecord.objects.filter(actor=sam)
    assert history.filter(model="state", object_repr__contains="Laos").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Import applied: 1 created, 1 updated, 0 unchanged." in page
    assert 'href="/directory/history/"' in page


def test_apply_of_an_exported_json_file_changes_nothing(client_for, sam, alice, bob):
    client = client_for(sam)
    text = importexport.export(fmt="json", kind="all")
    checked = check(client, text, "cbmhub-directory-all.json")
    assert checked.status_code == 200, checked.context["result"].problems
    before = counts()
    response = client.post(IMPORT, apply_data(checked))
    assert response.status_code == 302
    assert counts() == before


def test_apply_with_a_problem_applies_nothing_and_shows_it(client_for, sam, state_a, asean):
    # The apply step checks everything again: a membership of ASEAN is refused to sam (CICA's
    # secretariat), so the whole file is refused even when it arrives as checked content.
    text = "state,organisation,status\nKAZ,ASEAN,member\n"
    raw = text.encode()
    before = counts()
    data = {
        "step": "apply",
        "content": base64.b64encode(raw).decode(),
        "filename": "memberships.csv",
        "format": "csv",
        "kind": "memberships",
    }
    response = client_for(sam).post(IMPORT, data)
    assert response.status_code == 400
    (problem,) = response.context["result"].problems
    assert (problem.row, problem.field) == (2, "organisation")
    assert 'data-testid="import-problems"' in response.content.decode()
    assert counts() == before


def test_apply_with_lost_content_asks_for_the_file_again(client_for, sam):
    data = {"step": "apply", "content": "not base64!", "format": "csv", "kind": "states"}
    response = client_for(sam).post(IMPORT, data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "The checked file did not come back with the form; upload it again."
    ]


def test_json_dates_survive_the_round_trip(client_for, sam, state_a, cica):
    text = json.dumps(
        {
            "memberships": [
                {
                    "state": "KAZ",
                    "organisation": "CICA",
                    "status": "observer",
                    "since": "2020-01-02",
                }
            ]
        }
    )
    client = client_for(sam)
    checked = check(client, text, "m.json")
    assert checked.status_code == 200, checked.context["result"].problems
    client.post(IMPORT, apply_data(checked))
    membership = Membership.objects.get(state=state_a, organisation=cica, status="observer")
    assert membership.since == dt.date(2020, 1, 2)
