"""Step 3 of an import, second half: *write* a plan that has no problem, in one short
transaction. Everything was checked while planning (reading only); here the rows are written in
bulk — a few statements per kind and per 500 rows, not several per record — with one history
entry per record as the services write it, so that the database's write lock is held for a
fraction of a second per thousand records, and the hotline's writers wait that long at most.

Before writing, the transaction checks that the directory has not changed since planning: every
change through CBM Hub leaves a history entry, so an unchanged newest entry means the plan still
holds. Otherwise the import is planned again (``applying.import_directory``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .. import services
from ..choices import ChangeAction
from ..models import ChangeRecord, ContactChannel, PointOfContact, StateAlias
from .planning import Plan, Step

_BATCH = 500
_FIELDS = {
    "organisations": services.ORGANISATION_FIELDS,
    "states": services.STATE_FIELDS,
    "bodies": services.BODY_FIELDS,
    "memberships": services.MEMBERSHIP_FIELDS,
    "points_of_contact": services.POC_FIELDS,
}


_CHANNEL_COLUMNS = ["point_of_contact", "kind", "value", "is_primary", "note"]
_HISTORY_COLUMNS = [
    "at",
    "actor",
    "action",
    "model",
    "object_id",
    "object_repr",
    "changes",
    "state",
    "organisation",
]


class Stale(Exception):
    """The directory changed between planning and writing: plan again."""


def _scope(step: Step) -> dict[str, Any]:
    """The state and organisation a history entry is filed under, as the services file it."""
    obj: Any = step.obj
    kind = step.record.kind
    if kind == "organisations":
        return {"organisation": obj}
    if kind == "states":
        return {"state": obj}
    if kind == "bodies":
        return {"organisation": obj.organisation}
    return {"state": obj.state, "organisation": obj.organisation}


def _snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """As services.snapshot, but names a related record that is not saved yet (a state the same
    file adds), so that the history can be prepared before the write transaction."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation:
            related = getattr(obj, name)
            out[name] = None if related is None else str(related)
        else:
            out[name] = services._jsonable(getattr(obj, field.attname))
    return out


def _history(actor: Any, step: Step, changes: dict[str, list[Any]]) -> ChangeRecord:
    return ChangeRecord(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=ChangeAction.CREATE if step.creating else ChangeAction.UPDATE,
        model=step.obj._meta.model_name,
        object_id=0,  # set once the record is saved
        object_repr=str(step.obj)[:255],
        changes=changes,
        **_scope(step),
    )


def _write_one(step: Step) -> None:
    """Organisations, states, bodies, memberships: few per file, saved in order (a sub-body
    after its parent), each with one statement."""
    if step.creating:
        step.obj.save()
    else:
        step.obj.save(update_fields=[*step.fields, "updated_at"])


def _insert_many(model: Any, columns: list[str], rows: list[list[Any]]) -> None:
    """INSERT rows whose values are already prepared for the database (``_row``): one statement
    run for every row (executemany), so the transaction does no per-value ORM work."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH * 10):
            cursor.executemany(sql, rows[start : start + _BATCH * 10])


def _row(obj: Any, columns: list[str]) -> list[Any]:
    """An object's values as the database stores them; a key not known yet is left as the
    related object and resolved in the transaction (``_resolve``)."""
    values = []
    for name in columns:
        field = obj._meta.get_field(name)
        if field.is_relation:
            values.append(getattr(obj, name))  # the related object: its id once it is saved
        else:
            values.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
    return values


def _resolve(rows: list[list[Any]]) -> list[list[Any]]:
    return [
        [value.pk if isinstance(value, models.Model) else value for value in row] for row in rows
    ]


def _write_points_of_contact(steps: list[Step], channels: list[list[Any]]) -> None:
    new = [step.obj for step in steps if step.creating]
    PointOfContact.objects.bulk_create(new, batch_size=_BATCH)  # type: ignore[arg-type]
    updated = [step for step in steps if not step.creating]
    now = timezone.now()
    fields = sorted({name for step in updated for name in step.fields})
    for step in updated:
        step.obj.updated_at = now  # type: ignore[attr-defined]
    if fields:
        PointOfContact.objects.bulk_update(
            [step.obj for step in updated if step.fields],  # type: ignore[misc]
            [*fields, "updated_at"],
            batch_size=_BATCH,
        )
    replaced = [step.obj.pk for step in updated if step.channels is not None]
    for start in range(0, len(replaced), _BATCH):
        ContactChannel.objects.filter(
            point_of_contact_id__in=replaced[start : start + _BATCH]
        ).delete()
    _insert_many(ContactChannel, _CHANNEL_COLUMNS, _resolve(channels))


def _channel_change(step: Step) -> dict[str, list[Any]]:
    if step.channels is None:
        return {}
    obj: Any = step.obj
    before = [] if step.creating else [f"{c.kind}:{c.value}" for c in obj.channels.all()]
    after = [f"{c['kind']}:{c['value']}" for c in step.channels]
    return {"channels": [before, after]} if before != after else {}


@dataclass
class _Prepared:
    """Everything the transaction writes that can be built before it: the new channels and the
    history entries (their object ids are filled in once the rows have them)."""

    channels: list[list[Any]] = field(default_factory=list)  # rows for _insert_many
    history: list[tuple[list[Any], Step]] = field(default_factory=list)
    aliases: list[tuple[StateAlias, ChangeRecord]] = field(default_factory=list)


def _prepare(plan: Plan, actor: Any) -> _Prepared:
    prepared = _Prepared()
    for step in plan.steps:
        changes = services._diff(step.before, _snapshot(step.obj, _FIELDS[step.record.kind]))
        changes.update(_channel_change(step))
        if step.creating or changes:
            entry = _row(_history(actor, step, changes), _HISTORY_COLUMNS)
            prepared.history.append((entry, step))
        prepared.channels += [
            _row(
                ContactChannel(
                    point_of_contact=step.obj,
                    kind=item["kind"],
                    value=item["value"],
                    is_primary=bool(item["is_primary"]),
                    note=item["note"],
                ),
                _CHANNEL_COLUMNS,
            )
            for item in step.channels or []
        ]
        for code in step.aliases:
            alias = StateAlias(state=step.obj, code=code)
            entry = ChangeRecord(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=ChangeAction.CREATE,
                model="statealias",
                object_id=0,
                object_repr=f"{code} → {step.obj}"[:255],
                changes={"code": [None, code]},
                state=step.obj,
            )
            prepared.aliases.append((alias, entry))
    return prepared


def write(plan: Plan, *, actor: Any) -> float:
    """Write a checked plan in one transaction; raises Stale if the directory has changed.
    Returns the seconds the transaction (on SQLite: the write lock) was held."""
    prepared = _prepare(plan, actor)
    started = time.perf_counter()
    with transaction.atomic():
        newest = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if newest != plan.mark:
            raise Stale
        pocs = []
        for step in plan.steps:
            if step.record.kind == "points_of_contact":
                pocs.append(step)
            else:
                _write_one(step)
        _write_points_of_contact(pocs, prepared.channels)
        StateAlias.objects.bulk_create([alias for alias, _ in prepared.aliases], batch_size=_BATCH)
        object_id = _HISTORY_COLUMNS.index("object_id")
        for row, step in prepared.history:
            row[object_id] = step.obj.pk
        for alias, entry in prepared.aliases:
            entry.object_id = alias.pk
        rows = [row for row, _ in prepared.history]
        rows += [_row(entry, _HISTORY_COLUMNS) for _, entry in prepared.aliases]
        _insert_many(ChangeRecord, _HISTORY_COLUMNS, _resolve(rows))
    return time.perf_counter() - started
