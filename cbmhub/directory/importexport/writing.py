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

from typing import Any

from django.db import transaction
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


def _history(actor: Any, step: Step, changes: dict[str, list[Any]]) -> ChangeRecord:
    return ChangeRecord(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=ChangeAction.CREATE if step.creating else ChangeAction.UPDATE,
        model=step.obj._meta.model_name,
        object_id=step.obj.pk,
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


def _write_points_of_contact(steps: list[Step]) -> list[ContactChannel]:
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
    channels = [
        ContactChannel(
            point_of_contact=step.obj,
            kind=item["kind"],
            value=item["value"],
            is_primary=bool(item["is_primary"]),
            note=item["note"],
        )
        for step in steps
        for item in step.channels or []
    ]
    return ContactChannel.objects.bulk_create(channels, batch_size=_BATCH)


def _channel_change(step: Step) -> dict[str, list[Any]]:
    if step.channels is None:
        return {}
    obj: Any = step.obj
    before = [] if step.creating else [f"{c.kind}:{c.value}" for c in obj.channels.all()]
    after = [f"{c['kind']}:{c['value']}" for c in step.channels]
    return {"channels": [before, after]} if before != after else {}


def write(plan: Plan, *, actor: Any) -> None:
    """Write a checked plan in one transaction; raises Stale if the directory has changed."""
    with transaction.atomic():
        newest = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if newest != plan.mark:
            raise Stale
        pocs = [step for step in plan.steps if step.record.kind == "points_of_contact"]
        # Channel changes are read before the old channels are replaced (prefetched).
        channel_changes = {id(step): _channel_change(step) for step in pocs}
        for step in plan.steps:
            if step.record.kind != "points_of_contact":
                _write_one(step)
        _write_points_of_contact(pocs)
        history = []
        aliases = []
        for step in plan.steps:
            fields = _FIELDS[step.record.kind]
            changes = services._diff(step.before, services.snapshot(step.obj, fields))
            changes.update(channel_changes.get(id(step), {}))
            if step.creating or changes:
                history.append(_history(actor, step, changes))
            for code in step.aliases:
                alias = StateAlias(state=step.obj, code=code)
                aliases.append(alias)
        StateAlias.objects.bulk_create(aliases, batch_size=_BATCH)
        history += [
            ChangeRecord(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=ChangeAction.CREATE,
                model="statealias",
                object_id=alias.pk,
                object_repr=f"{alias.code} → {alias.state.name}"[:255],
                changes={"code": [None, alias.code]},
                state=alias.state,
            )
            for alias in aliases
        ]
        ChangeRecord.objects.bulk_create(history, batch_size=_BATCH)
