"""Export: the directory's records as import accepts them, as CSV (one kind) or JSON (all)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from .. import selectors, services
from ..models import Body
from .cells import _csv_cell
from .schema import COLUMNS, JSON_FORMAT_NAME, JSON_VERSION, KINDS, ImportFormatError

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


def export_csv_archive(kinds: Iterable[str] = KINDS) -> bytes:
    """CSV of everything: a ZIP with one ``<kind>.csv`` per kind, in import order (import
    takes the files one by one)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind in kinds:
            archive.writestr(f"{kind}.csv", export_csv(kind))
    return out.getvalue()


def export(*, fmt: str, kind: str = "all") -> str:
    if fmt == "json":
        return export_json(KINDS if kind == "all" else [kind])
    if fmt == "csv":
        if kind == "all":
            raise ImportFormatError("A CSV file holds one kind of record; choose a kind.")
        return export_csv(kind)
    raise ImportFormatError(f"Unknown format {fmt!r}; use csv or json.")
