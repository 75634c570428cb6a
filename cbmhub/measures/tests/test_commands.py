"""`cbmhub measures …`: the outline import, CSV/JSON import and export, reminders."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command

from cbmhub.conftest import shared_path
from cbmhub.core.roles import SYSTEM
from cbmhub.measures import importexport, reminders, services
from cbmhub.measures.models import Measure, Reminder

from .conftest import submit


@pytest.fixture
def admm(asean):
    return services.catalogue_create(
        actor=SYSTEM, organisation=asean, code="admm-wp", title="ADMM work programme"
    )


def run(*args):
    out = io.StringIO()
    call_command("measures", *args, stdout=out)
    return out.getvalue()


def test_import_outline_json_dry_run_writes_nothing(admm):
    path = str(shared_path("corpus/003_189b4ceabe74947f.txt"))
    data = json.loads(run("import-outline", path, "--catalogue", "admm-wp", "--dry-run", "--json"))
    assert len(data["items"]) == 55 and data["diagnostics"] == []
    assert data["items"][2] == {
        "code": "1.1.1",
        "parent": "1.1",
        "text": "Enhance transparency and openness through voluntary briefings on national "
        "defense and security policies, structures, systems and developments",
        "line": 5,
    }
    assert data["counts"] == {"1": 5, "2": 9, "3": 31, "4": 10}
    assert not Measure.objects.filter(catalogue=admm).exists()


def test_import_outline_applies_every_item(admm):
    path = str(shared_path("corpus/003_189b4ceabe74947f.txt"))
    out = run("import-outline", path, "--catalogue", "admm-wp")
    assert "55 created, 0 updated." in out
    leaf = Measure.objects.get(catalogue=admm, code="3.2.2.4")
    assert leaf.parent is not None and leaf.parent.code == "3.2.2" and leaf.depth == 4
    assert "55 created" not in run("import-outline", path, "--catalogue", "admm-wp")


def test_import_outline_unknown_catalogue(db):
    with pytest.raises(Exception, match="No catalogue"):
        run("import-outline", "x.txt", "--catalogue", "nope")


def test_csv_export_import_round_trip(catalogue):
    services.measure_create(actor=SYSTEM, catalogue=catalogue, code="2.2", text="=SUM(A1)")
    text = importexport.export_csv(catalogue)
    assert "'=SUM(A1)" in text
    items = importexport.parse(text.encode(), fmt="csv")
    assert services.catalogue_import_items(actor=SYSTEM, catalogue=catalogue, items=items) == {
        "created": 0,
        "updated": 0,
    }
    assert Measure.objects.get(catalogue=catalogue, code="2.2").text == "=SUM(A1)"


def test_json_round_trip_and_errors_name_the_row(catalogue):
    data = json.loads(importexport.export_json(catalogue))
    data["measures"].append({"code": "9.9", "text": "Orphan"})
    data["measures"].append({"code": "3", "text": ""})
    items = importexport.parse(json.dumps(data).encode(), fmt="json")
    with pytest.raises(services.MeasuresError) as error:
        services.catalogue_import_items(actor=SYSTEM, catalogue=catalogue, items=items)
    assert [(d["row"], d["field"]) for d in error.value.details] == [
        ("measures[5]", "parent"),
        ("measures[6]", "text"),
    ]


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"\xff\xfe", "csv", "not UTF-8"),
        (b"code;text\n1;x\n", "csv", "lacks the column"),
        (b"{", "json", "not valid at line 1"),
        (b"[]", "json", '"measures" list'),
        (b'{"measures": [1]}', "json", r"measures\[0\] is not an object"),
    ],
)
def test_bad_files_are_refused_clearly(data, fmt, message):
    with pytest.raises(services.MeasuresError, match=message):
        importexport.parse(data, fmt=fmt)


def test_reminders_are_sent_once_to_states_that_have_not_filed(
    alice, bob, state_a, state_b, cycle, measure, django_capture_on_commit_callbacks
):
    for code in ("1.2", "2.1"):
        submit(alice, cycle, cycle.catalogue.measures.get(code=code), state_a)
    submit(alice, cycle, measure, state_a)  # A has filed all three leaves; B none
    before = cycle.deadline - datetime.timedelta(days=3)
    with pytest.raises(Exception, match="system"):
        reminders.send_due(actor=alice, today=before)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due(actor=SYSTEM, today=before) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["diplomatic.mng@example.org"]
    assert "Due on 2026-04-15" in mail.outbox[0].subject
    assert reminders.send_due(actor=SYSTEM, today=before) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert run("remind", "--today", "2026-04-20") == "1 reminder(s) sent.\n"
    assert "Overdue" in mail.outbox[1].subject
    assert set(Reminder.objects.values_list("state__iso3", "kind")) == {
        ("MNG", "due"),
        ("MNG", "overdue"),
    }


def test_no_reminder_far_from_the_deadline(bob, cycle):
    assert reminders.send_due(actor=SYSTEM, today=datetime.date(2026, 1, 1)) == 0
    assert reminders.send_due(actor=SYSTEM, today=datetime.date(2026, 12, 1)) == 0


def test_import_outline_creates_the_catalogue_under_an_organisation(asean):
    path = str(shared_path("corpus/003_189b4ceabe74947f.txt"))
    out = run(
        "import-outline",
        path,
        "--catalogue",
        "admm-2008",
        "--organisation",
        "ASEAN",
        "--title",
        "ADMM three-year work programme",
    )
    assert "55 created" in out
    from cbmhub.measures.models import Catalogue

    catalogue = Catalogue.objects.get(code="admm-2008")
    assert (catalogue.organisation, catalogue.title) == (asean, "ADMM three-year work programme")
    assert catalogue.measures.filter(depth=4).count() == 10
