"""Issue 8, item 2 follow-up: an import never overwrites an edit made while it was planned.

The write transaction locks every row the import updates and compares the values of every column
it writes with those read when planning; a new point of contact must still be new. The first
tests simulate the change between planning and writing on either database; the last ones run two
connections for real on PostgreSQL (READ COMMITTED), where an edit still in flight when the
import checks the history is the race this closes.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib import admin
from django.db import IntegrityError, connection, connections, transaction

from cbmhub.conftest import make_poc
from cbmhub.directory import importexport, services
from cbmhub.directory.importexport import applying, planning, writing
from cbmhub.directory.models import ChangeRecord, Organisation, PointOfContact

_CHANGE_TZ = "state,level,office,time_zone\nKAZ,technical,National CERT A,Asia/Almaty\n"
_NEW_POC = "state,level,office,time_zone\nKAZ,technical,New CERT,Asia/Almaty\n"


def _plan(root, text: str, kind: str = "points_of_contact") -> planning.Plan:
    records, problems = importexport.parse(text, fmt="csv", kind=kind)
    problems += importexport.check(records)
    assert problems == []
    planned = planning.plan(records, actor=root)
    assert planned.problems == []
    return planned


def _edit_after_first_plan(monkeypatch, edit) -> list[int]:
    """Make ``edit()`` run once, between the first planning and its write; returns the list
    that counts the plannings."""
    real_plan = applying.plan
    calls: list[int] = []

    def plan_then_someone_edits(records, *, actor):
        planned = real_plan(records, actor=actor)
        if not calls:
            edit()
        calls.append(1)
        return planned

    monkeypatch.setattr(applying, "plan", plan_then_someone_edits)
    return calls


# --- both databases: the rows changed since planning make the write stale ---------------------


@pytest.mark.django_db
def test_a_column_changed_after_planning_makes_the_write_stale(root, poc_a):
    """A change that leaves no history entry (the mark check cannot see it), in a column the
    file does not name: the bulk UPDATE writes every column, so it would be lost."""
    planned = _plan(root, _CHANGE_TZ)
    PointOfContact.objects.filter(pk=poc_a.pk).update(notes="Call the duty officer first.")
    with pytest.raises(writing.Stale):
        writing.write(planned, actor=root)
    poc_a.refresh_from_db()
    assert poc_a.time_zone == "UTC" and poc_a.notes == "Call the duty officer first."


@pytest.mark.django_db
def test_an_edit_after_planning_is_kept_and_the_import_planned_again(root, poc_a, monkeypatch):
    def edit():
        PointOfContact.objects.filter(pk=poc_a.pk).update(notes="Call the duty officer first.")

    calls = _edit_after_first_plan(monkeypatch, edit)
    result = importexport.import_directory(actor=root, text=_CHANGE_TZ, fmt="csv")
    assert result.applied and len(calls) == 2
    poc_a.refresh_from_db()
    assert poc_a.time_zone == "Asia/Almaty"
    assert poc_a.notes == "Call the duty officer first."  # the concurrent edit is not lost


@pytest.mark.django_db
def test_a_row_deleted_after_planning_makes_the_write_stale(root, poc_a):
    planned = _plan(root, _CHANGE_TZ)
    PointOfContact.objects.filter(pk=poc_a.pk).delete()
    with pytest.raises(writing.Stale):
        writing.write(planned, actor=root)
    assert not ChangeRecord.objects.filter(model="pointofcontact").exists()


@pytest.mark.django_db
def test_an_organisation_changed_after_planning_makes_the_write_stale(root, cica):
    planned = _plan(root, "acronym,name,kind\nCICA,CICA renamed,regional\n", "organisations")
    Organisation.objects.filter(pk=cica.pk).update(name="CICA, renamed elsewhere")
    with pytest.raises(writing.Stale):
        writing.write(planned, actor=root)
    cica.refresh_from_db()
    assert cica.name == "CICA, renamed elsewhere"


@pytest.mark.django_db
def test_an_unchanged_directory_is_written_with_the_rows_locked(root, poc_a):
    planned = _plan(root, _CHANGE_TZ)
    assert planned.seen[PointOfContact][poc_a.pk]["notes"] == ""
    writing.write(planned, actor=root)
    poc_a.refresh_from_db()
    assert poc_a.time_zone == "Asia/Almaty"


@pytest.mark.django_db
def test_a_point_of_contact_added_after_planning_is_matched_not_duplicated(
    root, state_a, monkeypatch
):
    """The database has no unique key for a point of contact: the write checks it is new."""
    calls = _edit_after_first_plan(
        monkeypatch, lambda: make_poc(state_a, "technical", "New CERT", email="n@kz.example")
    )
    result = importexport.import_directory(actor=root, text=_NEW_POC, fmt="csv")
    assert result.applied and len(calls) == 2
    assert result.summary["points_of_contact"] == {"created": 0, "updated": 1, "unchanged": 0}
    poc = PointOfContact.objects.get(office="New CERT")  # one, not two
    assert poc.time_zone == "Asia/Almaty"
    assert [c.value for c in poc.channels.all()] == ["n@kz.example"]


@pytest.mark.django_db
def test_an_organisation_added_after_planning_makes_the_import_plan_again(root, cica, monkeypatch):
    """A unique key in the database: the INSERT fails, and planning again matches the record
    (before: a conflict reported and nothing imported)."""

    def edit():
        Organisation.objects.create(acronym="ASEAN", name="ASEAN", kind="regional")

    calls = _edit_after_first_plan(monkeypatch, edit)
    text = "acronym,name,kind\nASEAN,Association of Southeast Asian Nations,regional\n"
    result = importexport.import_directory(actor=root, text=text, fmt="csv", kind="organisations")
    assert result.problems == [] and result.applied and len(calls) == 2
    assert Organisation.objects.get(acronym="ASEAN").name.startswith("Association")


@pytest.mark.django_db
def test_a_lasting_conflict_is_reported_not_raised(root, cica, monkeypatch):
    def always_conflicts(plan, *, actor):
        raise IntegrityError("clash")

    monkeypatch.setattr(applying, "write", always_conflicts)
    text = "acronym,name,kind\nASEAN,ASEAN,regional\n"
    result = importexport.import_directory(actor=root, text=text, fmt="csv", kind="organisations")
    assert not result.applied
    assert [p.message for p in result.problems] == [
        "A record conflicts with one changed while importing; check again."
    ]


# --- PostgreSQL: two connections, an edit in flight while the import writes --------------------

_on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers (BEGIN IMMEDIATE): no edit can be in flight while the "
    "import writes; the race exists only on PostgreSQL",
)


def _someone_waits_for_a_lock(cursor) -> bool:
    # Another backend waits for a lock this one holds (other databases on the server ignored);
    # pg_locks is read afresh at each call, unlike pg_stat_activity within a transaction.
    cursor.execute(
        "SELECT count(*) FROM pg_locks"
        " WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
    )
    return cursor.fetchone()[0] > 0


class _InFlight(threading.Thread):
    """On its own connection: runs ``edit()`` in a transaction, says so, and commits only once
    another connection waits for one of its locks (or after a few seconds, so that the test
    ends even on code that does not wait)."""

    def __init__(self, edit):
        super().__init__(daemon=True)
        self.edit = edit
        self.held = threading.Event()
        self.waited = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                self.edit()
                self.held.set()
                with connection.cursor() as cursor:
                    deadline = time.monotonic() + 5
                    while time.monotonic() < deadline:
                        if _someone_waits_for_a_lock(cursor):
                            self.waited = True
                            break
                        time.sleep(0.02)
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            self.held.set()
            connections.close_all()


def _run_while_in_flight(edit, text: str, root):
    editor = _InFlight(edit)
    editor.start()
    assert editor.held.wait(10)
    result = importexport.import_directory(actor=root, text=text, fmt="csv")
    editor.join(10)
    assert editor.error is None, editor.error
    return result, editor


@_on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_edit_in_flight_while_the_import_writes_is_not_lost(root, poc_a, alice, monkeypatch):
    calls = _edit_after_first_plan(monkeypatch, lambda: None)

    def edit():
        services.point_of_contact_update(
            actor=alice, point_of_contact=poc_a, notes="Call the duty officer first."
        )

    result, editor = _run_while_in_flight(edit, _CHANGE_TZ, root)
    assert result.applied
    poc_a.refresh_from_db()
    assert poc_a.notes == "Call the duty officer first."  # before: overwritten with ""
    assert poc_a.time_zone == "Asia/Almaty"
    # The import planned before the edit committed, passed the history check (the edit's entry
    # was not committed yet), waited for the row's lock, saw the edit, and planned again.
    assert editor.waited and len(calls) == 2
    entries = ChangeRecord.objects.filter(model="pointofcontact", object_id=poc_a.pk)
    assert [e.changes for e in entries.order_by("id")] == [
        {"notes": ["", "Call the duty officer first."]},
        {"time_zone": ["UTC", "Asia/Almaty"]},
    ]


@_on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_point_of_contact_added_in_flight_is_not_duplicated(root, state_a, alice, monkeypatch):
    calls = _edit_after_first_plan(monkeypatch, lambda: None)

    def edit():
        services.point_of_contact_create(
            actor=alice, state=state_a, level="technical", office="New CERT", notes="By hand."
        )

    result, editor = _run_while_in_flight(edit, _NEW_POC, root)
    assert result.applied
    poc = PointOfContact.objects.get(office="New CERT")  # one, not two (before: a duplicate)
    assert poc.notes == "By hand." and poc.time_zone == "Asia/Almaty"
    # The import waited for the point of contact being added, found it, and planned again.
    assert editor.waited and len(calls) == 2


@_on_postgresql
@pytest.mark.django_db(transaction=True)
def test_adding_a_point_of_contact_in_the_admin_waits_for_an_import_adding_to_its_state(
    root, state_a, rf
):
    """The admin adds a point of contact without the services: it takes the same lock."""

    def an_import_checks_its_new_points_of_contact():
        services.point_of_contact_insert_lock(state_ids=[state_a.pk], exclusive=True)

    importing = _InFlight(an_import_checks_its_new_points_of_contact)
    importing.start()
    assert importing.held.wait(10)
    request = rf.post("/admin/directory/pointofcontact/add/")
    request.user = root
    added = PointOfContact(state=state_a, level="technical", office="Added in the admin")
    with transaction.atomic():  # as the admin's add view
        admin.site._registry[PointOfContact].save_model(request, added, None, False)
    importing.join(10)
    assert importing.error is None, importing.error
    assert importing.waited
    assert PointOfContact.objects.filter(office="Added in the admin").count() == 1
