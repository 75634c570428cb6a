"""A catalogue's measures as CSV or JSON, both ways, and the import of a text outline.

CSV columns: ``code,parent,dimension,text`` (a header row; rows numbered as in the file, the
header being row 1). JSON: ``{"catalogue": CODE, "measures": [{"code", "parent", "dimension",
"text"}, ...]}``. An import is all or nothing: every problem of every row is reported with its
row (or JSON index) and field, and nothing is written unless there is none
(``services.catalogue_import_items``). Export cells are formula-safe (``core/spreadsheet.py``);
the import undoes that quoting, so an export imported again changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.utils.translation import gettext as _

from cbmhub.core import jsonbounds
from cbmhub.core.spreadsheet import spreadsheet_safe, spreadsheet_unquote

from . import outline
from .models import Catalogue, Measure
from .services import ItemSpec, MeasuresError

COLUMNS = ["code", "parent", "dimension", "text"]
MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("csv", "json", "outline")


def export_rows(catalogue: Catalogue) -> list[dict[str, str]]:
    measures = Measure.objects.filter(catalogue=catalogue).select_related("parent")
    return [
        {
            "code": m.code,
            "parent": m.parent.code if m.parent else "",
            "dimension": m.dimension,
            "text": m.text,
        }
        for m in measures.order_by("sort_key")
    ]


def export_csv(catalogue: Catalogue) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in export_rows(catalogue):
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
    return out.getvalue()


def export_json(catalogue: Catalogue) -> str:
    data = {"catalogue": catalogue.code, "measures": export_rows(catalogue)}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _refuse(message: str, details: list[dict[str, Any]] | None = None) -> MeasuresError:
    return MeasuresError(message, code="invalid", field="file", details=details)


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise _refuse(_("The file is larger than 5 MB."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            _("The file is not UTF-8 text (byte %(offset)d).") % {"offset": exc.start}
        ) from None


def parse_csv(text: str) -> list[ItemSpec]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in ("code", "text") if c not in (reader.fieldnames or [])]
    if missing:
        raise _refuse(_("The CSV header lacks the column(s): %s.") % ", ".join(missing))
    items = []
    try:
        for row in reader:
            cell = {k: spreadsheet_unquote((row.get(k) or "").strip()) for k in COLUMNS}
            items.append(_item(cell, str(reader.line_num)))
    except csv.Error as exc:
        raise _refuse(
            _("The CSV is malformed at line %(line)d: %(error)s.")
            % {
                "line": reader.line_num,
                "error": exc,
            }
        ) from None
    return items


def _item(cell: dict[str, Any], place: str) -> ItemSpec:
    code = str(cell.get("code") or "").strip().strip(".")
    parent = str(cell.get("parent") or "").strip().strip(".") or outline.parent_of(code)
    return ItemSpec(
        code=code,
        parent=parent,
        text=" ".join(str(cell.get("text") or "").split()),
        dimension=str(cell.get("dimension") or "").strip(),
        place=place,
    )


def parse_json(text: str) -> list[ItemSpec]:
    try:
        data = jsonbounds.loads(text)
    except json.JSONDecodeError as exc:
        raise _refuse(
            _("The JSON is not valid at line %(line)d, column %(column)d: %(error)s.")
            % {"line": exc.lineno, "column": exc.colno, "error": exc.msg},
            [{"field": "", "line": exc.lineno, "message": exc.msg}],
        ) from None
    measures = data.get("measures") if isinstance(data, dict) else None
    if not isinstance(measures, list):
        raise _refuse(_('The JSON must be an object with a "measures" list.'))
    items = []
    for index, entry in enumerate(measures):
        if not isinstance(entry, dict):
            raise _refuse(
                _("measures[%(index)d] is not an object.") % {"index": index},
                [{"row": f"measures[{index}]", "field": "", "message": "not an object"}],
            )
        items.append(_item(entry, f"measures[{index}]"))
    return items


def parse_outline_items(text: str) -> tuple[list[ItemSpec], outline.Outline]:
    parsed = outline.parse_outline(text)
    items = [
        ItemSpec(code=i.code, parent=i.parent, text=i.text, place=f"line {i.line}")
        for i in parsed.items
    ]
    return items, parsed


def parse(data: bytes, *, fmt: str) -> list[ItemSpec]:
    """The items of an uploaded file (``fmt``: csv, json or outline)."""
    text = decode(data)
    if fmt == "csv":
        return parse_csv(text)
    if fmt == "json":
        return parse_json(text)
    if fmt == "outline":
        return parse_outline_items(text)[0]
    raise _refuse(_("Unknown format."))
