"""Writes of the exchange: arrangements and their collections, STIX objects into a collection
(TAXII pushes, bundle imports, the incident form, subscriptions), deletions, subscriptions.

Each function takes ``actor=`` and checks ``permissions.py`` first; ``None`` is refused. A
refusal is ``core.errors.Forbidden``; anything else wrong is ``ExchangeError`` naming the input.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import DomainError, full_clean_or_raise
from cbmhub.directory.models import Organisation, State
from cbmhub.hotline import services as hotline_services

from . import permissions, stix, tlp, validation
from .choices import ArrangementKind
from .models import (
    Arrangement,
    Collection,
    HotlineReference,
    Participant,
    Status,
    StixObject,
    Subscription,
)

_ONE_MICROSECOND = dt.timedelta(microseconds=1)
_BATCH = 1000


class ExchangeError(DomainError):
    """A request the exchange refuses; ``field`` names the input it is about."""


def _validated(instance: Any) -> None:
    full_clean_or_raise(instance, ExchangeError)


# --- arrangements ----------------------------------------------------------------------------


@transaction.atomic
def arrangement_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    states: list[State],
    organisation: Organisation | None = None,
    description: str = "",
    collection_title: str = "",
    default_tlp: str = tlp.AMBER,
) -> Arrangement:
    """A new arrangement with its participants (read and write rights) and a first collection."""
    arrangement = Arrangement(
        name=name, kind=kind, organisation=organisation, description=description
    )
    permissions.require_administer(actor, arrangement)
    if kind == ArrangementKind.BILATERAL and len({s.pk for s in states}) != 2:
        raise ExchangeError(_("A bilateral arrangement has exactly two states."), field="states")
    if kind == ArrangementKind.NETWORK and not states:
        raise ExchangeError(_("A network needs at least one participating state."), field="states")
    _validated(arrangement)
    arrangement.save()
    for state in {s.pk: s for s in states}.values():
        Participant.objects.create(arrangement=arrangement, state=state)
    collection_create(
        actor=actor,
        arrangement=arrangement,
        title=collection_title or _("Shared objects"),
        default_tlp=default_tlp,
    )
    return arrangement


@transaction.atomic
def arrangement_update(*, actor: Any, arrangement: Arrangement, **fields: Any) -> Arrangement:
    permissions.require_administer(actor, arrangement)
    allowed = {"name", "description", "is_active"}
    for name, value in fields.items():
        if name not in allowed:
            raise ExchangeError(_("This field cannot be changed."), field=name)
        setattr(arrangement, name, value)
    _validated(arrangement)
    arrangement.save(update_fields=[*fields, "updated_at"])
    return arrangement


@transaction.atomic
def participant_set(
    *, actor: Any, arrangement: Arrangement, state: State, can_read: bool, can_write: bool
) -> Participant:
    """Add a state to an arrangement, or change its rights."""
    permissions.require_administer(actor, arrangement)
    participant, _created = Participant.objects.update_or_create(
        arrangement=arrangement,
        state=state,
        defaults={"can_read": can_read, "can_write": can_write},
    )
    return participant


@transaction.atomic
def red_recipients_set(*, actor: Any, arrangement: Arrangement, users: list[Any]) -> None:
    """Name the people who receive TLP:RED: each must act for a participating state."""
    permissions.require_administer(actor, arrangement)
    state_ids = set(arrangement.participants.values_list("state_id", flat=True))
    for user in users:
        if roles.state_id_of(user) not in state_ids:
            raise ExchangeError(
                _("%(user)s does not act for a participating state.") % {"user": user},
                field="red_recipients",
            )
    arrangement.red_recipients.set(users)


@transaction.atomic
def collection_create(
    *, actor: Any, arrangement: Arrangement, title: str, default_tlp: str, description: str = ""
) -> Collection:
    permissions.require_administer(actor, arrangement)
    collection = Collection(
        arrangement=arrangement, title=title, default_tlp=default_tlp, description=description
    )
    _validated(collection)
    collection.save()
    return collection


@transaction.atomic
def exercise_collection_open(
    *, actor: Any, arrangement: Arrangement, title: str, states: list[State], default_tlp: str
) -> Collection:
    """The exercise collection of an arrangement for one exercise run (got or created by its
    title): only ``states`` see it, and nothing in it is counted or listed as real."""
    if not roles.is_system(actor):
        permissions.require_administer(actor, arrangement)
    collection = Collection.objects.filter(arrangement=arrangement, title=title).first()
    if collection is not None and not collection.is_exercise:
        raise ExchangeError(
            _("A collection of this arrangement already has this title."), field="title"
        )
    if collection is None:
        collection = Collection(
            arrangement=arrangement, title=title, default_tlp=default_tlp, is_exercise=True
        )
        _validated(collection)
        collection.save()
    collection.exercise_states.add(*states)
    return collection


# --- objects ---------------------------------------------------------------------------------


@dataclass
class AddResult:
    """What became of each object of one push: stored (or already stored) and refused."""

    successes: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    validation_seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.successes) + len(self.failures)


def _failure(obj: Any, message: str, index: int) -> dict[str, Any]:
    object_id = obj.get("id") if isinstance(obj, dict) else None
    return {
        "id": object_id if isinstance(object_id, str) else f"objects[{index}]",
        "version": str(obj.get("modified") or obj.get("created") or "")
        if isinstance(obj, dict)
        else "",
        "message": message,
    }


def _known_marking_levels(collection: Collection, objects: list[Any]) -> dict[str, str]:
    """Marking definitions that stand for a TLP level under an id of their own (OpenCTI, MISP),
    from the push itself and from what the collection already holds."""
    known: dict[str, str] = {}
    stored = StixObject.objects.filter(collection=collection, type="marking-definition")
    for raw in stored.values_list("raw", flat=True):
        definition = json.loads(raw)
        if level := tlp.definition_level(definition):
            known[definition["id"]] = level
    for obj in objects:
        if isinstance(obj, dict) and (level := tlp.definition_level(obj)):
            known[str(obj["id"])] = level
    return known


@dataclass
class _Checked:
    obj: dict[str, Any]
    level: str
    fields: stix.Indexed
    granular: str | None


def _check_objects(
    collection: Collection, objects: list[Any], result: AddResult, *, validate: bool
) -> list[_Checked]:
    known = _known_marking_levels(collection, objects)
    checked: list[_Checked] = []
    started = dt.datetime.now(tz=dt.UTC)
    verdicts = (
        validation.errors_many(objects, workers=_validation_workers())
        if validate
        else [validation.shape_errors(obj) for obj in objects]
    )
    for index, (obj, problems) in enumerate(zip(objects, verdicts, strict=True)):
        if problems:
            result.failures.append(_failure(obj, "; ".join(problems), index))
            continue
        normalised, level = tlp.normalise(obj, default=collection.default_tlp, known=known)
        checked.append(
            _Checked(
                obj=normalised,
                level=level,
                fields=stix.indexed(normalised),
                granular=tlp.strictest_granular(normalised),
            )
        )
    result.validation_seconds += (dt.datetime.now(tz=dt.UTC) - started).total_seconds()
    return checked


def _validation_workers() -> int:
    """Processes that validate a large push (``CBMHUB_EXCHANGE_VALIDATION_WORKERS``: 0, the
    default, validates in the request's own process; "auto" uses every core)."""
    value = getattr(settings, "CBMHUB_EXCHANGE_VALIDATION_WORKERS", 0)
    if value == "auto":
        return validation.default_workers()
    return int(value or 0)


def objects_add(
    *,
    actor: Any,
    collection: Collection,
    objects: list[Any],
    validate: bool = True,
    source_state: State | None = None,
) -> AddResult:
    """Validate, normalise (TLP) and store objects; an invalid object is refused with its id and
    the validator's message and the others are kept. An (id, version) already in the collection
    is a success stored once. Each new object's ``date_added`` is later than every earlier one
    of the collection (the collection row is locked while they are numbered)."""
    permissions.require_write(actor, collection)
    result = AddResult()
    checked = _check_objects(collection, objects, result, validate=validate)
    for start in range(0, len(checked), _BATCH * 10):
        _store(actor, collection, checked[start : start + _BATCH * 10], result, source_state)
    return result


@transaction.atomic
def _store(
    actor: Any,
    collection: Collection,
    checked: list[_Checked],
    result: AddResult,
    source_state: State | None,
) -> None:
    locked = Collection.objects.select_for_update().get(pk=collection.pk)
    unique: dict[tuple[str, str], _Checked] = {}
    for item in checked:
        unique.setdefault((item.fields.stix_id, item.fields.version), item)
    existing = _existing_versions(locked, {key[0] for key in unique})
    now = timezone.now()
    added = (
        now
        if locked.last_added is None or now > locked.last_added
        else locked.last_added + _ONE_MICROSECOND
    )
    user = roles.user_or_none(actor)
    state = source_state or (
        State(pk=roles.state_id_of(actor)) if roles.state_id_of(actor) else None
    )
    rows: list[StixObject] = []
    for item in checked:
        key = (item.fields.stix_id, item.fields.version)
        entry = {"id": key[0], "version": item.obj.get("modified") or item.obj.get("created", "")}
        if key in existing or unique.get(key) is not item:
            result.duplicates += 1
            result.successes.append({**entry, "message": "already stored"})
            continue
        rows.append(_row(locked, item, added, user, state))
        added += _ONE_MICROSECOND
        result.successes.append(entry)
    if not rows:
        return
    # An id new to the collection and present once in the push is its own latest version,
    # written so at once; only ids with other versions go through _mark_latest.
    stored_ids = {stix_id for stix_id, _version in existing}
    per_id = Counter(row.stix_id for row in rows)
    for row in rows:
        row.is_latest = row.stix_id not in stored_ids and per_id[row.stix_id] == 1
    StixObject.objects.bulk_create(rows, batch_size=_BATCH)
    result.stored += len(rows)
    locked.last_added = added - _ONE_MICROSECOND
    locked.save(update_fields=["last_added"])
    collection.last_added = locked.last_added
    _mark_latest(locked, {row.stix_id for row in rows if not row.is_latest})


def _row(
    collection: Collection, item: _Checked, added: dt.datetime, user: Any, state: Any
) -> StixObject:
    fields = item.fields
    return StixObject(
        collection=collection,
        stix_id=fields.stix_id,
        type=fields.type,
        spec_version=fields.spec_version,
        created=fields.created,
        modified=fields.modified,
        version=fields.version,
        date_added=added,
        created_by_ref=fields.created_by_ref,
        markings=fields.markings,
        tlp=item.level,
        tlp_rank=tlp.RANK[item.level],
        granular_rank=tlp.RANK[item.granular] if item.granular else None,
        is_latest=False,
        name=fields.name,
        raw=stix.dumps(item.obj),
        added_by=user,
        source_state=state,
    )


def _existing_versions(collection: Collection, stix_ids: set[str]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    ids = sorted(stix_ids)
    for start in range(0, len(ids), _BATCH):
        found.update(
            StixObject.objects.filter(
                collection=collection, stix_id__in=ids[start : start + _BATCH]
            ).values_list("stix_id", "version")
        )
    return found


def _mark_latest(collection: Collection, stix_ids: set[str]) -> None:
    """``is_latest`` on the newest version of each id, off on the others (the newest by
    version, then by date added)."""
    ids = sorted(stix_ids)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        newest: dict[str, tuple[str, int]] = {}
        rows = StixObject.objects.filter(collection=collection, stix_id__in=chunk).values_list(
            "stix_id", "version", "pk"
        )
        for stix_id, version, pk in rows:
            if stix_id not in newest or (version, pk) > newest[stix_id]:
                newest[stix_id] = (version, pk)
        latest_pks = [pk for _version, pk in newest.values()]
        StixObject.objects.filter(collection=collection, stix_id__in=chunk, is_latest=True).exclude(
            pk__in=latest_pks
        ).update(is_latest=False)
        StixObject.objects.filter(pk__in=latest_pks, is_latest=False).update(is_latest=True)


def status_record(*, actor: Any, collection: Collection, result: AddResult) -> Status:
    """The TAXII status resource of a push (written after the objects)."""
    permissions.require_write(actor, collection)
    status = Status(
        collection=collection,
        user=roles.user_or_none(actor),
        total_count=result.total,
        successes=result.successes,
        failures=result.failures,
    )
    status.save()
    return status


@transaction.atomic
def objects_delete(
    *, actor: Any, collection: Collection, stix_id: str, versions: list[str] | None = None
) -> int:
    """Delete an object's versions (all, or those named) from a collection; the number gone."""
    permissions.require_write(actor, collection)
    rows = StixObject.objects.filter(collection=collection, stix_id=stix_id)
    if versions is not None:
        rows = rows.filter(version__in=versions)
    deleted, _by_model = rows.delete()
    _mark_latest(collection, {stix_id})
    return deleted


# --- subscriptions ---------------------------------------------------------------------------


@transaction.atomic
def subscription_create(
    *,
    actor: Any,
    collection: Collection,
    name: str,
    url: str,
    username: str = "",
    password: str = "",
    interval_seconds: int = 3600,
) -> Subscription:
    """Pull a remote TAXII collection into ``collection``: only who may write to it."""
    permissions.require_write(actor, collection)
    subscription = Subscription(
        collection=collection,
        name=name,
        url=url,
        username=username,
        password=password,
        interval_seconds=interval_seconds,
        created_by=roles.user_or_none(actor),
        next_run_at=timezone.now(),
    )
    _validated(subscription)
    subscription.save()
    return subscription


def subscription_save_progress(
    *, actor: Any, subscription: Subscription, added_after: str, next_token: str, pulled: int
) -> None:
    """Where a pull has got to, saved after each page (a crash resumes from here)."""
    roles_guard(actor)
    Subscription.objects.filter(pk=subscription.pk).update(
        added_after=added_after,
        next_token=next_token,
        objects_pulled=subscription.objects_pulled + pulled,
    )
    subscription.added_after, subscription.next_token = added_after, next_token
    subscription.objects_pulled += pulled


def subscription_finish(
    *, actor: Any, subscription: Subscription, error: str = "", now: dt.datetime | None = None
) -> None:
    """The end of a pull: the state (error with its message, or working) and the next run."""
    roles_guard(actor)
    now = now or timezone.now()
    Subscription.objects.filter(pk=subscription.pk).update(
        state="error" if error else "ok",
        last_error=error[:2000],
        last_run_at=now,
        next_run_at=now + dt.timedelta(seconds=subscription.interval_seconds),
    )


def roles_guard(actor: Any) -> None:
    """Only the system (the worker, the pull command) records pulls."""
    if not roles.is_system(actor):
        raise permissions.Forbidden(_("Only the system records subscription pulls."))


# --- the incident report form ----------------------------------------------------------------


@dataclass
class IncidentResult:
    report_id: str
    objects: list[dict[str, Any]]
    result: AddResult


def incident_report_file(
    *,
    actor: Any,
    collection: Collection,
    title: str,
    description: str,
    severity: str,
    sectors: list[str],
    indicators_text: str,
    level: str,
    now: dt.datetime | None = None,
    source_state: State | None = None,
) -> IncidentResult:
    """An incident report in plain terms, stored as valid STIX (identity, incident, indicators,
    observed-data with their SCOs, relationships, a report) under the chosen TLP level.
    ``source_state``: the state it is shared as when the actor is the system (an exercise)."""
    permissions.require_write(actor, collection)
    if level not in tlp.RANK:
        raise ExchangeError(_("Choose a TLP level."), field="tlp")
    if not title.strip():
        raise ExchangeError(_("Say in a few words what happened."), field="title")
    indicators, problems = stix.parse_indicator_lines(indicators_text)
    if problems:
        number, value, _message = problems[0]
        raise ExchangeError(
            _("Line %(line)s (%(value)s) is not an IP address, domain, URL or file hash.")
            % {"line": number, "value": value},
            field="indicators",
        )
    state_id = roles.state_id_of(actor)
    state = State.objects.filter(pk=state_id).first() if state_id else source_state
    report = stix.IncidentReport(
        title=title.strip(),
        description=description.strip() or title.strip(),
        severity=severity,
        sectors=sectors,
        indicators=indicators,
        marking_ref=tlp.TLP2_IDS[level],
        identity_name=f"CERT of {state.name}" if state else "CBM Hub",
    )
    objects = stix.incident_bundle(report, now=now or timezone.now())
    result = objects_add(actor=actor, collection=collection, objects=objects, source_state=state)
    if result.failures:
        raise ExchangeError(
            _("The report could not be turned into valid STIX: %(reason)s")
            % {"reason": result.failures[0]["message"]},
            field="indicators",
        )
    return IncidentResult(report_id=objects[-1]["id"], objects=objects, result=result)


# --- the hotline link ------------------------------------------------------------------------


@transaction.atomic
def hotline_notify(
    *,
    actor: Any,
    channel: Any,
    objects: list[StixObject],
    kind: str,
    priority: str,
    subject: str,
    body: str,
) -> Any:
    """Send a hotline message (an incident notification or a request for assistance) that
    references shared objects: the hotline sends it as any other message; the references are
    kept here, and the receiving state opens each object subject to its TLP."""
    if not objects:
        raise ExchangeError(_("Choose at least one shared object."), field="objects")
    for obj in objects:
        if not StixObject.objects.filter(permissions.object_filter(actor), pk=obj.pk).exists():
            raise ExchangeError(
                _("You may not reference an object you cannot read."), field="objects"
            )
    result = hotline_services.message_send(
        actor=actor,
        channel=channel,
        kind=kind,
        priority=priority,
        subject=subject,
        body=body,
        tlp=_hotline_tlp(max(objects, key=lambda o: o.tlp_rank).tlp),
    )
    for obj in objects:
        HotlineReference.objects.get_or_create(
            message=result.message, collection_id=obj.collection_id, stix_id=obj.stix_id
        )
    return result.message


def _hotline_tlp(level: str) -> str:
    """The hotline's TLP value for a level (the hotline writes them in capitals)."""
    return level.upper()
