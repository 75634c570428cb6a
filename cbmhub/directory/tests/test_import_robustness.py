"""Directory import under load and bad input: a dry run writes nothing and opens no
transaction, a real import writes in a few bulk statements (the write lock is held briefly),
problems are matched to records in linear time, one size limit for every way in, NUL
characters refused, and a plan that went stale is made again."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbmhub.directory import importexport, services
from cbmhub.directory.importexport import applying, planning
from cbmhub.directory.importexport.records import Problem, Record
from cbmhub.directory.models import (
    CHANGE_RECORD_FIELDS,
    ChangeRecord,
    ContactChannel,
    PointOfContact,
)

pytestmark = pytest.mark.django_db

_WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN", "RELEASE")


def _pocs_csv(count: int, state: str = "KAZ") -> str:
    rows = [f"{state},technical,CERT {n:05d},*email:c{n}@kz.example" for n in range(count)]
    return "state,level,office,channels\n" + "\n".join(rows) + "\n"


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper()[:9].startswith(_WRITES)
    ]


# --- 8.2: the dry run reads only; the real import writes in one short transaction --------------


def test_a_dry_run_opens_no_transaction_and_writes_nothing(root, state_a):
    with CaptureQueriesContext(connection) as queries:
        result = importexport.import_directory(
            actor=root, text=_pocs_csv(50), fmt="csv", dry_run=True
        )
    assert result.problems == [] and result.summary["points_of_contact"]["created"] == 50
    # No SAVEPOINT either: on SQLite (BEGIN IMMEDIATE) any atomic block takes the write lock.
    assert _writes(queries) == []
    assert not PointOfContact.objects.filter(office__startswith="CERT ").exists()


def test_a_real_import_writes_in_bulk_not_per_record(root, state_a):
    """600 new points of contact: a bounded number of statements (batches of 500), not several
    per record as when every record went through the services in its own savepoint."""
    with CaptureQueriesContext(connection) as queries:
        result = importexport.import_directory(actor=root, text=_pocs_csv(600), fmt="csv")
    assert result.applied and result.summary["points_of_contact"]["created"] == 600
    # SQLite binds at most 999 values a statement, so ~60 rows an INSERT: some 22 statements
    # in all, where one savepoint and a service call per record made over 3,000.
    assert len(_writes(queries)) <= 40
    assert PointOfContact.objects.filter(office__startswith="CERT ").count() == 600
    assert ContactChannel.objects.filter(value__endswith="@kz.example").count() == 600
    created = ChangeRecord.objects.filter(model="pointofcontact", action="create")
    assert created.count() == 600
    entry = created.get(object_repr__endswith="CERT 00007")
    assert entry.state == state_a and entry.actor == root
    assert entry.changes["office"] == [None, "CERT 00007"]
    assert entry.changes["channels"] == [[], ["email:c7@kz.example"]]


def test_an_update_keeps_the_history_the_services_write(root, state_a):
    importexport.import_directory(actor=root, text=_pocs_csv(3), fmt="csv")
    text = (
        "state,level,office,time_zone,channels\n"
        "KAZ,technical,CERT 00001,Asia/Almaty,*email:new@kz.example\n"
    )
    result = importexport.import_directory(actor=root, text=text, fmt="csv")
    assert result.applied and result.summary["points_of_contact"]["updated"] == 1
    poc = PointOfContact.objects.get(office="CERT 00001")
    assert poc.time_zone == "Asia/Almaty"
    assert [c.value for c in poc.channels.all()] == ["new@kz.example"]
    entry = ChangeRecord.objects.filter(model="pointofcontact", action="update").get()
    assert entry.changes == {
        "time_zone": ["UTC", "Asia/Almaty"],
        "channels": [["email:c1@kz.example"], ["email:new@kz.example"]],
    }


def test_an_import_writes_the_history_entry_a_service_writes(root, state_a):
    """The bulk writer is not the services (docs/directory-import.md says why), so its history
    must be theirs: the same record made both ways leaves the same entry."""
    services.point_of_contact_create(
        actor=root,
        state=state_a,
        level="technical",
        office="CERT S",
        channels=[{"kind": "email", "value": "c@kz.example", "is_primary": True}],
    )
    by_service = ChangeRecord.objects.get(model="pointofcontact")
    PointOfContact.objects.all().delete()
    text = "state,level,office,channels\nKAZ,technical,CERT S,*email:c@kz.example\n"
    assert importexport.import_directory(actor=root, text=text, fmt="csv").applied
    by_import = ChangeRecord.objects.exclude(pk=by_service.pk).get(model="pointofcontact")
    same = [name for name in CHANGE_RECORD_FIELDS if name not in ("at", "object_id")]
    assert {name: getattr(by_import, name) for name in same} == {
        name: getattr(by_service, name) for name in same
    }


def test_a_change_made_while_the_import_was_planned_makes_it_plan_again(root, state_a, monkeypatch):
    real_plan = applying.plan
    calls: list[int] = []

    def plan_then_someone_edits(records, *, actor):
        planned = real_plan(records, actor=actor)
        if not calls:  # another user changes the directory between planning and writing
            services.state_update(actor=root, state=state_a, official_name="Republic")
        calls.append(1)
        return planned

    monkeypatch.setattr(applying, "plan", plan_then_someone_edits)
    result = importexport.import_directory(actor=root, text=_pocs_csv(2), fmt="csv")
    assert result.applied and len(calls) == 2
    assert PointOfContact.objects.filter(office__startswith="CERT ").count() == 2


# --- 8.7: linear matching of problems to records; one size limit ------------------------------


class _CountingProblem(Problem):
    reads = 0

    def __getattribute__(self, name):
        if name in ("row", "field", "source"):
            type(self).reads += 1
        return super().__getattribute__(name)


def test_records_are_matched_to_problems_in_linear_time():
    """Each problem is looked at a constant number of times, however many records there are
    (the old check scanned every problem for every record: 32,000 duplicates took 25 s)."""
    count = 2000
    records = [Record("points_of_contact", {}, row, "csv") for row in range(2, count + 2)]
    problems: list[Problem] = [
        _CountingProblem(row, "", "The same record as row 2.") for row in range(3, count + 2)
    ]
    _CountingProblem.reads = 0
    kept = applying._without_problems(records, problems)
    assert [record.row for record in kept] == [2]
    assert _CountingProblem.reads <= 4 * count


def test_thousands_of_duplicate_rows_are_each_reported(root, state_a):
    row = "KAZ,technical,CERT,*email:c@kz.example"
    text = "state,level,office,channels\n" + "\n".join([row] * 3000) + "\n"
    result = importexport.import_directory(actor=root, text=text, fmt="csv", dry_run=True)
    assert len(result.problems) == 2999
    assert str(result.problems[-1]) == "row 3001, field -: The same record as row 2."


def test_one_size_limit_for_the_library_the_api_and_the_command(root, api_for, tmp_path):
    limit = importexport.IMPORT_MAX_BYTES
    text = "state,level,office\n" + "x" * limit
    with pytest.raises(importexport.ImportTooLarge):
        importexport.import_directory(actor=root, text=text, fmt="csv")
    upload = SimpleUploadedFile("big.csv", text.encode(), content_type="text/csv")
    response = api_for(root).post("/api/v1/directory/import", {"file": upload}, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_too_large"
    assert error["message"] == f"“big.csv” is {len(text)} bytes; the limit is {limit}."
    path = tmp_path / "big.csv"
    path.write_text(text)
    with pytest.raises(CommandError, match=f"larger than the limit of {limit} bytes"):
        call_command("directory_import", str(path), "--user", "root", stderr=io.StringIO())


def test_bodies_in_a_long_chain_are_ordered_parent_first(root, cica):
    """Ordering a body after its parent is linear too (it compared lists of records)."""
    rows = ["CICA,Group 0,working_group,"] + [
        f"CICA,Group {n},working_group,Group {n - 1}" for n in range(1, 300)
    ]
    text = "organisation,name,kind,parent\n" + "\n".join(reversed(rows)) + "\n"
    result = importexport.import_directory(actor=root, text=text, fmt="csv", kind="bodies")
    assert result.problems == [] and result.summary["bodies"]["created"] == 300


# --- 8.14: NUL characters are refused on every way in -------------------------------------------


def test_an_import_refuses_a_nul_character_with_its_row_and_field(root, state_a):
    text = "state,level,office,notes\nKAZ,technical,CERT,Night\x00shift\n"
    result = importexport.import_directory(actor=root, text=text, fmt="csv")
    assert [str(p) for p in result.problems] == [
        "row 2, field notes: Contains a NUL character (U+0000) at position 6; remove it."
    ]
    assert not PointOfContact.objects.filter(office="CERT").exists()


def test_a_json_import_refuses_a_nul_character_in_a_channel(root, state_a):
    document = (
        '{"points_of_contact": [{"state": "KAZ", "level": "technical", "office": "CERT",'
        ' "channels": [{"kind": "other", "value": "desk\\u0000 7"}]}]}'
    )
    result = importexport.import_directory(actor=root, text=document, fmt="json")
    assert [p.field for p in result.problems] == ["points_of_contact[0].channels[0].value"]


def test_the_services_refuse_a_nul_character(alice, state_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.point_of_contact_create(
            actor=alice, state=state_a, level="technical", office="CERT\x00"
        )
    assert "office" in caught.value.message_dict


def test_planning_reads_the_directory_a_constant_number_of_times(root, state_a):
    for count in (5, 50):
        records, problems = importexport.parse(_pocs_csv(count), fmt="csv")
        assert importexport.check(records) == [] and problems == []
        with CaptureQueriesContext(connection) as queries:
            planning.plan(records, actor=root)
        if count == 5:
            few = len(queries)
    assert len(queries) == few


def test_the_same_point_of_contact_under_two_codes_of_its_state_is_reported(root, state_a):
    text = "state,level,office\nKAZ,technical,CERT\nKZ,technical,CERT\n"
    result = importexport.import_directory(actor=root, text=text, fmt="csv")
    assert [(p.row, p.field) for p in result.problems] == [(3, "")]
    assert not PointOfContact.objects.filter(office="CERT").exists()


def test_new_and_changed_points_of_contact_in_one_import_get_their_own_rows(root, state_a, cica):
    importexport.import_directory(actor=root, text=_pocs_csv(3), fmt="csv")
    text = (
        "state,organisation,level,office,notes,channels\n"
        "KAZ,,technical,CERT 00000,changed,*email:c0@kz.example\n"
        "KAZ,CICA,technical,CERT 00000,new for CICA,phone:+7 7172 000000\n"
        "KAZ,,diplomatic,CERT 00000,new level,\n"
    )
    result = importexport.import_directory(actor=root, text=text, fmt="csv")
    assert result.applied, result.problems
    assert result.summary["points_of_contact"] == {"created": 2, "updated": 1, "unchanged": 0}
    rows = PointOfContact.objects.filter(office="CERT 00000").order_by("id")
    assert [(p.organisation_id, p.level, p.notes) for p in rows] == [
        (None, "technical", "changed"),
        (cica.pk, "technical", "new for CICA"),
        (None, "diplomatic", "new level"),
    ]
    assert [c.value for c in rows[1].channels.all()] == ["+7 7172 000000"]
    assert [c.value for c in rows[0].channels.all()] == ["c0@kz.example"]
    for poc in rows:
        assert ChangeRecord.objects.filter(model="pointofcontact", object_id=poc.pk).exists()


def test_a_point_of_contact_named_by_a_code_the_same_file_adds_is_matched(root, state_a):
    importexport.import_directory(actor=root, text=_pocs_csv(1), fmt="csv")
    document = (
        '{"states": [{"iso3": "KAZ", "aliases": ["QAZ"]}],'
        ' "points_of_contact": [{"state": "QAZ", "level": "technical", "office": "CERT 00000",'
        ' "notes": "via the new code"}]}'
    )
    result = importexport.import_directory(actor=root, text=document, fmt="json")
    assert result.applied, result.problems
    assert result.summary["points_of_contact"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert PointOfContact.objects.get(office="CERT 00000").notes == "via the new code"


def test_planning_reads_only_the_points_of_contact_of_the_states_in_the_file(
    root, state_a, state_b
):
    importexport.import_directory(actor=root, text=_pocs_csv(3, "MNG"), fmt="csv")
    records, _ = importexport.parse(_pocs_csv(2), fmt="csv")
    importexport.check(records)
    planner = planning.Planner(root, {"KAZ"})
    assert {key[0] for key in planner.pocs} <= {"KAZ"}
