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

from cbmhub.core import roles

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
_POC_COLUMNS = [f.name for f in PointOfContact._meta.concrete_fields if not f.primary_key]
_POC_UPDATE = [name for name in _POC_COLUMNS if name not in ("created_at", "user")]
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
        actor=roles.user_or_none(actor),
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


def _update_many(model: Any, columns: list[str], rows: list[list[Any]]) -> None:
    """UPDATE rows by id (the last value of each row), as _insert_many."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in columns)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE {quote('id')} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH * 10):
            cursor.executemany(sql, rows[start : start + _BATCH * 10])


def _row(obj: Any, columns: list[str], now: Any) -> list[Any]:
    """An object's values as the database stores them, its time stamps set to ``now`` (one time
    for the whole import); a key not known yet is left as the related object and resolved in
    the transaction (``_resolve``)."""
    values = []
    for name in columns:
        field = obj._meta.get_field(name)
        if field.is_relation:
            values.append(getattr(obj, name))  # the related object: its id once it is saved
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(obj, field.attname, now)
        values.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
    return values


def _resolve(rows: list[list[Any]]) -> list[list[Any]]:
    return [
        [value.pk if isinstance(value, models.Model) else value for value in row] for row in rows
    ]


def _poc_key(state_id: Any, organisation_id: Any, level: str, office: str, person: str) -> tuple:
    return (state_id, organisation_id, level, office, person)


def _write_points_of_contact(prepared: _Prepared) -> None:
    """New points of contact are inserted with their time stamp ``prepared.now``, which no
    other writer shares, and their ids read back by that stamp and their natural key."""
    inserts = [step for _, step in prepared.poc_inserts]
    _insert_many(PointOfContact, _POC_COLUMNS, _resolve([row for row, _ in prepared.poc_inserts]))
    if inserts:
        ids = {
            _poc_key(*key): pk
            for pk, *key in PointOfContact.objects.filter(created_at=prepared.now).values_list(
                "id", "state_id", "organisation_id", "level", "office", "person_name"
            )
        }
        for step in inserts:
            obj: Any = step.obj
            obj.pk = ids[
                _poc_key(
                    obj.state.pk,
                    obj.organisation.pk if obj.organisation else None,
                    obj.level,
                    obj.office,
                    obj.person_name,
                )
            ]
            obj._state.adding = False
    _update_many(PointOfContact, _POC_UPDATE, _resolve(prepared.poc_updates))
    replaced = prepared.replaced_channels
    for start in range(0, len(replaced), _BATCH):
        ContactChannel.objects.filter(
            point_of_contact_id__in=replaced[start : start + _BATCH]
        ).delete()
    _insert_many(ContactChannel, _CHANNEL_COLUMNS, _resolve(prepared.channels))


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

    now: Any
    channels: list[list[Any]] = field(default_factory=list)  # rows for _insert_many
    history: list[tuple[list[Any], Step]] = field(default_factory=list)
    aliases: list[tuple[StateAlias, ChangeRecord]] = field(default_factory=list)
    poc_inserts: list[tuple[list[Any], Step]] = field(default_factory=list)
    poc_updates: list[list[Any]] = field(default_factory=list)  # each ends with the id
    replaced_channels: list[int] = field(default_factory=list)  # points of contact's ids


def _prepare(plan: Plan, actor: Any) -> _Prepared:
    prepared = _Prepared(now=timezone.now())
    for step in plan.steps:
        if step.record.kind == "points_of_contact":
            _prepare_point_of_contact(prepared, step)
        changes = services._diff(step.before, _snapshot(step.obj, _FIELDS[step.record.kind]))
        changes.update(_channel_change(step))
        if step.creating or changes:
            entry = _row(_history(actor, step, changes), _HISTORY_COLUMNS, prepared.now)
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
                prepared.now,
            )
            for item in step.channels or []
        ]
        for code in step.aliases:
            alias = StateAlias(state=step.obj, code=code)
            entry = ChangeRecord(
                actor=roles.user_or_none(actor),
                action=ChangeAction.CREATE,
                model="statealias",
                object_id=0,
                object_repr=f"{code} → {step.obj}"[:255],
                changes={"code": [None, code]},
                state=step.obj,
            )
            prepared.aliases.append((alias, entry))
    return prepared


def _prepare_point_of_contact(prepared: _Prepared, step: Step) -> None:
    obj: Any = step.obj
    if step.creating:
        prepared.poc_inserts.append((_row(obj, _POC_COLUMNS, prepared.now), step))
        return
    prepared.poc_updates.append([*_row(obj, _POC_UPDATE, prepared.now), obj.pk])
    if step.channels is not None:
        prepared.replaced_channels.append(obj.pk)


def write(plan: Plan, *, actor: Any) -> float:
    """Write a checked plan in one transaction; raises Stale if the directory has changed.
    Returns the seconds the transaction (on SQLite: the write lock) was held."""
    prepared = _prepare(plan, actor)
    started = time.perf_counter()
    with transaction.atomic():
        newest = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if newest != plan.mark:
            raise Stale
        for step in plan.steps:
            if step.record.kind != "points_of_contact":
                _write_one(step)
        _write_points_of_contact(prepared)
        StateAlias.objects.bulk_create([alias for alias, _ in prepared.aliases], batch_size=_BATCH)
        object_id = _HISTORY_COLUMNS.index("object_id")
        for row, step in prepared.history:
            row[object_id] = step.obj.pk
        for alias, entry in prepared.aliases:
            entry.object_id = alias.pk
        rows = [row for row, _ in prepared.history]
        rows += [_row(entry, _HISTORY_COLUMNS, prepared.now) for _, entry in prepared.aliases]
        _insert_many(ChangeRecord, _HISTORY_COLUMNS, _resolve(rows))
    return time.perf_counter() - started
