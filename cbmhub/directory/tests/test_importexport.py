"""Import and export of the directory: problems by row and field, all-or-nothing, round trips,
and the directory_import / directory_export commands."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from cbmhub.conftest import make_poc
from cbmhub.directory import importexport
from cbmhub.directory.models import (
    Body,
    ChangeRecord,
    ContactChannel,
    Membership,
    Organisation,
    PointOfContact,
    State,
    StateAlias,
)

pytestmark = pytest.mark.django_db

# A file with a problem on most rows; row numbers are those a spreadsheet shows (header = 1).
GOLDEN_CSV = """\
state,organisation,level,office,person_name,languages,time_zone,available_24_7,last_verified,channels
KAZ,,technical,National CERT,,"en, RU",Asia/Almaty,1,2024-05-01,*email:c@example.org;phone:+7717201
MNG,,strategic,Foreign Ministry,,en,UTC,no,,email:mfa@example.org
XYZ,,technical,Some CERT,,en,UTC,,,email:x@example.org
KAZ,,diplomatic,MFA,,en,UTC,maybe,2024-13-01,fax
KAZ,,technical,National CERT,,en,UTC,,,
MNG,NOPE,technical,MonCIRT,,en,UTC,,,
KAZ,,high_level,Office,,en,Mars/Olympus,,,
"""

GOLDEN_PROBLEMS = [
    "row 3, field level: “strategic” is not one of: technical, diplomatic, high_level.",
    "row 4, field state: No state has the code “XYZ”.",
    "row 5, field available_24_7: “maybe” is not true or false.",
    "row 5, field last_verified: “2024-13-01” is not a date in the form YYYY-MM-DD.",
    "row 5, field channels: “fax” is not kind:value (for example email:cert@example.org).",
    "row 6, field -: The same record as row 2.",
    "row 7, field organisation: No organisation has the acronym “NOPE”.",
    "row 8, field time_zone: “Mars/Olympus” is not an IANA time zone (for example Asia/Almaty).",
]


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Organisation,
            State,
            StateAlias,
            Body,
            Membership,
            PointOfContact,
            ContactChannel,
            ChangeRecord,
        )
    )


def test_golden_csv_reports_every_problem_and_applies_nothing(root, state_a, state_b):
    before = _counts()
    result = importexport.import_directory(
        actor=root, text=GOLDEN_CSV, fmt="csv", kind="points_of_contact"
    )
    assert [str(problem) for problem in result.problems] == GOLDEN_PROBLEMS
    assert result.problems[0].as_dict() == {
        "row": 3,
        "field": "level",
        "message": "“strategic” is not one of: technical, diplomatic, high_level.",
    }
    assert not result.applied
    assert _counts() == before


def test_the_valid_rows_of_the_golden_file_import(root, state_a, state_b):
    valid = "\n".join(GOLDEN_CSV.splitlines()[:2]) + "\n"
    result = importexport.import_directory(actor=root, text=valid, fmt="csv")
    assert result.problems == [] and result.applied
    poc = PointOfContact.objects.get(office="National CERT")
    assert (poc.languages, poc.time_zone, poc.available_24_7) == ("en,ru", "Asia/Almaty", True)
    assert poc.last_verified == dt.date(2024, 5, 1)
    assert [(c.kind, c.value, c.is_primary) for c in poc.channels.all()] == [
        ("email", "c@example.org", True),
        ("phone", "+7717201", False),
    ]
    assert ChangeRecord.objects.get(model="pointofcontact", object_id=poc.pk).actor == root
    # The same file again changes nothing and writes no history.
    history = ChangeRecord.objects.count()
    again = importexport.import_directory(actor=root, text=valid, fmt="csv")
    assert again.summary["points_of_contact"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert ChangeRecord.objects.count() == history


def test_dry_run_reports_counts_and_applies_nothing(root, state_a):
    valid = "\n".join(GOLDEN_CSV.splitlines()[:2]) + "\n"
    result = importexport.import_directory(actor=root, text=valid, fmt="csv", dry_run=True)
    assert result.problems == [] and not result.applied
    assert result.summary["points_of_contact"]["created"] == 1
    assert not PointOfContact.objects.filter(office="National CERT").exists()


def test_header_problems_are_on_row_1(root):
    result = importexport.import_directory(
        actor=root, text="state,lvl,office\nKAZ,technical,CERT\n", fmt="csv"
    )
    assert [str(p) for p in result.problems] == [
        "row 1, field lvl: Unknown column; points_of_contact have: "
        + ", ".join(c.name for c in importexport.COLUMNS["points_of_contact"])
        + ".",
        "row 1, field level: This column is required.",
    ]


def test_rows_each_service_refuses_are_reported(sam, state_a, state_b):
    # A secretariat officer may import, but each row still meets the rules: points of contact
    # are their states' own, and organisations other than sam's are not sam's to change.
    text = "state,level,office\nKAZ,technical,CERT\n"
    result = importexport.import_directory(actor=sam, text=text, fmt="csv")
    assert [str(p) for p in result.problems] == [
        "row 2, field state: Only a focal point of this state may add its points of contact."
    ]
    text = "acronym,name,kind\nCICA,Renamed,regional\nOSCE,OSCE,regional\n"
    result = importexport.import_directory(actor=sam, text=text, fmt="csv", kind="organisations")
    assert [p.row for p in result.problems] == [3]
    assert Organisation.objects.get(acronym="CICA").name != "Renamed"


def test_import_needs_a_focal_point_secretariat_or_operator(anna, olga):
    from django.core.exceptions import PermissionDenied

    for user in (anna, olga):
        with pytest.raises(PermissionDenied):
            importexport.import_directory(actor=user, text=GOLDEN_CSV, fmt="csv")


def test_json_problems_are_paths(root, state_a):
    document = {
        "states": [
            {"iso3": "IRN", "iso2": "IR", "name": "Iran", "aliases": ["IRAN"]},
            {"iso3": "PSE", "iso2": "PS", "name": "Kazakhstan"},
        ],
        "points_of_contact": [
            {
                "state": "IRN",
                "level": "technical",
                "office": "CERT",
                "channels": [{"kind": "email", "value": ""}],
            },
            {"state": "KAZ", "level": "technical", "office": "CERT", "colour": "red"},
        ],
    }
    result = importexport.import_directory(actor=root, text=json.dumps(document), fmt="json")
    assert [str(p) for p in result.problems] == [
        "points_of_contact[0].channels[0].value: A channel needs a value.",
        "points_of_contact[1].colour: Unknown field.",
        "states[1].name: State with this Name already exists.",
    ]
    assert not State.objects.filter(iso3="IRN").exists()


def test_broken_json_says_where(root):
    result = importexport.import_directory(actor=root, text='{"states": [}', fmt="json")
    assert str(result.problems[0]).startswith("document: Not valid JSON (line 1, column 13)")


@pytest.fixture
def directory(cica, state_a, state_b, swg):
    """A small directory with every kind of record and every field filled somewhere."""
    cica.headquarters = "Astana"
    cica.save()
    Membership.objects.create(
        state=state_b,
        organisation=cica,
        status="chair",
        since=dt.date(2022, 1, 1),
        until=dt.date(2024, 12, 31),
    )
    poc = make_poc(state_a, "technical", "KZ-CERT", organisation=cica)
    PointOfContact.objects.filter(pk=poc.pk).update(
        pgp_fingerprint="A" * 40,
        last_verified=dt.date(2025, 3, 1),
        available_24_7=True,
        notes="Duty desk",
        person_name="Duty officer",
        function="Head",
    )
    ContactChannel.objects.create(
        point_of_contact=poc, kind="phone", value="+7 7172 000002", note="night line"
    )
    make_poc(state_b, "high_level", "Office of the President")
    PointOfContact.objects.filter(state=state_b).update(is_active=False)


def _wipe() -> None:
    PointOfContact.objects.all().delete()
    Membership.objects.all().delete()
    Body.objects.all().delete()
    State.objects.all().delete()
    Organisation.objects.all().delete()


def test_json_round_trip_into_an_empty_directory(directory, root):
    exported = importexport.export(fmt="json")
    _wipe()
    result = importexport.import_directory(actor=root, text=exported, fmt="json")
    assert result.problems == []
    assert result.summary["points_of_contact"]["created"] == 2
    assert importexport.export(fmt="json") == exported
    assert ContactChannel.objects.get(kind="phone").note == "night line"


def test_csv_round_trip_kind_by_kind(directory, root):
    files = {kind: importexport.export(fmt="csv", kind=kind) for kind in importexport.KINDS}
    assert files["points_of_contact"].splitlines()[0].endswith(",notes,channels")
    _wipe()
    for kind in importexport.KINDS:
        result = importexport.import_directory(actor=root, text=files[kind], fmt="csv", kind=kind)
        assert result.problems == [], kind
    assert {kind: importexport.export(fmt="csv", kind=kind) for kind in importexport.KINDS} == files


def test_reimporting_an_export_changes_nothing(directory, root):
    history = ChangeRecord.objects.count()
    result = importexport.import_directory(
        actor=root, text=importexport.export(fmt="json"), fmt="json"
    )
    assert result.problems == []
    assert all(counts["created"] == counts["updated"] == 0 for counts in result.summary.values())
    assert ChangeRecord.objects.count() == history


# --- commands -------------------------------------------------------------------------------


def test_import_command_prints_problems_one_per_line_and_exits_1(tmp_path, root, state_a, state_b):
    path = tmp_path / "pocs.csv"
    path.write_text(GOLDEN_CSV, encoding="utf-8")
    stderr = io.StringIO()
    before = _counts()
    with pytest.raises(CommandError) as caught:
        call_command("directory_import", str(path), "--user", "root", stderr=stderr)
    assert caught.value.returncode == 1
    assert stderr.getvalue().splitlines() == GOLDEN_PROBLEMS
    assert _counts() == before


def test_export_then_import_commands(tmp_path, directory, root):
    path = tmp_path / "directory.json"
    call_command("directory_export", "--format", "json", "--output", str(path))
    _wipe()
    stdout = io.StringIO()
    call_command("directory_import", str(path), "--user", "root", stdout=stdout)
    assert "points_of_contact: 2 created, 0 updated, 0 unchanged" in stdout.getvalue()
    assert PointOfContact.objects.count() == 2


def test_import_command_unknown_user(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("state,level,office\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("directory_import", str(path), "--user", "nobody")
