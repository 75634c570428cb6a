"""Step 3 of an import, first half: *plan*. Every checked record is matched to the directory,
checked against the permission rules and the models' validation, and turned into a step to
write — reading only, outside any transaction, so that a dry run or a long check never holds
the database's write lock (on SQLite one writer at a time: the hotline must not wait for it).

Permission and data problems are reported together: a refused record is still validated, so
that the person importing sees every problem of the file in one check.

What the directory holds is read once (one query per table), and a record refers to it through
dictionaries, so planning takes time linear in the file and the directory.

The plan keeps, for every existing row it will update, the values that row had when it was read
(``Plan.seen``): the writer locks those rows and compares, so that an edit committed (or still in
flight) after planning is never overwritten by the import (``writing``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from cbmhub.core.codes import normalise_code

from .. import permissions, services, validators
from ..models import (
    Body,
    ChangeRecord,
    ContactChannel,
    Membership,
    Organisation,
    PointOfContact,
    State,
    StateAlias,
)
from .records import Problem, Record
from .schema import KINDS

_REFUSED = "You may not change this record."  # the services' message, already translated
_POC_REFUSED_CREATE = "Only a focal point of this state may add its points of contact."
# The same record under another code (KAZ and KZ): check() compares the codes as written.
_SAME_AS_EARLIER = "The same record as an earlier one in this file (another code for its state)."
_POC_REFUSED_UPDATE = "Only a focal point of this state may change its points of contact."

# The columns an update of a point of contact writes: all of them (one bulk UPDATE per batch),
# but its creation time and its account, which only the services set.
POC_WRITTEN = [
    f.name
    for f in PointOfContact._meta.concrete_fields
    if not f.primary_key and f.name not in ("created_at", "user")
]


@dataclass
class Step:
    """One record to write: the object with its new values, and what the history needs."""

    record: Record
    obj: models.Model
    creating: bool
    fields: list[str]  # the fields an update writes
    before: dict[str, Any]  # the snapshot before the change (empty when creating)
    channels: list[dict[str, Any]] | None = None  # points of contact: the new channel list
    aliases: list[str] = field(default_factory=list)  # states: delegation codes to add


@dataclass
class Plan:
    steps: list[Step]
    problems: list[Problem]
    summary: dict[str, dict[str, int]]
    mark: int  # the newest history entry when planning began: the writer checks it is unchanged
    # model → id → {column: value as read while planning}, for every existing row an update
    # writes and every column it writes there: the writer checks the row still has them.
    seen: dict[type[models.Model], dict[Any, dict[str, Any]]] = field(default_factory=dict)


class _Problems(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def _changed(obj: Any, values: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {
        name: values[name]
        for name in fields
        if name in values and getattr(obj, name) != values[name]
    }


def _validation_problems(record: Record, exc: ValidationError, prefix: str = "") -> list[Problem]:
    if not hasattr(exc, "error_dict"):
        return [record.problem(prefix.rstrip("."), message) for message in exc.messages]
    return [
        record.problem(prefix.rstrip(".") if name == "__all__" else f"{prefix}{name}", message)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


def _validate(record: Record, obj: models.Model, exclude: list[str], prefix: str = "") -> list:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        return _validation_problems(record, exc, prefix)
    return []


class Planner:
    """Plans one import for one actor against the directory as it is now."""

    def __init__(self, actor: object, poc_state_codes: Iterable[str] = ()):
        self.actor = actor
        self.seen: dict[type[models.Model], dict[Any, dict[str, Any]]] = {}
        self.mark = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        self.organisations = {o.acronym.upper(): o for o in Organisation.objects.all()}
        self.organisation_names = {o.name.lower(): o for o in self.organisations.values()}
        self.states: dict[str, State] = {s.iso3: s for s in State.objects.all()}
        self.states_by_iso2 = {s.iso2: s for s in self.states.values()}
        self.states_by_name = {s.name.lower(): s for s in self.states.values()}
        self.codes = {a.code: self.states[a.state.iso3] for a in StateAlias.objects.all()}
        bodies = Body.objects.select_related("organisation")
        self.bodies = {(b.organisation.acronym.upper(), b.name): b for b in bodies}
        for body in self.bodies.values():  # parents as the same objects, not a query each
            body.organisation = self.organisations[body.organisation.acronym.upper()]
        by_id = {b.pk: b for b in self.bodies.values()}
        for body in self.bodies.values():
            if body.parent_id:
                body.parent = by_id[body.parent_id]
        memberships = Membership.objects.select_related("state", "organisation")
        self.memberships = {
            (m.state.iso3, m.organisation.acronym.upper(), m.status): m for m in memberships
        }
        self.pocs: dict[tuple, PointOfContact] = {}
        # Only the points of contact of the states the file names: a file of one state's
        # contacts does not read the whole directory. A code the directory does not know yet
        # (a delegation code the same file adds) could name any state: then all are read.
        named = [self._known_state(code) for code in poc_state_codes]
        pocs = PointOfContact.objects.all()
        if all(state is not None for state in named):
            pocs = pocs.filter(state_id__in={state.pk for state in named if state and state.pk})
        pocs = (
            pocs.select_related("state", "organisation").prefetch_related("channels").order_by("id")
        )
        for poc in pocs:
            key = self._poc_key(poc.state, poc.organisation, poc.level, poc.office, poc.person_name)
            self.pocs.setdefault(key, poc)

    # --- references --------------------------------------------------------------------------

    @staticmethod
    def _poc_key(
        state: State, organisation: Organisation | None, level: str, office: str, person: str
    ) -> tuple:
        acronym = organisation.acronym.upper() if organisation else ""
        return (state.iso3, acronym, level, office, person)

    def organisation(self, record: Record, acronym: str, column: str) -> Organisation:
        found = self.organisations.get(acronym.upper()) if acronym else None
        if found is None:
            raise _Problems(
                [record.problem(column, f"No organisation has the acronym “{acronym}”.")]
            )
        return found

    def _known_state(self, code: str) -> State | None:
        """As selectors.state_for_code: a delegation code, ISO alpha-3 or alpha-2, or the name."""
        key = normalise_code(code)
        return (
            self.codes.get(key)
            or self.states.get(key)
            or self.states_by_iso2.get(key)
            or self.states_by_name.get(code.strip().lower())
        )

    def state(self, record: Record, code: str, column: str) -> State:
        found = self._known_state(code)
        if found is None:
            raise _Problems([record.problem(column, f"No state has the code “{code}”.")])
        return found

    def remember(self, obj: models.Model, fields: Iterable[str]) -> None:
        """Keep the values ``fields`` of an existing row have as read, before the plan changes
        them (called before ``setattr``); a second step on the same row keeps the first values,
        so that the writer compares with the row as the database gave it."""
        values = self.seen.setdefault(type(obj), {}).setdefault(obj.pk, {})
        for name in [*fields, "updated_at"]:  # every update writes its time stamp too
            attname = services.column(obj, name).attname
            values.setdefault(attname, getattr(obj, attname))

    # --- one record --------------------------------------------------------------------------

    def plan(self, record: Record) -> tuple[str, Step | None, list[Problem]]:
        """(outcome, step or None when unchanged, problems) for one checked record."""
        try:
            return getattr(self, f"_plan_{record.kind}")(record)
        except _Problems as exc:
            return "", None, exc.problems

    def _refused(self, record: Record, allowed: bool, message: str = _REFUSED) -> list[Problem]:
        return [] if allowed else [record.problem(_REFUSED_FIELD[record.kind], message)]

    def _plan_organisations(self, record: Record) -> tuple[str, Step | None, list[Problem]]:
        values = dict(record.values)
        existing = self.organisations.get(values["acronym"].upper())
        if existing is None:
            obj, creating, changes = Organisation(**values), True, values
            problems = self._refused(record, permissions.can_create_organisation(self.actor))
        else:
            fields = [name for name in services.ORGANISATION_FIELDS if name != "acronym"]
            changes = _changed(existing, values, fields)
            if not changes:
                return "unchanged", None, []
            obj, creating = existing, False
            allowed = permissions.can_manage_organisation(self.actor, existing.pk)
            problems = self._refused(record, allowed)
        before = {} if creating else services.snapshot(obj, services.ORGANISATION_FIELDS)
        if not creating:
            self.remember(obj, changes)
        for name, value in changes.items():
            setattr(obj, name, value)
        problems += _validate(record, obj, [])
        other = self.organisation_names.get(obj.name.lower())
        if other is not None and other is not obj and other.pk is None:
            problems.append(record.problem("name", "Another organisation already has this name."))
        self.organisations[obj.acronym.upper()] = obj
        self.organisation_names[obj.name.lower()] = obj
        step = Step(record, obj, creating, list(changes), before)
        return ("created" if creating else "updated"), step, problems

    def _plan_states(self, record: Record) -> tuple[str, Step | None, list[Problem]]:
        values = dict(record.values)
        aliases = values.pop("aliases", [])
        values["iso3"] = values["iso3"].upper()
        if "iso2" in values:
            values["iso2"] = values["iso2"].upper()
        existing = self.states.get(values["iso3"])
        obj = existing or State(**values)
        changes = values if existing is None else _changed(obj, values, services.STATE_FIELDS)
        problems: list[Problem] = []
        codes = []
        for code in aliases:
            key = normalise_code(code)
            owner = self.codes.get(key)
            if owner is None and key:
                codes.append(key)
            elif owner is not None and owner is not obj:
                problems.append(
                    record.problem("aliases", f"The code {key} already names {owner.name}.")
                )
            elif len(key) > 40:
                problems.append(record.problem("aliases", f"{key}: at most 40 characters."))
        if existing is not None and not changes and not codes and not problems:
            return "unchanged", None, []
        problems += self._refused(record, permissions.can_manage_states(self.actor))
        before = {} if existing is None else services.snapshot(obj, services.STATE_FIELDS)
        if existing is not None:
            self.remember(obj, changes)
        for name, value in changes.items():
            setattr(obj, name, value)
        problems += _validate(record, obj, [])
        clashes = (
            ("iso2", self.states_by_iso2.get(obj.iso2)),
            ("name", self.states_by_name.get(obj.name.lower())),
        )
        for column, other in clashes:  # the database's own are found by full_clean above
            if other is not None and other is not obj and other.pk is None:
                problems.append(record.problem(column, "Another state in this file has it."))
        self._register_state(obj, codes)
        step = Step(record, obj, existing is None, list(changes), before, aliases=codes)
        return ("created" if existing is None else "updated"), step, problems

    def _register_state(self, state: State, codes: list[str]) -> None:
        self.states[state.iso3] = state
        self.states_by_iso2.setdefault(state.iso2, state)
        self.states_by_name.setdefault(state.name.lower(), state)
        for code in codes:
            self.codes[code] = state

    def _plan_bodies(self, record: Record) -> tuple[str, Step | None, list[Problem]]:
        values = dict(record.values)
        organisation = self.organisation(record, values.pop("organisation"), "organisation")
        prefix = organisation.acronym.upper()
        if "parent" in values:
            name = values["parent"]
            values["parent"] = self.bodies.get((prefix, name)) if name else None
            if name and values["parent"] is None:
                raise _Problems(
                    [record.problem("parent", f"{organisation} has no body named “{name}”.")]
                )
        existing = self.bodies.get((prefix, values["name"]))
        obj = existing or Body(organisation=organisation, **values)
        fields = ["acronym", "kind", "parent", "description"]
        changes = values if existing is None else _changed(obj, values, fields)
        if not changes:
            return "unchanged", None, []
        allowed = permissions.can_manage_organisation(self.actor, organisation.pk)
        problems = self._refused(record, allowed)
        if existing is not None and changes.get("parent") is not None:
            try:
                services._check_parent(changes["parent"], organisation, body=existing)
            except services.DirectoryError as exc:
                problems.append(record.problem("parent", exc.message))
        before = {} if existing is None else services.snapshot(obj, services.BODY_FIELDS)
        if existing is not None:
            self.remember(obj, changes)
        for name, value in changes.items():
            setattr(obj, name, value)
        problems += _validate(record, obj, ["organisation", "parent"])
        self.bodies[(prefix, obj.name)] = obj
        step = Step(record, obj, existing is None, list(changes), before)
        return ("created" if existing is None else "updated"), step, problems

    def _plan_memberships(self, record: Record) -> tuple[str, Step | None, list[Problem]]:
        values = dict(record.values)
        state = self.state(record, values.pop("state"), "state")
        organisation = self.organisation(record, values.pop("organisation"), "organisation")
        key = (state.iso3, organisation.acronym.upper(), values["status"])
        existing = self.memberships.get(key)
        if existing is not None and existing.pk is None:
            raise _Problems([record.problem("", _SAME_AS_EARLIER)])
        obj = existing or Membership(state=state, organisation=organisation, **values)
        changes = values if existing is None else _changed(obj, values, ["since", "until"])
        if not changes:
            return "unchanged", None, []
        allowed = permissions.can_manage_organisation(self.actor, organisation.pk)
        problems = self._refused(record, allowed)
        before = {} if existing is None else services.snapshot(obj, services.MEMBERSHIP_FIELDS)
        if existing is not None:
            self.remember(obj, changes)
        for name, value in changes.items():
            setattr(obj, name, value)
        problems += _validate(record, obj, ["state", "organisation"])
        self.memberships[key] = obj
        step = Step(record, obj, existing is None, list(changes), before)
        return ("created" if existing is None else "updated"), step, problems

    def _plan_points_of_contact(self, record: Record) -> tuple[str, Step | None, list[Problem]]:
        values = dict(record.values)
        state = self.state(record, values.pop("state"), "state")
        acronym = values.pop("organisation", "")
        organisation = self.organisation(record, acronym, "organisation") if acronym else None
        values["organisation"] = organisation
        channels = values.pop("channels", None)
        # Normalised as stored, so that validation sees 'en,ru' and a re-import sees no change.
        if "languages" in values:
            values["languages"] = validators.normalise_languages(values["languages"])
        if "pgp_fingerprint" in values:
            values["pgp_fingerprint"] = validators.normalise_fingerprint(values["pgp_fingerprint"])
        key = self._poc_key(
            state, organisation, values["level"], values["office"], values.get("person_name", "")
        )
        existing = self.pocs.get(key)
        if existing is not None and existing.pk is None:
            raise _Problems([record.problem("", _SAME_AS_EARLIER)])
        if existing is None:
            obj, changes = PointOfContact(state=state, **values), values
            channels = channels or None
        else:
            obj, changes = existing, _changed(existing, values, services.POC_FIELDS)
            channels = _channels_change(existing, channels, with_note=record.source == "json")
            if not changes and channels is None:
                return "unchanged", None, []
        allowed = permissions.can_manage_points_of_contact(self.actor, state.pk)
        message = _POC_REFUSED_CREATE if existing is None else _POC_REFUSED_UPDATE
        problems = self._refused(record, allowed, message)
        before = {} if existing is None else services.snapshot(obj, services.POC_FIELDS)
        if existing is not None:  # the bulk UPDATE writes every column, and the channels
            self.remember(obj, POC_WRITTEN)
        for name, value in changes.items():
            setattr(obj, name, value)
        problems += _validate(record, obj, ["state", "organisation", "user"])
        problems += _channel_problems(record, channels or [])
        self.pocs[key] = obj
        step = Step(record, obj, existing is None, list(changes), before, channels=channels)
        return ("created" if existing is None else "updated"), step, problems


_REFUSED_FIELD = {
    "organisations": "acronym",
    "states": "iso3",
    "bodies": "organisation",
    "memberships": "organisation",
    "points_of_contact": "state",
}


def _channel_tuple(channel: dict[str, Any]) -> tuple:
    return (channel["kind"], channel["value"], bool(channel["is_primary"]), channel["note"])


def _channels_change(
    poc: PointOfContact, channels: list[dict[str, Any]] | None, *, with_note: bool
) -> list[dict[str, Any]] | None:
    """The new channel list, or None when the file leaves them as they are."""
    if channels is None:
        return None
    current = [
        {"kind": c.kind, "value": c.value, "is_primary": c.is_primary, "note": c.note}
        for c in poc.channels.all()
    ]
    if not with_note:  # a CSV cell has no notes: keep the stored ones
        notes = {(c["kind"], c["value"]): c["note"] for c in current}
        for channel in channels:
            channel["note"] = notes.get((channel["kind"], channel["value"]), "")
    if sorted(map(_channel_tuple, channels)) == sorted(map(_channel_tuple, current)):
        return None
    return channels


def _channel_problems(record: Record, channels: list[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(channels):
        channel = ContactChannel(
            kind=item["kind"], value=item["value"], is_primary=item["is_primary"], note=item["note"]
        )
        where = f"channels[{index}]."
        problems += _validate(record, channel, ["point_of_contact"], where)
        if (item["kind"], item["value"]) in seen:
            problems.append(record.problem(f"{where}value", "The same channel twice."))
        seen.add((item["kind"], item["value"]))
    return problems


def plan(records: list[Record], *, actor: object) -> Plan:
    """Plan the checked records (already in the order they apply); reads only."""
    codes = {r.values["state"] for r in records if r.kind == "points_of_contact"}
    planner = Planner(actor, codes)
    steps: list[Step] = []
    problems: list[Problem] = []
    summary = {kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in KINDS}
    for record in records:
        outcome, step, found = planner.plan(record)
        problems += found
        if found:
            continue
        summary[record.kind][outcome] += 1
        if step is not None:
            steps.append(step)
    return Plan(
        steps=steps, problems=problems, summary=summary, mark=planner.mark, seen=planner.seen
    )
