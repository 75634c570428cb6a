"""Step 1 of an import: parse (no database). A CSV or JSON file becomes records, each knowing
where it came from."""

from __future__ import annotations

import csv
import io
import json

from cbmhub.core import jsonbounds
from cbmhub.core.spreadsheet import spreadsheet_unquote

from .records import Problem, Record
from .schema import COLUMNS, JSON_VERSION, KINDS, ImportFormatError

# --- step 1: parse ------------------------------------------------------------------------------


def parse_csv(text: str, *, kind: str) -> tuple[list[Record], list[Problem]]:
    """A CSV file of one kind of record; the first row names the columns."""
    if kind not in COLUMNS:
        raise ImportFormatError(f"Unknown kind {kind!r}; use one of {', '.join(KINDS)}.")
    text = text.removeprefix("\ufeff")  # the byte-order mark spreadsheets write
    known = [column.name for column in COLUMNS[kind]]
    problems: list[Problem] = []
    records: list[Record] = []
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [Problem(None, "", f"Not a readable CSV file: {exc}")]
    if not rows or not any(cell.strip() for cell in rows[0]):
        return [], [Problem(1, "", "The file is empty; the first row must name the columns.")]
    header = [cell.strip().lower() for cell in rows[0]]
    for name in header:
        if name not in known:
            problems.append(Problem(1, name, f"Unknown column; {kind} have: {', '.join(known)}."))
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(1, name, "This column appears twice."))
        seen.add(name)
    for column in COLUMNS[kind]:
        if column.key and column.name not in header:
            problems.append(Problem(1, column.name, "This column is required."))
    if problems:
        return [], problems
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are allowed (and common at the end of a file)
        if len(cells) > len(header):
            problems.append(
                Problem(number, "", f"{len(cells)} cells but only {len(header)} columns.")
            )
            continue
        raw = {
            name: spreadsheet_unquote(cells[index].strip()) if index < len(cells) else ""
            for index, name in enumerate(header)
        }
        records.append(Record(kind, raw, number, "csv"))
    return records, problems


def parse_json(text: str) -> tuple[list[Record], list[Problem]]:
    """A JSON document: ``{"organisations": [...], "states": [...], ...}``, any kinds."""
    try:
        # Bounded (nesting depth, number length): refusals are decode errors with a place.
        # A NUL is refused by the row checks, which name its row and field.
        document = jsonbounds.loads(text, refuse_nul=False)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        return [], [Problem(None, "", f"Not valid JSON ({where}): {exc.msg}", "json")]
    if not isinstance(document, dict):
        return [], [Problem(None, "", "The document must be a JSON object.", "json")]
    problems: list[Problem] = []
    records: list[Record] = []
    for key, value in document.items():
        if key in ("format", "version", "exported_at"):
            continue
        if key not in COLUMNS:
            problems.append(Problem(None, key, f"Unknown key; use {', '.join(KINDS)}.", "json"))
            continue
        if not isinstance(value, list):
            problems.append(Problem(None, key, "Must be a list of objects.", "json"))
            continue
        known = {column.name for column in COLUMNS[key]}
        for index, item in enumerate(value):
            record = Record(key, item if isinstance(item, dict) else {}, index, "json")
            if not isinstance(item, dict):
                problems.append(record.problem("", "Must be an object."))
                continue
            unknown = [name for name in item if name not in known]
            for name in unknown:
                problems.append(record.problem(name, "Unknown field."))
            if not unknown:
                records.append(record)
    version = document.get("version", JSON_VERSION)
    if version != JSON_VERSION:
        problems.insert(
            0, Problem(None, "version", f"Version {JSON_VERSION} is supported.", "json")
        )
    return records, problems


def parse(text: str, *, fmt: str, kind: str | None = None) -> tuple[list[Record], list[Problem]]:
    if fmt == "csv":
        return parse_csv(text, kind=kind or "points_of_contact")
    if fmt == "json":
        return parse_json(text)
    raise ImportFormatError(f"Unknown format {fmt!r}; use csv or json.")
