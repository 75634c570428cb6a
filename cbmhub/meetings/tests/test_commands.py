"""``cbmhub meetings import-package``: dry run, JSON, storing, unusable input."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cbmhub.meetings.models import Note

from .conftest import CORPUS_004

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("meetings", *args, stdout=out)
    return out.getvalue()


def test_dry_run_json_stores_nothing(cica, corpus_004):
    data = json.loads(run("import-package", str(CORPUS_004), "--dry-run", "--json"))
    assert data["symbol"] == "SWG/OI/1262" and data["stored"] is False
    assert [v["language"] for v in data["versions"]] == ["en", "ru", "kk"]
    assert len(data["enclosures"]) == 6
    assert data["enclosures"][3]["title"] == "DRAFT ASTANA STATEMENT ON CICA TRANSFORMATION"
    assert data["enclosures"][3]["paragraphs"] == 28
    assert (data["place"], data["date"]) == ("Astana", "2022-10-04")
    assert not Note.objects.exists()


def test_import_stores_then_refuses_a_second_time(cica, corpus_004):
    out = run("import-package", str(CORPUS_004))
    assert "Stored." in out
    note = Note.objects.get()
    assert note.symbol == "SWG/OI/1262" and note.enclosures.count() == 6
    with pytest.raises(CommandError, match="already stored"):
        run("import-package", str(CORPUS_004))


def test_not_a_package(tmp_path, cica):
    path = tmp_path / "plain.txt"
    path.write_text("Nothing here.", encoding="utf-8")
    with pytest.raises(CommandError, match="not a package"):
        run("import-package", str(path), "--dry-run")
    with pytest.raises(CommandError):
        run("import-package", str(tmp_path / "missing.txt"))
