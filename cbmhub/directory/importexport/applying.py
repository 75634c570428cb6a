"""Step 3 of an import: plan (reading only) and write (one short transaction); and
``import_directory``, which runs the three steps."""

from __future__ import annotations

import time

from django.db import IntegrityError, OperationalError

from .. import permissions
from .parsing import parse
from .planning import plan
from .records import ImportResult, Problem, Record
from .schema import IMPORT_MAX_BYTES, KINDS, ImportTooLarge
from .validation import check
from .writing import Stale, write

# How often an import is planned again when the directory changed while it was being planned.
_ATTEMPTS = 3
_CONFLICT = "A record conflicts with one changed while importing; check again."
_KEPT_CHANGING = "The directory kept changing while the import was checked; try again."
# PostgreSQL's deadlock_detected: two writers waited for each other's rows and the database
# ended this transaction (it rolled back whole), so the import is planned again.
_DEADLOCK = "40P01"


def _deadlock(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == _DEADLOCK


def _ordered(records: list[Record]) -> list[Record]:
    """Records in the order they can be applied: by kind, and a body after its parent. Linear:
    each body is placed once, after the chain of its parents in the file (a cycle is applied
    as given, and planning reports the parent it cannot find)."""
    by_kind: dict[str, list[Record]] = {kind: [] for kind in KINDS}
    for record in records:
        by_kind[record.kind].append(record)
    named = {(r.values["organisation"].upper(), r.values["name"]): r for r in by_kind["bodies"]}
    placed: list[Record] = []
    done: set[int] = set()
    for record in by_kind["bodies"]:
        chain: list[Record] = []
        seen: set[int] = set()
        node: Record | None = record
        while node is not None and id(node) not in done and id(node) not in seen:
            chain.append(node)
            seen.add(id(node))
            parent = node.values.get("parent")
            key = (node.values["organisation"].upper(), parent)
            node = named.get(key) if parent else None
        for item in reversed(chain):
            placed.append(item)
            done.add(id(item))
    by_kind["bodies"] = placed
    return [record for kind in KINDS for record in by_kind[kind]]


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(
        problems,
        key=lambda p: (
            p.field.split("[")[0] if p.source == "json" else "",
            p.row if p.row is not None else -1,
        ),
    )


def apply(
    records: list[Record],
    *,
    actor: object,
    dry_run: bool = False,
    problems: list[Problem] | None = None,
) -> ImportResult:
    """Step 3: plan the checked records (reading only) and, when nothing is wrong and it is not
    a dry run, write them in one short transaction. Any problem: nothing is written."""
    found = list(problems or [])
    ordered = _ordered(records)
    timings: dict[str, float] = {}
    message = _KEPT_CHANGING
    for _attempt in range(_ATTEMPTS):
        started = time.perf_counter()
        planned = plan(ordered, actor=actor)
        timings["plan"] = time.perf_counter() - started
        all_problems = _sorted(found + planned.problems)
        if all_problems or dry_run:
            return ImportResult(all_problems, planned.summary, False, dry_run, timings)
        started = time.perf_counter()
        try:
            timings["transaction"] = write(planned, actor=actor)
            timings["write"] = time.perf_counter() - started
        except Stale:
            message = _KEPT_CHANGING
            continue
        except IntegrityError:
            # A record with the same unique key was added (or a key changed) while planning:
            # the transaction wrote nothing. Planning again matches the new record, or reports
            # the clash with its row and field (full_clean checks the unique keys).
            message = _CONFLICT
            continue
        except OperationalError as exc:
            if not _deadlock(exc):
                raise
            message = _KEPT_CHANGING
            continue
        return ImportResult([], planned.summary, applied=True, dry_run=False, timings=timings)
    return ImportResult(
        [Problem(None, "", message, ordered[0].source)], planned.summary, False, False
    )


def import_directory(
    *, actor: object, text: str, fmt: str, kind: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Parse, check and apply an import; nothing is applied when any problem is found."""
    permissions.require(
        permissions.can_import(actor),
        permissions.IMPORT_REFUSED,
    )
    size = len(text.encode("utf-8"))
    if size > IMPORT_MAX_BYTES:
        raise ImportTooLarge(size)
    records, problems = parse(text, fmt=fmt, kind=kind)
    problems += check(records)
    # Records with a problem of their own are not planned; all others are, so that one import
    # reports everything the rules would refuse too.
    return apply(
        _without_problems(records, problems), actor=actor, dry_run=dry_run, problems=problems
    )


def _without_problems(records: list[Record], problems: list[Problem]) -> list[Record]:
    """The records no problem points at, in one pass over each list (a problem's JSON path
    starts with its record's ``kind[index]``; a CSV problem has the record's row)."""
    json_paths = {p.field.split(".", 1)[0] for p in problems if p.source == "json"}
    csv_rows = {p.row for p in problems if p.source != "json"}
    return [
        record
        for record in records
        if (
            f"{record.kind}[{record.row}]" not in json_paths
            if record.source == "json"
            else record.row not in csv_rows
        )
    ]
