"""Reading a scenario's timeline from text: offsets, expectations, recipients, rows of a
spreadsheet. Pure (no Django): the import service validates with it and reports every problem
by row and column; the command line and tests use it alone."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from cbmhub.core.spreadsheet import spreadsheet_unquote

COLUMNS = ("offset", "kind", "recipients", "text", "expectation")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d{1,6})\s*([dhms])", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,4}):([0-5]\d)(?::([0-5]\d))?$")
MAX_OFFSET = timedelta(days=30)
MAX_ROWS = 500
MAX_FILE_BYTES = 2 * 1024 * 1024
# Headers people write for the same column.
ALIASES = {
    "inject kind": "kind",
    "inject_kind": "kind",
    "type": "kind",
    "expectations": "expectation",
}


class PlanError(ValueError):
    """A value that cannot be read; ``str()`` says what is expected."""


def parse_duration(text: str) -> timedelta:
    """ "90" (minutes), "1h30m", "2d", "45s", "1:30" (h:mm) or "1:30:15" (h:mm:ss)."""
    value = (text or "").strip()
    if not value:
        raise PlanError("empty; give minutes (90), 1h30m or h:mm")
    if value.isdigit() and len(value) <= 6:
        return timedelta(minutes=int(value))
    clock = _CLOCK.match(value)
    if clock:
        hours, minutes, seconds = clock.groups()
        return timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    compact = value.replace(" ", "")
    parts = _PART.findall(compact)
    if not parts or "".join(n + u for n, u in parts).lower() != compact.lower():
        raise PlanError(f"{value!r} is not a duration; give minutes (90), 1h30m or h:mm")
    return timedelta(seconds=sum(int(n) * _UNIT[u.lower()] for n, u in parts))


def parse_expectations(text: str, kinds: set[str]) -> list[tuple[str, timedelta]]:
    """ "acknowledge 15m; reply 2h" → [("acknowledge", 15 min), ("reply", 2 h)]."""
    found: list[tuple[str, timedelta]] = []
    for part in re.split(r"[;\n]", text or ""):
        words = part.strip().split(None, 1)
        if not words:
            continue
        kind = words[0].lower()
        if kind not in kinds:
            raise PlanError(f"unknown expectation {words[0]!r}; one of {', '.join(sorted(kinds))}")
        if len(words) < 2:
            raise PlanError(f"{kind}: give the time it must be done within, e.g. {kind} 30m")
        within = parse_duration(words[1])
        if within <= timedelta(0):
            raise PlanError(f"{kind}: the time must be longer than zero")
        if any(k == kind for k, _ in found):
            raise PlanError(f"{kind} is given twice")
        found.append((kind, within))
    return found


def parse_codes(text: str) -> list[str]:
    """ "KAZ, MNG; THA" → ["KAZ", "MNG", "THA"]; "" or "all" → [] (every participant)."""
    codes = [c.upper() for c in re.split(r"[\s,;]+", text or "") if c]
    return [] if codes in ([], ["ALL"]) else codes


def split_text(text: str) -> tuple[str, str]:
    """The first line is the subject, the rest the body."""
    lines = (text or "").strip().splitlines()
    if not lines:
        return "", ""
    return lines[0].strip(), "\n".join(lines[1:]).strip()


@dataclass
class PlannedRow:
    row: int
    offset: timedelta
    kind: str
    codes: list[str]
    subject: str
    body: str
    expectations: list[tuple[str, timedelta]]


@dataclass
class PlanResult:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[dict[str, object]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "field": column, "message": message})


def read_rows(
    rows: list[dict[str, str]],
    *,
    kinds: set[str],
    expectation_kinds: set[str],
    first_row: int = 2,
) -> PlanResult:
    """Every row checked, every problem named by row (as a spreadsheet numbers it: the header
    is row 1) and column; nothing is kept when one row is wrong (the caller writes all or
    nothing)."""
    result = PlanResult()
    if len(rows) > MAX_ROWS:
        result.error(0, "", f"at most {MAX_ROWS} rows")
        return result
    for number, raw in enumerate(rows, start=first_row):
        if not any((v or "").strip() for v in raw.values()):
            continue  # a blank row (common at the end of a file); the numbering stays
        planned = _read_row(number, raw, kinds, expectation_kinds, result)
        if planned is not None:
            result.rows.append(planned)
    if not result.rows and not result.errors:
        result.error(0, "", "the file has no rows under its header")
    return result


def _read_row(
    number: int,
    raw: dict[str, str],
    kinds: set[str],
    expectation_kinds: set[str],
    result: PlanResult,
) -> PlannedRow | None:
    before = len(result.errors)
    offset = timedelta(0)
    try:
        offset = parse_duration(raw.get("offset", ""))
        if offset > MAX_OFFSET:
            raise PlanError("at most 30 days after the start")
    except PlanError as exc:
        result.error(number, "offset", str(exc))
    kind = (raw.get("kind") or "").strip().lower().replace(" ", "_")
    if kind not in kinds:
        result.error(
            number, "kind", f"unknown inject kind {kind!r}; one of {', '.join(sorted(kinds))}"
        )
    subject, body = split_text(raw.get("text", ""))
    if not subject:
        result.error(number, "text", "empty; the first line is the subject")
    elif len(subject) > 180:
        result.error(number, "text", "the first line (the subject) is longer than 180 characters")
    expectations: list[tuple[str, timedelta]] = []
    try:
        expectations = parse_expectations(raw.get("expectation", ""), expectation_kinds)
    except PlanError as exc:
        result.error(number, "expectation", str(exc))
    if len(result.errors) > before:
        return None
    return PlannedRow(
        number, offset, kind, parse_codes(raw.get("recipients", "")), subject, body, expectations
    )


# --- files: CSV and XLSX -------------------------------------------------------------------------


def read_file(data: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file (the first sheet) as ``{column: text}``; the first row
    names the columns (COLUMNS; "inject kind" is read as "kind"). Raises PlanError naming the
    row and column of what cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        raise PlanError(f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        table = _xlsx_rows(data)
    else:
        table = _csv_rows(data)
    return _records(table)


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanError(f"not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from exc
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise PlanError(f"not a readable CSV file: {exc}") from exc


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl  # type: ignore[import-untyped]  # noqa: PLC0415 - only for spreadsheets

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise PlanError(f"not a readable XLSX file: {exc}") from exc
    sheet = book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2):
        rows.append([_cell_text(value) for value in row])
    book.close()
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())}s"
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}:{value.second:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _records(table: list[list[str]]) -> list[dict[str, str]]:
    if not table or not any(str(c).strip() for c in table[0]):
        raise PlanError("row 1: the first row must name the columns " + ", ".join(COLUMNS))
    header = [ALIASES.get(c.strip().lower(), c.strip().lower()) for c in table[0]]
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        raise PlanError(f"row 1: unknown column(s) {', '.join(unknown)}; use {', '.join(COLUMNS)}")
    missing = [c for c in ("offset", "kind", "text") if c not in header]
    if missing:
        raise PlanError(f"row 1: missing column(s) {', '.join(missing)}")
    rows = []
    for cells in table[1:]:
        rows.append(
            {
                name: spreadsheet_unquote(str(cells[i]).strip()) if i < len(cells) else ""
                for i, name in enumerate(header)
                if name
            }
        )
    return rows
