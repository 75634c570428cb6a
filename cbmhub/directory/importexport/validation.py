"""Step 2 of an import: check (no database). Every field of every record is checked and each
problem is kept with its row, field and message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..choices import ChannelKind
from .cells import parse_channel_cell
from .records import Problem, Record
from .schema import COLUMNS, Column

_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0"}


# --- step 2: check -------------------------------------------------------------------------------


def _check_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ValueError("Must be text.")
    return value.strip()


def _check_choice(value: Any, column: Column) -> str:
    text = _check_text(value).lower()
    if text not in column.choices:
        shown = f"“{text}” is not" if text else "Empty is not"
        raise ValueError(f"{shown} one of: {', '.join(column.choices)}.")
    return text


def _check_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _check_text(value).lower()
    if not text:
        return None  # not given: the default on create, unchanged on update
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"“{text}” is not true or false.")


def _check_date(value: Any) -> dt.date | None:
    text = _check_text(value)
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a date in the form YYYY-MM-DD.") from None


def _check_list(value: Any) -> list[str]:
    if isinstance(value, list):
        items = [_check_text(item) for item in value]
    else:
        items = _check_text(value).replace(",", ";").split(";")
    return [item.strip() for item in items if item.strip()]


def _check_channels(value: Any, record: Record, problems: list[Problem]) -> list[dict] | None:
    if isinstance(value, str) or value is None:
        try:
            items: list[Any] = parse_channel_cell(value or "")
        except ValueError as exc:
            problems.append(record.problem("channels", str(exc)))
            return None
    elif isinstance(value, list):
        items = value
    else:
        problems.append(record.problem("channels", "Must be a list of channels."))
        return None
    channels = []
    kinds = tuple(ChannelKind.values)
    for index, item in enumerate(items):
        where = f"channels[{index}]"
        if not isinstance(item, dict):
            problems.append(record.problem(where, "Must be an object with kind and value."))
            continue
        unknown = set(item) - {"kind", "value", "is_primary", "note"}
        for name in sorted(unknown):
            problems.append(record.problem(f"{where}.{name}", "Unknown field."))
        try:
            kind = _check_choice(item.get("kind"), Column("kind", "choice", choices=kinds))
        except ValueError as exc:
            problems.append(record.problem(f"{where}.kind", str(exc)))
            continue
        try:
            text = _check_text(item.get("value"))
            note = _check_text(item.get("note"))
            primary = bool(_check_bool(item.get("is_primary", False)))
        except ValueError as exc:
            problems.append(record.problem(where, str(exc)))
            continue
        if not text:
            problems.append(record.problem(f"{where}.value", "A channel needs a value."))
            continue
        channels.append({"kind": kind, "value": text, "is_primary": primary, "note": note})
    return channels


def _key(record: Record) -> tuple:
    values = record.values
    if record.kind == "points_of_contact":
        return (
            values["state"].upper(),
            values.get("organisation", "").upper(),
            values["level"],
            values["office"],
            values.get("person_name", ""),
        )
    return tuple(
        str(values.get(column.name, "")).upper() for column in COLUMNS[record.kind] if column.key
    )


_SKIP = object()  # a value that leaves the field as it is (an empty boolean, bad channels)


def _check_value(column: Column, value: Any, record: Record, problems: list[Problem]) -> Any:
    """The checked value of one cell, or _SKIP; raises ValueError with what is wrong."""
    if column.type == "choice":
        return _check_choice(value, column)
    if column.type == "bool":
        checked = _check_bool(value)
        return _SKIP if checked is None else checked
    if column.type == "date":
        return _check_date(value)
    if column.type == "list":
        return _check_list(value)
    if column.type == "channels":
        channels = _check_channels(value, record, problems)
        return _SKIP if channels is None else channels
    return _check_text(value)


def _check_record(record: Record, problems: list[Problem]) -> None:
    for column in COLUMNS[record.kind]:
        if column.name not in record.raw:
            if column.key:
                problems.append(record.problem(column.name, "This field is required."))
            continue
        try:
            checked = _check_value(column, record.raw[column.name], record, problems)
        except ValueError as exc:
            problems.append(record.problem(column.name, str(exc)))
            continue
        if checked is _SKIP:
            continue
        if column.key and checked in ("", None):
            problems.append(record.problem(column.name, "This field is required."))
            continue
        record.values[column.name] = checked


def check(records: list[Record]) -> list[Problem]:
    """Check each field of each record (step 2); fills ``record.values``. No database."""
    problems: list[Problem] = []
    seen: dict[tuple, Record] = {}
    for record in records:
        before = len(problems)
        _check_record(record, problems)
        if len(problems) > before:
            continue
        key = (record.kind, *_key(record))
        if key in seen:
            first = seen[key]
            where = f"row {first.row}" if record.source == "csv" else f"{first.kind}[{first.row}]"
            problems.append(record.problem("", f"The same record as {where}."))
        else:
            seen[key] = record
    return problems
