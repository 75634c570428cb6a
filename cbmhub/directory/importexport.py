"""Import and export of the directory as CSV (one kind of record per file) or JSON (everything in
one document). docs/directory-import.md describes the columns and the JSON shape.

An import runs in three steps:

1. *parse* (no database): the file becomes records, each knowing where it came from — the CSV
   row as numbered in the file (the header is row 1) or the JSON path (``states[2]``);
2. *check* (no database): every field of every record is checked (choices, dates, booleans,
   channels, duplicate keys) and each problem is kept with its row, field and message;
3. *apply* (one transaction): every record goes through the directory services, so that the
   permission rules, the model validation and the history are the same as in the UI and the
   API. Each record runs in its own savepoint, so a refused record does not hide the problems of
   the records after it. If there is any problem — or it is a dry run — the whole transaction
   is rolled back: nothing is applied.

Records are matched to existing ones by their natural key (organisation acronym, state ISO
alpha-3, body name within its organisation, membership state + organisation + status, point of
contact state + organisation + level + office + person name), so importing an export again
changes nothing, and an import never deletes anything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from . import permissions, selectors, services, validators
from .choices import BodyKind, ChannelKind, Level, MembershipStatus, OrganisationKind
from .models import Body, Membership, Organisation, PointOfContact, State

FORMATS = ("csv", "json")
# Also the order in which an import applies them: what a record refers to comes first.
KINDS = ("organisations", "states", "bodies", "memberships", "points_of_contact")
JSON_FORMAT_NAME = "cbmhub-directory"
JSON_VERSION = 1


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"  # text | choice | bool | date | list | channels
    key: bool = False  # part of the natural key: required in every record
    choices: tuple[str, ...] = ()


COLUMNS: dict[str, list[Column]] = {
    "organisations": [
        Column("acronym", key=True),
        Column("name"),
        Column("kind", "choice", choices=tuple(OrganisationKind.values)),
        Column("description"),
        Column("website"),
        Column("headquarters"),
    ],
    "states": [
        Column("iso3", key=True),
        Column("iso2"),
        Column("name"),
        Column("official_name"),
        Column("aliases", "list"),
    ],
    "bodies": [
        Column("organisation", key=True),
        Column("name", key=True),
        Column("acronym"),
        Column("kind", "choice", choices=tuple(BodyKind.values)),
        Column("parent"),
        Column("description"),
    ],
    "memberships": [
        Column("state", key=True),
        Column("organisation", key=True),
        Column("status", "choice", key=True, choices=tuple(MembershipStatus.values)),
        Column("since", "date"),
        Column("until", "date"),
    ],
    "points_of_contact": [
        Column("state", key=True),
        Column("organisation"),
        Column("level", "choice", key=True, choices=tuple(Level.values)),
        Column("office", key=True),
        Column("function"),
        Column("person_name"),
        Column("languages"),
        Column("time_zone"),
        Column("available_24_7", "bool"),
        Column("pgp_fingerprint"),
        Column("last_verified", "date"),
        Column("is_active", "bool"),
        Column("notes"),
        Column("channels", "channels"),
    ],
}

_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0"}


class ImportFormatError(ValueError):
    """The request names a format or kind that does not exist (not a problem in the file)."""


# --- problems and records -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import: where (CSV row and column, or JSON path) and what."""

    row: int | None
    field: str
    message: str
    source: str = "csv"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        if self.source == "json":
            return f"{self.field or 'document'}: {self.message}"
        if self.row is None:
            return f"field {self.field}: {self.message}"
        return f"row {self.row}, field {self.field or '-'}: {self.message}"


@dataclass
class Record:
    """One row of a CSV file or one object of a JSON list, with its place in the file."""

    kind: str
    raw: dict[str, Any]
    row: int  # CSV: row in the file (header = 1); JSON: index in its list
    source: str
    values: dict[str, Any] = field(default_factory=dict)  # checked values, after step 2

    def problem(self, field_name: str, message: str) -> Problem:
        if self.source == "json":
            path = f"{self.kind}[{self.row}]"
            return Problem(
                self.row, f"{path}.{field_name}" if field_name else path, message, "json"
            )
        # A CSV file shows a nested path (channels[1].value) in its one cell: channels.
        column = field_name.split("[", 1)[0].split(".", 1)[0]
        if column != field_name:
            message = f"{field_name}: {message}"
        return Problem(self.row, column, message, "csv")


@dataclass
class ImportResult:
    problems: list[Problem]
    summary: dict[str, dict[str, int]]
    applied: bool
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.problems


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
            name: _unquote_cell(cells[index].strip()) if index < len(cells) else ""
            for index, name in enumerate(header)
        }
        records.append(Record(kind, raw, number, "csv"))
    return records, problems


def parse_json(text: str) -> tuple[list[Record], list[Problem]]:
    """A JSON document: ``{"organisations": [...], "states": [...], ...}``, any kinds."""
    try:
        document = json.loads(text)
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


def parse_channel_cell(text: str) -> list[dict[str, Any]]:
    """``*email:cert@example.org; phone:+1 555 0100`` → channels; ``*`` marks the primary."""
    channels = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        primary = part.startswith("*")
        kind, sep, value = part.lstrip("*").partition(":")
        if not sep:
            raise ValueError(f"“{part}” is not kind:value (for example email:cert@example.org).")
        channels.append(
            {
                "kind": kind.strip().lower(),
                "value": value.strip(),
                "is_primary": primary,
                "note": "",
            }
        )
    return channels


def format_channel_cell(channels: Iterable[dict[str, Any]]) -> str:
    return "; ".join(
        f"{'*' if channel['is_primary'] else ''}{channel['kind']}:{channel['value']}"
        for channel in channels
    )


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


def check(records: list[Record]) -> list[Problem]:
    """Check each field of each record (step 2); fills ``record.values``. No database."""
    problems: list[Problem] = []
    seen: dict[tuple, Record] = {}
    for record in records:
        before = len(problems)
        for column in COLUMNS[record.kind]:
            if column.name not in record.raw:
                if column.key:
                    problems.append(record.problem(column.name, "This field is required."))
                continue
            value = record.raw[column.name]
            try:
                if column.type == "choice":
                    checked: Any = _check_choice(value, column)
                elif column.type == "bool":
                    checked = _check_bool(value)
                    if checked is None:
                        continue
                elif column.type == "date":
                    checked = _check_date(value)
                elif column.type == "list":
                    checked = _check_list(value)
                elif column.type == "channels":
                    checked = _check_channels(value, record, problems)
                    if checked is None:
                        continue
                else:
                    checked = _check_text(value)
            except ValueError as exc:
                problems.append(record.problem(column.name, str(exc)))
                continue
            if column.key and checked in ("", None):
                problems.append(record.problem(column.name, "This field is required."))
                continue
            record.values[column.name] = checked
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


# --- step 3: apply ------------------------------------------------------------------------------


class _Rollback(Exception):
    """Unwinds the import's transaction when anything failed or it is a dry run."""


def _changed(obj: Any, values: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {
        name: values[name]
        for name in fields
        if name in values and getattr(obj, name) != values[name]
    }


def _organisation(acronym: str, column: str) -> Organisation:
    organisation = selectors.organisation_detail(acronym=acronym) if acronym else None
    if organisation is None:
        raise _RecordProblem(column, f"No organisation has the acronym “{acronym}”.")
    return organisation


def _state(code: str, column: str) -> State:
    state = selectors.state_for_code(code)
    if state is None:
        raise _RecordProblem(column, f"No state has the code “{code}”.")
    return state


class _RecordProblem(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field_name = field_name
        self.message = message


def _apply_organisation(actor: Any, record: Record) -> str:
    values = dict(record.values)
    existing = selectors.organisation_detail(acronym=values["acronym"])
    fields = [name for name in services.ORGANISATION_FIELDS if name != "acronym"]
    if existing is None:
        services.organisation_create(actor=actor, **values)
        return "created"
    changes = _changed(existing, values, fields)
    if not changes:
        return "unchanged"
    services.organisation_update(actor=actor, organisation=existing, **changes)
    return "updated"


def _apply_state(actor: Any, record: Record) -> str:
    values = dict(record.values)
    aliases = values.pop("aliases", [])
    values["iso3"] = values["iso3"].upper()
    if "iso2" in values:
        values["iso2"] = values["iso2"].upper()
    existing = State.objects.filter(iso3=values["iso3"]).first()
    if existing is None:
        services.state_create(actor=actor, aliases=aliases, **values)
        return "created"
    outcome = "unchanged"
    changes = _changed(existing, values, ["iso2", "name", "official_name"])
    if changes:
        services.state_update(actor=actor, state=existing, **changes)
        outcome = "updated"
    have = set(existing.aliases.values_list("code", flat=True))
    for code in aliases:
        if validators.normalise_code(code) not in have:
            services.state_alias_add(actor=actor, state=existing, code=code)
            outcome = "updated"
    return outcome


def _apply_body(actor: Any, record: Record) -> str:
    values = dict(record.values)
    organisation = _organisation(values.pop("organisation"), "organisation")
    if "parent" in values:
        name = values["parent"]
        values["parent"] = (
            Body.objects.filter(organisation=organisation, name=name).first() if name else None
        )
        if name and values["parent"] is None:
            raise _RecordProblem("parent", f"{organisation} has no body named “{name}”.")
    existing = Body.objects.filter(organisation=organisation, name=values["name"]).first()
    if existing is None:
        services.body_create(actor=actor, organisation=organisation, **values)
        return "created"
    changes = _changed(existing, values, ["acronym", "kind", "parent", "description"])
    if not changes:
        return "unchanged"
    services.body_update(actor=actor, body=existing, **changes)
    return "updated"


def _apply_membership(actor: Any, record: Record) -> str:
    values = dict(record.values)
    state = _state(values.pop("state"), "state")
    organisation = _organisation(values.pop("organisation"), "organisation")
    existing = Membership.objects.filter(
        state=state, organisation=organisation, status=values["status"]
    ).first()
    if existing is None:
        services.membership_create(actor=actor, organisation=organisation, state=state, **values)
        return "created"
    changes = _changed(existing, values, ["since", "until"])
    if not changes:
        return "unchanged"
    services.membership_update(actor=actor, membership=existing, **changes)
    return "updated"


def _channel_tuple(channel: dict[str, Any], *, with_note: bool) -> tuple:
    return (
        channel["kind"],
        channel["value"],
        bool(channel["is_primary"]),
        channel.get("note", "") if with_note else "",
    )


def _apply_point_of_contact(actor: Any, record: Record) -> str:
    values = dict(record.values)
    state = _state(values.pop("state"), "state")
    acronym = values.pop("organisation", "")
    organisation = _organisation(acronym, "organisation") if acronym else None
    values["organisation"] = organisation
    channels = values.pop("channels", None)
    # Normalised as stored, so that validation sees 'en,ru' and a re-import sees no change.
    if "languages" in values:
        values["languages"] = validators.normalise_languages(values["languages"])
    if "pgp_fingerprint" in values:
        values["pgp_fingerprint"] = validators.normalise_fingerprint(values["pgp_fingerprint"])
    existing = (
        PointOfContact.objects.filter(
            state=state,
            organisation=organisation,
            level=values["level"],
            office=values["office"],
            person_name=values.get("person_name", ""),
        )
        .order_by("id")
        .first()
    )
    if existing is None:
        services.point_of_contact_create(actor=actor, state=state, channels=channels, **values)
        return "created"
    changes = _changed(existing, values, services.POC_FIELDS)
    if channels is not None:
        current = [
            {"kind": c.kind, "value": c.value, "is_primary": c.is_primary, "note": c.note}
            for c in existing.channels.all()
        ]
        with_note = record.source == "json"  # a CSV cell has no notes: keep the stored ones
        if not with_note:
            notes = {(c["kind"], c["value"]): c["note"] for c in current}
            for channel in channels:
                channel["note"] = notes.get((channel["kind"], channel["value"]), "")
        if sorted(_channel_tuple(c, with_note=True) for c in channels) == sorted(
            _channel_tuple(c, with_note=True) for c in current
        ):
            channels = None
    if not changes and channels is None:
        return "unchanged"
    services.point_of_contact_update(
        actor=actor, point_of_contact=existing, channels=channels, **changes
    )
    return "updated"


APPLY: dict[str, Callable[[Any, Record], str]] = {
    "organisations": _apply_organisation,
    "states": _apply_state,
    "bodies": _apply_body,
    "memberships": _apply_membership,
    "points_of_contact": _apply_point_of_contact,
}
_REFUSED_FIELD = {
    "organisations": "acronym",
    "states": "iso3",
    "bodies": "organisation",
    "memberships": "organisation",
    "points_of_contact": "state",
}


def _problems_from(exc: Exception, record: Record) -> list[Problem]:
    if isinstance(exc, _RecordProblem):
        return [record.problem(exc.field_name, exc.message)]
    if isinstance(exc, PermissionDenied):
        message = str(exc) or "You may not change this record."
        return [record.problem(_REFUSED_FIELD[record.kind], message)]
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [
                record.problem("" if name == "__all__" else name, message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        return [record.problem("", message) for message in exc.messages]
    if isinstance(exc, services.DirectoryError):
        if exc.details:
            return [
                record.problem(item.get("field", ""), item.get("message", exc.message))
                for item in exc.details
            ]
        return [record.problem("", exc.message)]
    if isinstance(exc, IntegrityError):
        return [record.problem("", "This record conflicts with an existing one.")]
    raise exc


def _ordered(records: list[Record]) -> list[Record]:
    """Records in the order they can be applied: by kind, and a body after its parent."""
    by_kind = {kind: [r for r in records if r.kind == kind] for kind in KINDS}
    bodies = by_kind["bodies"]
    placed: list[Record] = []
    names = {(r.values["organisation"].upper(), r.values["name"]) for r in bodies}
    done: set[tuple[str, str]] = set()
    pending = list(bodies)
    while pending:
        ready = [
            r
            for r in pending
            if not r.values.get("parent")
            or (r.values["organisation"].upper(), r.values["parent"]) in done
            or (r.values["organisation"].upper(), r.values["parent"]) not in names
        ] or pending  # a cycle: apply as given and let the service report it
        for record in ready:
            placed.append(record)
            done.add((record.values["organisation"].upper(), record.values["name"]))
        pending = [r for r in pending if r not in ready]
    by_kind["bodies"] = placed
    return [record for kind in KINDS for record in by_kind[kind]]


def apply(
    records: list[Record],
    *,
    actor: Any,
    dry_run: bool = False,
    problems: list[Problem] | None = None,
) -> ImportResult:
    """Step 3: apply the checked records in one transaction; roll back on any problem."""
    problems = list(problems or [])
    summary = {kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in KINDS}
    applied = False
    try:
        with transaction.atomic():
            for record in _ordered(records):
                try:
                    with transaction.atomic():
                        outcome = APPLY[record.kind](actor, record)
                except (
                    _RecordProblem,
                    PermissionDenied,
                    ValidationError,
                    services.DirectoryError,
                    IntegrityError,
                ) as exc:
                    problems.extend(_problems_from(exc, record))
                    continue
                summary[record.kind][outcome] += 1
            if problems or dry_run:
                raise _Rollback
            applied = True
    except _Rollback:
        pass
    problems.sort(
        key=lambda p: (
            p.field.split("[")[0] if p.source == "json" else "",
            p.row if p.row is not None else -1,
        )
    )
    return ImportResult(problems=problems, summary=summary, applied=applied, dry_run=dry_run)


def import_directory(
    *, actor: Any, text: str, fmt: str, kind: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Parse, check and apply an import; nothing is applied when any problem is found."""
    permissions.require(
        permissions.can_import(actor),
        "Only a secretariat officer or an operator may import into the directory.",
    )
    records, problems = parse(text, fmt=fmt, kind=kind)
    problems += check(records)
    # Records with a problem of their own are not tried; all others are, so that one import
    # reports everything the services would refuse too.
    good = [record for record in records if not _has_problem(record, problems)]
    return apply(good, actor=actor, dry_run=dry_run, problems=problems)


def _has_problem(record: Record, problems: list[Problem]) -> bool:
    if record.source == "json":
        prefix = f"{record.kind}[{record.row}]"
        return any(p.field == prefix or p.field.startswith(prefix + ".") for p in problems)
    return any(p.row == record.row for p in problems)


# --- export -------------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def export_rows(kind: str) -> list[dict[str, Any]]:
    """The records of one kind as import accepts them (JSON values: bools, lists, null)."""
    if kind == "organisations":
        return [
            {name: getattr(org, name) for name in services.ORGANISATION_FIELDS}
            for org in selectors.organisation_list()
        ]
    if kind == "states":
        return [
            {
                "iso3": s.iso3,
                "iso2": s.iso2,
                "name": s.name,
                "official_name": s.official_name,
                "aliases": sorted(alias.code for alias in s.aliases.all()),
            }
            for s in selectors.state_list().prefetch_related("aliases")
        ]
    if kind == "bodies":
        bodies = list(selectors.body_list())
        parents = {body.pk: body.parent_id for body in bodies}

        def depth(body: Body) -> int:  # parents first, so that an import can resolve them
            seen, node, count = set(), parents.get(body.pk), 0
            while node is not None and node not in seen:
                seen.add(node)
                node, count = parents.get(node), count + 1
            return count

        bodies.sort(key=lambda b: (b.organisation.acronym, depth(b), b.name))
        return [
            {
                "organisation": b.organisation.acronym,
                "name": b.name,
                "acronym": b.acronym,
                "kind": b.kind,
                "parent": b.parent.name if b.parent else "",
                "description": b.description,
            }
            for b in bodies
        ]
    if kind == "memberships":
        return [
            {
                "state": m.state.iso3,
                "organisation": m.organisation.acronym,
                "status": m.status,
                "since": _date(m.since),
                "until": _date(m.until),
            }
            for m in selectors.membership_list().order_by(
                "organisation__acronym", "state__iso3", "status"
            )
        ]
    if kind == "points_of_contact":
        return [
            {
                "state": poc.state.iso3,
                "organisation": poc.organisation.acronym if poc.organisation else "",
                "level": poc.level,
                "office": poc.office,
                "function": poc.function,
                "person_name": poc.person_name,
                "languages": poc.languages,
                "time_zone": poc.time_zone,
                "available_24_7": poc.available_24_7,
                "pgp_fingerprint": poc.pgp_fingerprint,
                "last_verified": _date(poc.last_verified),
                "is_active": poc.is_active,
                "notes": poc.notes,
                "channels": [
                    {"kind": c.kind, "value": c.value, "is_primary": c.is_primary, "note": c.note}
                    for c in poc.channels.all()
                ],
            }
            for poc in selectors.point_of_contact_list(include_inactive=True)
        ]
    raise ImportFormatError(f"Unknown kind {kind!r}; use one of {', '.join(KINDS)}.")


# A cell starting with one of these runs as a formula when a spreadsheet opens the file (CSV
# injection: a point of contact's notes set to =HYPERLINK(...) by one state would run on the
# secretariat's computer). The export quotes such a cell with a leading apostrophe, which
# spreadsheets show as text, and parse_csv removes that apostrophe again, so a round trip keeps
# every value (a value that itself starts with an apostrophe before one of these gets another).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(text: str) -> bool:
    return text[:1] in _FORMULA_START or (text[:1] == "'" and _needs_quote(text[1:]))


def _unquote_cell(text: str) -> str:
    return text[1:] if text[:1] == "'" and _needs_quote(text[1:]) else text


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            text = format_channel_cell(value)
        else:
            text = "; ".join(value)
    else:
        text = str(value)
    return "'" + text if _needs_quote(text) else text


def export_csv(kind: str) -> str:
    rows = export_rows(kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = [column.name for column in COLUMNS[kind]]
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in names])
    return out.getvalue()


def export_json(kinds: Iterable[str] = KINDS) -> str:
    document: dict[str, Any] = {"format": JSON_FORMAT_NAME, "version": JSON_VERSION}
    for kind in kinds:
        document[kind] = export_rows(kind)
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def export(*, fmt: str, kind: str = "all") -> str:
    if fmt == "json":
        return export_json(KINDS if kind == "all" else [kind])
    if fmt == "csv":
        if kind == "all":
            raise ImportFormatError("A CSV file holds one kind of record; choose a kind.")
        return export_csv(kind)
    raise ImportFormatError(f"Unknown format {fmt!r}; use csv or json.")
