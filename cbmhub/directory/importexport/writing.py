"""Step 3 of an import, second half: *write* a plan that has no problem, in one short
transaction. Everything was checked while planning (reading only); here the rows are written in
bulk — a few statements per kind and per 500 rows, not several per record — with one history
entry per record as the services write it, so that the database's write lock is held for a
fraction of a second per thousand records, and the hotline's writers wait that long at most.

Before writing, the transaction checks that the directory has not changed since planning, in
three ways, and raises ``Stale`` otherwise, so that the import is planned again on the fresh data
(``applying.apply``) and a concurrent edit is never overwritten:

1. the newest history entry is still the one seen when planning (every change through CBM Hub
   leaves one). On SQLite this alone is exact: BEGIN IMMEDIATE holds the write lock for the
   whole transaction. On PostgreSQL (READ COMMITTED) it is not: an edit in flight, or committed
   with a lower history id after the check, would not be seen; hence
2. every row the import updates is locked (``SELECT … FOR NO KEY UPDATE``, one query per kind
   and per 5,000 ids, in ascending id order, kinds in a fixed order, so that two imports never
   deadlock) and its committed values of every column the import writes, time stamp included,
   must still be those read when planning (``Plan.seen``); a row deleted since is missing. The
   lock waits for an edit in flight to commit, then the comparison sees it; once held, no edit
   can slip in before the import commits (the services lock the row they change);
3. a new point of contact must still be new: the database has no unique key for it, so the
   import takes the exclusive lock on adding points of contact to their states
   (``services.point_of_contact_insert_lock``, which every service and admin page that adds
   one takes shared), and reads their points of contact again. Organisations, states, bodies
   and memberships have unique keys in the database: a concurrent insert of the same one makes
   the INSERT fail, and the import is planned again.

On SQLite neither ``FOR UPDATE`` nor the advisory lock is taken (one writer at a time): the
checks are plain reads, under the write lock the transaction already holds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from cbmhub.core import roles

from .. import services
from ..choices import ChangeAction
from ..models import (
    CHANGE_RECORD_FIELDS,
    ChangeRecord,
    ContactChannel,
    PointOfContact,
    State,
    StateAlias,
)
from .planning import POC_WRITTEN, Plan, Step

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
_POC_UPDATE = POC_WRITTEN  # the columns planning remembered, so the check covers every one
# Ids per locking query: one statement per kind for any import up to this size.
_LOCK_BATCH = _BATCH * 10
_HISTORY_COLUMNS = list(CHANGE_RECORD_FIELDS)


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


def _history(actor: object, step: Step, changes: dict[str, list[Any]]) -> ChangeRecord:
    return ChangeRecord(
        actor=roles.user_or_none(actor),
        action=ChangeAction.CREATE if step.creating else ChangeAction.UPDATE,
        model=services.history_model_name(step.obj),
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


def _poc_key(
    state_id: object, organisation_id: object, level: object, office: object, person: object
) -> tuple[object, ...]:
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


def _prepare(plan: Plan, actor: object) -> _Prepared:
    prepared = _Prepared(now=timezone.now())
    for step in plan.steps:
        if step.record.kind == "points_of_contact":
            _prepare_point_of_contact(prepared, step)
        changes = services.changed_fields(
            step.before, _snapshot(step.obj, _FIELDS[step.record.kind])
        )
        changes.update(_channel_change(step))
        if step.creating or changes:
            entry = _row(_history(actor, step, changes), _HISTORY_COLUMNS, prepared.now)
            prepared.history.append((entry, step))
        if step.channels:
            _prepare_channels(prepared, _of(PointOfContact, step), step.channels)
        if step.aliases:
            _prepare_aliases(prepared, _of(State, step), step.aliases, actor)
    return prepared


_Model = TypeVar("_Model", bound=models.Model)


def _of(model: type[_Model], step: Step) -> _Model:
    """The step's object as the kind planning made it (channels on a point of contact,
    delegation codes on a state)."""
    if not isinstance(step.obj, model):
        raise TypeError(f"{step.record.kind}: {type(step.obj).__name__}, not {model.__name__}")
    return step.obj


def _prepare_channels(
    prepared: _Prepared, point_of_contact: PointOfContact, channels: list[dict[str, Any]]
) -> None:
    prepared.channels += [
        _row(
            ContactChannel(
                point_of_contact=point_of_contact,
                kind=item["kind"],
                value=item["value"],
                is_primary=bool(item["is_primary"]),
                note=item["note"],
            ),
            _CHANNEL_COLUMNS,
            prepared.now,
        )
        for item in channels
    ]


def _prepare_aliases(prepared: _Prepared, state: State, codes: list[str], actor: object) -> None:
    for code in codes:
        alias = StateAlias(state=state, code=code)
        entry = ChangeRecord(
            actor=roles.user_or_none(actor),
            action=ChangeAction.CREATE,
            model="statealias",
            object_id=0,
            object_repr=f"{code} → {state}"[:255],
            changes={"code": [None, code]},
            state=state,
        )
        prepared.aliases.append((alias, entry))


def _prepare_point_of_contact(prepared: _Prepared, step: Step) -> None:
    obj: Any = step.obj
    if step.creating:
        prepared.poc_inserts.append((_row(obj, _POC_COLUMNS, prepared.now), step))
        return
    prepared.poc_updates.append([*_row(obj, _POC_UPDATE, prepared.now), obj.pk])
    if step.channels is not None:
        prepared.replaced_channels.append(obj.pk)


class _AnyValue:
    """Stands in an expected row for a column this row's update does not write: equal to
    anything, so that a whole row is compared as one tuple (in C, not column by column)."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]  # unhashable, as Python makes an eq-only class


_ANY = _AnyValue()


@dataclass
class _Expected:
    """The rows of one model an import updates, as planning read them: built before the
    transaction, so that the check inside it only reads and compares."""

    model: Any
    columns: list[str]
    rows: dict[Any, tuple]  # id → the values of ``columns`` (``_ANY`` where not written)


def _expected(plan: Plan) -> list[_Expected]:
    """Kinds in plan order (organisations, states, bodies, memberships, points of contact)."""
    out = []
    for model, rows in plan.seen.items():
        columns = sorted({column for values in rows.values() for column in values})
        expected = {
            pk: tuple(values.get(column, _ANY) for column in columns) for pk, values in rows.items()
        }
        out.append(_Expected(model, columns, expected))
    return out


def _check_rows_unchanged(expected: list[_Expected]) -> None:
    """Lock every row the plan updates and raise Stale unless each still has the values it had
    when planning (a row deleted since is missing). Ids ascending within each kind, kinds in a
    fixed order: two imports lock in the same order and never deadlock."""
    for kind in expected:
        ids = sorted(kind.rows)
        for start in range(0, len(ids), _LOCK_BATCH):
            chunk = ids[start : start + _LOCK_BATCH]
            # NO KEY UPDATE: the lock an UPDATE takes; it does not hold off the inserts of rows
            # that refer to these (history entries), only the edits of these rows.
            current = (
                kind.model._default_manager.select_for_update(no_key=True)
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", *kind.columns)
            )
            found = 0
            for row in current:
                found += 1
                if row[1:] != kind.rows[row[0]]:
                    raise Stale
            if found != len(chunk):
                raise Stale


def _new_poc_key(obj: Any) -> tuple | None:
    """The natural key of a new point of contact by ids, or None when its state or organisation
    is new in the same import (then no other point of contact can have it yet)."""
    organisation = obj.organisation
    if obj.state.pk is None or (organisation is not None and organisation.pk is None):
        return None
    return _poc_key(
        obj.state.pk,
        organisation.pk if organisation else None,
        obj.level,
        obj.office,
        obj.person_name,
    )


def _check_new_points_of_contact(plan: Plan) -> None:
    """Raise Stale if a point of contact the plan inserts exists now (added while planning: the
    database has no unique key for it). The exclusive lock on adding points of contact to their
    states waits for a transaction still adding one to commit, and holds off any other until
    the import commits; then they are read again."""
    keys = {
        key
        for step in plan.steps
        if step.creating and step.record.kind == "points_of_contact"
        for key in [_new_poc_key(step.obj)]
        if key is not None
    }
    state_ids = sorted({key[0] for key in keys})
    services.point_of_contact_insert_lock(state_ids=state_ids, exclusive=True)
    for start in range(0, len(state_ids), _LOCK_BATCH):
        existing = PointOfContact.objects.filter(
            state_id__in=state_ids[start : start + _LOCK_BATCH]
        ).values_list("state_id", "organisation_id", "level", "office", "person_name")
        if any(_poc_key(*row) in keys for row in existing):
            raise Stale


def write(plan: Plan, *, actor: object) -> float:
    """Write a checked plan in one transaction; raises Stale if the directory has changed.
    Returns the seconds the transaction (on SQLite: the write lock) was held."""
    prepared = _prepare(plan, actor)
    expected = _expected(plan)
    started = time.perf_counter()
    with transaction.atomic():
        newest = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if newest != plan.mark:
            raise Stale
        _check_rows_unchanged(expected)
        _check_new_points_of_contact(plan)
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
