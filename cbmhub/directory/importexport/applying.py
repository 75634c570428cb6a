"""Step 3 of an import: apply (one transaction), through the directory services; and
``import_directory``, which runs the three steps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from .. import permissions, selectors, services, validators
from ..models import Body, Membership, Organisation, PointOfContact, State
from .parsing import parse
from .records import ImportResult, Problem, Record
from .schema import KINDS
from .validation import check

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
