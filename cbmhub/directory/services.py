"""Writes to the directory. Each service checks the actor's right, validates, saves and records
the change in the history, all in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.codes import normalise_code
from cbmhub.core.errors import DomainError

from . import permissions
from .choices import ChangeAction
from .models import (
    Body,
    ChangeRecord,
    ContactChannel,
    Membership,
    Organisation,
    PointOfContact,
    State,
    StateAlias,
)
from .validators import normalise_fingerprint, normalise_languages


class DirectoryError(DomainError):
    """A directory change that the rules refuse (for example a duplicate delegation code)."""


_M = TypeVar("_M", bound=models.Model)


# --- history --------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def column(obj: models.Model, name: str) -> models.Field[Any, Any]:
    """The field ``name`` of ``obj``'s model, which the history lists: a column, never a
    reverse relation."""
    field = obj._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{obj._meta.label}.{name} is not a column")
    return field


def history_model_name(obj: models.Model) -> str:
    """What a history entry names the kind of record by (``pointofcontact``)."""
    return obj._meta.label_lower.rpartition(".")[2]


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in fields:
        field = column(obj, name)
        value = getattr(obj, field.attname)
        if field.is_relation and value is not None:
            related = getattr(obj, name)
            value = str(related)
        out[name] = _jsonable(value)
    return out


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field of ``after`` whose value differs from ``before``'s
    (two snapshots): what a history entry records."""
    return {
        key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)
    }


def record_change(
    *,
    actor: object,
    action: str,
    obj: models.Model,
    changes: dict[str, list[Any]],
    state: State | None = None,
    organisation: Organisation | None = None,
) -> ChangeRecord:
    # The name is stored in the site's language, not the editor's: pages show a live record's
    # name in the reader's language and fall back to this one for a removed record.
    with translation.override(settings.LANGUAGE_CODE):
        object_repr = str(obj)[:255]
    return ChangeRecord.objects.create(
        actor=roles.user_or_none(actor),
        action=action,
        model=history_model_name(obj),
        object_id=obj.pk,
        object_repr=object_repr,
        changes=changes,
        state=state,
        organisation=organisation,
    )


def _save_with_history(
    *,
    actor: object,
    obj: _M,
    data: dict[str, Any],
    fields: list[str],
    state: State | None = None,
    organisation: Organisation | None = None,
    after_save: Callable[[_M], dict[str, list[Any]]] | None = None,
) -> _M:
    """Save ``obj`` with ``data`` and record one history entry for what changed. ``after_save``
    writes rows that hang off the saved object (a point of contact's channels) and returns
    their change, so that it lands in the same entry."""
    creating = obj.pk is None
    before = {} if creating else snapshot(obj, fields)
    for key, value in data.items():
        if key not in fields:
            raise DirectoryError(f"Unknown field: {key}", code="unknown_field")
        setattr(obj, key, value)
    obj.full_clean()
    if creating:
        obj.save()
    else:
        obj.save(
            update_fields=[*data.keys(), *(["updated_at"] if hasattr(obj, "updated_at") else [])]
        )
    changes = changed_fields(before, snapshot(obj, fields))
    if after_save is not None:
        changes.update(after_save(obj))
    if creating or changes:
        record_change(
            actor=actor,
            action=ChangeAction.CREATE if creating else ChangeAction.UPDATE,
            obj=obj,
            changes=changes,
            state=state,
            organisation=organisation,
        )
    return obj


def _delete_with_history(
    *, actor: object, obj: models.Model, fields: list[str], state=None, organisation=None
) -> None:
    before = snapshot(obj, fields)
    record_change(
        actor=actor,
        action=ChangeAction.DELETE,
        obj=obj,
        changes={key: [value, None] for key, value in before.items()},
        state=state,
        organisation=organisation,
    )
    obj.delete()


# --- organisations and bodies -----------------------------------------------------------------

ORGANISATION_FIELDS = ["acronym", "name", "kind", "description", "website", "headquarters"]
BODY_FIELDS = ["organisation", "parent", "name", "acronym", "kind", "description"]
STATE_FIELDS = ["name", "official_name", "iso2", "iso3"]
MEMBERSHIP_FIELDS = ["state", "organisation", "status", "since", "until"]
POC_FIELDS = [
    "state",
    "organisation",
    "level",
    "office",
    "function",
    "person_name",
    "languages",
    "time_zone",
    "available_24_7",
    "pgp_fingerprint",
    "last_verified",
    "is_active",
    "notes",
]


@transaction.atomic
def organisation_create(*, actor: object, **data: Any) -> Organisation:
    permissions.require(permissions.can_create_organisation(actor))
    org = Organisation()
    _save_with_history(actor=actor, obj=org, data=data, fields=ORGANISATION_FIELDS)
    ChangeRecord.objects.filter(model="organisation", object_id=org.pk).update(organisation=org)
    return org


@transaction.atomic
def organisation_update(*, actor: object, organisation: Organisation, **data: Any) -> Organisation:
    permissions.require(permissions.can_manage_organisation(actor, organisation.pk))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    return _save_with_history(
        actor=actor,
        obj=organisation,
        data=data,
        fields=ORGANISATION_FIELDS,
        organisation=organisation,
    )


@transaction.atomic
def body_create(*, actor: object, organisation: Organisation, **data: Any) -> Body:
    permissions.require(permissions.can_manage_organisation(actor, organisation.pk))
    data["organisation"] = organisation
    _check_parent(data.get("parent"), organisation)
    return _save_with_history(
        actor=actor, obj=Body(), data=data, fields=BODY_FIELDS, organisation=organisation
    )


@transaction.atomic
def body_update(*, actor: object, body: Body, **data: Any) -> Body:
    permissions.require(permissions.can_manage_organisation(actor, body.organisation_id))
    data.pop("organisation", None)  # a body does not move between organisations
    _check_parent(data.get("parent"), body.organisation, body=body)
    return _save_with_history(
        actor=actor, obj=body, data=data, fields=BODY_FIELDS, organisation=body.organisation
    )


@transaction.atomic
def body_delete(*, actor: object, body: Body) -> None:
    permissions.require(permissions.can_manage_organisation(actor, body.organisation_id))
    _delete_with_history(actor=actor, obj=body, fields=BODY_FIELDS, organisation=body.organisation)


def _check_parent(parent: Body | None, organisation: Organisation, body: Body | None = None):
    if parent is None:
        return
    if parent.organisation_id != organisation.pk:
        raise DirectoryError(
            _("A body can only report to a body of the same organisation."),
            field="parent",
        )
    node: Body | None = parent
    while node is not None and body is not None:
        if node.pk == body.pk:
            raise DirectoryError(
                _("A body cannot report to itself or to one of its own sub-bodies."),
                field="parent",
            )
        node = node.parent


# --- states and delegation codes ---------------------------------------------------------------


@transaction.atomic
def state_create(*, actor: object, aliases: Iterable[str] = (), **data: Any) -> State:
    permissions.require(permissions.can_manage_states(actor))
    data["iso2"] = (data.get("iso2") or "").upper()
    data["iso3"] = (data.get("iso3") or "").upper()
    state = _save_with_history(actor=actor, obj=State(), data=data, fields=STATE_FIELDS)
    ChangeRecord.objects.filter(model="state", object_id=state.pk).update(state=state)
    for code in aliases:
        state_alias_add(actor=actor, state=state, code=code)
    return state


@transaction.atomic
def state_update(
    *, actor: object, state: State, aliases: Iterable[str] | None = None, **data: Any
) -> State:
    """Change a state; ``aliases``, when given, is its full new list of delegation codes (codes
    left out are removed). One transaction, so a refused code leaves the state as it was."""
    permissions.require(permissions.can_manage_states(actor))
    for key in ("iso2", "iso3"):
        if key in data:
            data[key] = (data[key] or "").upper()
    _save_with_history(actor=actor, obj=state, data=data, fields=STATE_FIELDS, state=state)
    if aliases is not None:
        aliases = list(aliases)
        wanted = {normalise_code(code) for code in aliases}
        for alias in list(state.aliases.all()):
            if alias.code not in wanted:
                state_alias_remove(actor=actor, alias=alias)
        for code in aliases:
            state_alias_add(actor=actor, state=state, code=code)
    return state


@transaction.atomic
def state_alias_add(*, actor: object, state: State, code: str, note: str = "") -> StateAlias:
    permissions.require(permissions.can_manage_states(actor))
    key = normalise_code(code)
    if not key:
        raise DirectoryError(_("A delegation code cannot be empty."), field="code")
    existing = StateAlias.objects.select_related("state").filter(code=key).first()
    if existing:
        if existing.state_id == state.pk:
            return existing
        raise DirectoryError(
            _("The code %(code)s already names %(state)s.")
            % {"code": key, "state": existing.state.name},
            code="duplicate_code",
            field="code",
        )
    alias = StateAlias(state=state, code=key, note=note)
    alias.full_clean()
    alias.save()
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        obj=alias,
        changes={"code": [None, key]},
        state=state,
    )
    return alias


@transaction.atomic
def state_alias_remove(*, actor: object, alias: StateAlias) -> None:
    permissions.require(permissions.can_manage_states(actor))
    record_change(
        actor=actor,
        action=ChangeAction.DELETE,
        obj=alias,
        changes={"code": [alias.code, None]},
        state=alias.state,
    )
    alias.delete()


# --- memberships --------------------------------------------------------------------------------


@transaction.atomic
def membership_create(*, actor: object, organisation: Organisation, **data: Any) -> Membership:
    permissions.require(permissions.can_manage_organisation(actor, organisation.pk))
    data["organisation"] = organisation
    return _save_with_history(
        actor=actor,
        obj=Membership(),
        data=data,
        fields=MEMBERSHIP_FIELDS,
        state=data.get("state"),
        organisation=organisation,
    )


@transaction.atomic
def membership_update(*, actor: object, membership: Membership, **data: Any) -> Membership:
    permissions.require(permissions.can_manage_organisation(actor, membership.organisation_id))
    data.pop("organisation", None)
    data.pop("state", None)
    return _save_with_history(
        actor=actor,
        obj=membership,
        data=data,
        fields=MEMBERSHIP_FIELDS,
        state=membership.state,
        organisation=membership.organisation,
    )


@transaction.atomic
def membership_delete(*, actor: object, membership: Membership) -> None:
    permissions.require(permissions.can_manage_organisation(actor, membership.organisation_id))
    _delete_with_history(
        actor=actor,
        obj=membership,
        fields=MEMBERSHIP_FIELDS,
        state=membership.state,
        organisation=membership.organisation,
    )


# --- points of contact ---------------------------------------------------------------------------


def _set_channels(poc: PointOfContact, channels: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Replace the channels of a point of contact; returns the change for the history."""
    before = [f"{c.kind}:{c.value}" for c in poc.channels.all()]
    poc.channels.all().delete()
    errors: list[dict[str, str]] = []
    for index, item in enumerate(channels):
        channel = ContactChannel(
            point_of_contact=poc,
            kind=item.get("kind", ""),
            value=(item.get("value") or "").strip(),
            is_primary=bool(item.get("is_primary")),
            note=item.get("note", ""),
        )
        try:
            channel.full_clean(exclude=["point_of_contact"])
        except Exception as exc:  # ValidationError: report with its position
            for field, messages in getattr(exc, "message_dict", {"": [str(exc)]}).items():
                errors.extend(
                    {"field": f"channels[{index}].{field}", "message": m} for m in messages
                )
            continue
        channel.save()
    if errors:
        raise DirectoryError(_("A contact channel is not valid."), details=errors)
    after = [f"{c['kind']}:{(c.get('value') or '').strip()}" for c in channels]
    return {"channels": [before, after]} if before != after else {}


def _normalise_poc_data(data: dict[str, Any]) -> None:
    """Accept the ways people write these fields ('kk, RU', '0123 4567 ...') before validation."""
    if "languages" in data:
        data["languages"] = normalise_languages(data["languages"])
    if "pgp_fingerprint" in data:
        data["pgp_fingerprint"] = normalise_fingerprint(data["pgp_fingerprint"])


# The namespace of the advisory locks on adding points of contact ("CBM" and 1), so that they
# cannot meet another feature's advisory locks on the same number.
_POC_INSERT_LOCK = 0x43424D01


def point_of_contact_insert_lock(*, state_ids: Iterable[int], exclusive: bool = False) -> None:
    """Hold, until the transaction ends, the lock on adding points of contact to these states:
    shared by everything that adds one (several may add at once), exclusive for a directory
    import, which checks that the points of contact it adds do not exist yet. The database has
    no unique key for a point of contact (its natural key includes an optional organisation),
    and its foreign keys are checked only at commit, so no row lock would make the import wait
    for one being added. PostgreSQL only: SQLite lets one writer at a time anyway. Taken in
    ascending order, so that two imports never deadlock."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        for state_id in sorted(set(state_ids)):
            # Two int4 keys; a state id beyond them only shares a lock (waits more), never less.
            cursor.execute(f"SELECT {function}(%s, %s)", [_POC_INSERT_LOCK, state_id % 2**31])


@transaction.atomic
def point_of_contact_create(
    *, actor: object, state: State, channels: list[dict[str, Any]] | None = None, **data: Any
) -> PointOfContact:
    permissions.require(
        permissions.can_manage_points_of_contact(actor, state.pk),
        _("Only a focal point of this state may add its points of contact."),
    )
    point_of_contact_insert_lock(state_ids=[state.pk])
    data["state"] = state
    _normalise_poc_data(data)
    return _save_with_history(
        actor=actor,
        obj=PointOfContact(),
        data=data,
        fields=POC_FIELDS,
        state=state,
        organisation=data.get("organisation"),
        after_save=(lambda saved: _set_channels(saved, channels)) if channels else None,
    )


@transaction.atomic
def point_of_contact_update(
    *,
    actor: object,
    point_of_contact: PointOfContact,
    channels: list[dict[str, Any]] | None = None,
    **data: Any,
) -> PointOfContact:
    permissions.require(
        permissions.can_manage_points_of_contact(actor, point_of_contact.state_id),
        _("Only a focal point of this state may change its points of contact."),
    )
    poc = PointOfContact.objects.select_for_update().get(pk=point_of_contact.pk)
    data.pop("state", None)  # a point of contact does not move to another state
    _normalise_poc_data(data)
    return _save_with_history(
        actor=actor,
        obj=poc,
        data=data,
        fields=POC_FIELDS,
        state=poc.state,
        # The history is filed under the organisation the point of contact has after the change.
        organisation=data.get("organisation", poc.organisation),
        after_save=(lambda saved: _set_channels(saved, channels)) if channels is not None else None,
    )


@transaction.atomic
def point_of_contact_delete(*, actor: object, point_of_contact: PointOfContact) -> None:
    permissions.require(
        permissions.can_manage_points_of_contact(actor, point_of_contact.state_id),
        _("Only a focal point of this state may remove its points of contact."),
    )
    _delete_with_history(
        actor=actor,
        obj=point_of_contact,
        fields=POC_FIELDS,
        state=point_of_contact.state,
        organisation=point_of_contact.organisation,
    )
