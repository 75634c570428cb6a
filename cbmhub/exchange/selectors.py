"""Reads of the exchange. The one read path for shared objects is ``visible_objects`` (with
``served`` for what a reader receives of each): the TAXII endpoints, the pages, the API, the
exports and the hotline panel all use it, so TLP and granular redaction apply everywhere the
same way (``permissions.py`` holds the rules)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cbmhub.core import roles
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import Organisation

from . import permissions, tlp
from .choices import ArrangementKind
from .models import (
    Arrangement,
    Collection,
    HotlineReference,
    Participant,
    StixObject,
    Subscription,
)


def visible_collections(user: Any) -> QuerySet[Collection]:
    return (
        Collection.objects.filter(permissions.collection_filter(user))
        .select_related("arrangement")
        .order_by("arrangement__name", "title")
    )


def access_collection(user: Any, collection_id: Any) -> Collection:
    """A collection the user may see, else 404 (its existence is not revealed)."""
    pk = uuid_or_none(collection_id)
    collection = visible_collections(user).filter(pk=pk).first() if pk else None
    if collection is None:
        raise Http404("No such collection.")
    return collection


def uuid_or_none(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def visible_objects(user: Any, *, collection: Collection | None = None) -> QuerySet[StixObject]:
    """Every object version the user may read (TLP applied; granular redaction is ``served``)."""
    objects = StixObject.objects.filter(permissions.object_filter(user))
    if collection is not None:
        objects = objects.filter(collection=collection)
    return objects


def _arrangement_id(obj: StixObject) -> int:
    cached = getattr(obj, "_arrangement_id", None)
    if cached is None:
        cached = (
            Collection.objects.filter(pk=obj.collection_id)
            .values_list("arrangement_id", flat=True)
            .get()
        )
        obj._arrangement_id = cached  # type: ignore[attr-defined]
    return int(cached)


def served_raw(user: Any, obj: StixObject, *, arrangement_id: int | None = None) -> str:
    """The object's JSON as this reader receives it: verbatim, or with the properties that a
    stricter granular marking selects removed."""
    if obj.granular_rank is None:
        return obj.raw
    if arrangement_id is not None:
        obj._arrangement_id = arrangement_id  # type: ignore[attr-defined]
    level = permissions.access_of(user).level(_arrangement_id(obj))
    if level is not None and obj.granular_rank <= tlp.RANK[level]:
        return obj.raw
    return json.dumps(
        tlp.redact(json.loads(obj.raw), level), ensure_ascii=False, separators=(",", ":")
    )


def served(user: Any, obj: StixObject, *, arrangement_id: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(served_raw(user, obj, arrangement_id=arrangement_id))
    return data


def access_object(user: Any, pk: Any) -> StixObject:
    """One object version by its row id, if the user may read it; else 404."""
    obj = (
        visible_objects(user)
        .select_related("collection__arrangement", "source_state")
        .filter(pk=int_or_404(pk))
        .first()
    )
    if obj is None:
        raise Http404("No such object.")
    return obj


def object_versions(user: Any, obj: StixObject) -> QuerySet[StixObject]:
    return (
        visible_objects(user, collection=obj.collection)
        .filter(stix_id=obj.stix_id)
        .order_by("version", "pk")
    )


@dataclass
class Related:
    """One relationship of an object, as its page lists it."""

    relationship: StixObject
    kind: str
    other_ref: str
    other: StixObject | None  # the object at the other end, when the reader may see it


def object_relationships(user: Any, obj: StixObject) -> list[Related]:
    """Latest visible relationships whose source or target is the object, with the object at
    the other end when the reader may see it."""
    visible = visible_objects(user, collection=obj.collection)
    candidates = visible.filter(type="relationship", is_latest=True).filter(
        Q(raw__contains=f'"source_ref":"{obj.stix_id}"')
        | Q(raw__contains=f'"target_ref":"{obj.stix_id}"')
    )[:200]
    found: list[tuple[StixObject, str, str]] = []
    for relationship in candidates:
        data = served(user, relationship, arrangement_id=obj.collection.arrangement_id)
        source, target = data.get("source_ref"), data.get("target_ref")
        other = target if source == obj.stix_id else source
        if isinstance(other, str):
            found.append((relationship, str(data.get("relationship_type", "")), other))
    ends = {
        end.stix_id: end
        for end in visible.filter(stix_id__in=[other for _r, _k, other in found], is_latest=True)
    }
    return [Related(rel, kind, other, ends.get(other)) for rel, kind, other in found]


def search_objects(
    user: Any,
    *,
    text: str = "",
    types: list[str] | None = None,
    levels: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    collection: Collection | None = None,
) -> QuerySet[StixObject]:
    """The latest versions the user may read, filtered as the list page asks."""
    objects = visible_objects(user, collection=collection).filter(is_latest=True)
    if text:
        objects = objects.filter(Q(name__icontains=text) | Q(stix_id=text.strip()))
    if types:
        objects = objects.filter(type__in=types)
    if levels:
        objects = objects.filter(tlp__in=levels)
    if since:
        objects = objects.filter(date_added__date__gte=since)
    if until:
        objects = objects.filter(date_added__date__lte=until)
    return objects.select_related("collection__arrangement").order_by("-date_added", "-pk")


def administrable_arrangements(user: Any) -> QuerySet[Arrangement]:
    return (
        Arrangement.objects.filter(permissions.administrable_filter(user))
        .select_related("organisation")
        .prefetch_related("participants__state", "collections")
        .order_by("name")
    )


def visible_arrangements(user: Any) -> QuerySet[Arrangement]:
    """Arrangements the user takes part in or sees (clearance), or administers."""
    access = permissions.access_of(user)
    visible = Q(pk__in=sorted(set(access.clearance) | access.administers))
    collections = Collection.objects.filter(permissions.collection_filter(user))
    return (
        Arrangement.objects.filter(visible)
        .select_related("organisation")
        .prefetch_related("participants__state", Prefetch("collections", queryset=collections))
        .order_by("name")
    )


def access_arrangement(user: Any, pk: Any) -> Arrangement:
    arrangement = visible_arrangements(user).filter(pk=int_or_404(pk)).first()
    if arrangement is None:
        raise Http404("No such arrangement.")
    return arrangement


def organisation_of(user: Any) -> Organisation | None:
    """The organisation a secretariat officer acts for (arrangements they create are under it)."""
    organisation_id = roles.organisation_id_of(user)
    return Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None


def writable_collections(user: Any) -> QuerySet[Collection]:
    return visible_collections(user).filter(
        arrangement_id__in=sorted(permissions.access_of(user).writable)
    )


def visible_subscriptions(user: Any) -> QuerySet[Subscription]:
    """Subscriptions into collections the user sees (the remote's password is never shown)."""
    return (
        Subscription.objects.filter(
            collection__in=Collection.objects.filter(permissions.collection_filter(user))
        )
        .select_related("collection__arrangement")
        .order_by("name", "pk")
    )


def due_subscriptions(*, now: dt.datetime | None = None) -> list[Subscription]:
    now = now or timezone.now()
    return list(
        Subscription.objects.filter(is_active=True)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
        .select_related("collection")
        .order_by("next_run_at", "pk")
    )


def message_references(
    user: Any, message_id: int
) -> list[tuple[HotlineReference, StixObject | None]]:
    """The objects a hotline message references, each with its latest version the user may
    read (None: not visible to this reader, by TLP or arrangement)."""
    references = list(HotlineReference.objects.filter(message_id=message_id).order_by("pk"))
    if not references:
        return []
    found = {
        (obj.collection_id, obj.stix_id): obj
        for obj in visible_objects(user)
        .filter(stix_id__in=[r.stix_id for r in references], is_latest=True)
        .select_related("collection__arrangement")
    }
    return [(ref, found.get((ref.collection_id, ref.stix_id))) for ref in references]


# --- reads for the measures' early warning and the exercises ---------------------------------

#: Incident severities that raise the early-warning signal (the form's labels "severity:…").
SEVERE = ("high", "critical")


def severe_incidents_by_state(organisation_id: int, since: dt.datetime) -> dict[int | None, int]:
    """Real incidents rated high or critical, shared since ``since`` in the organisation's
    arrangements, counted per sharing state (latest versions; exercise collections never).
    Only levels every reading participant may read (TLP:CLEAR to TLP:AMBER) are counted, so an
    aggregate never rests on what a reader may not see (AMBER+STRICT, RED)."""
    severe = Q()
    for level in SEVERE:
        severe |= Q(raw__contains=f'"severity:{level}"')
    rows = (
        StixObject.objects.filter(
            collection__arrangement__organisation_id=organisation_id,
            collection__arrangement__is_active=True,
            collection__is_exercise=False,
            type="incident",
            is_latest=True,
            date_added__gte=since,
            tlp_rank__lte=tlp.RANK[tlp.AMBER],
        )
        .filter(severe)
        .values("source_state_id")
        .annotate(n=Count("id"))
    )
    return {row["source_state_id"]: row["n"] for row in rows}


def arrangement_for_states(
    state_ids: set[int], *, organisation_id: int | None = None
) -> Arrangement | None:
    """An active arrangement in which every one of the states takes part with the write right:
    the organisation's network first, then any other (the oldest first)."""
    if not state_ids:
        return None
    candidates = (
        Participant.objects.filter(
            state_id__in=sorted(state_ids), can_write=True, arrangement__is_active=True
        )
        .values("arrangement_id")
        .annotate(n=Count("state_id", distinct=True))
        .filter(n=len(state_ids))
        .values_list("arrangement_id", flat=True)
    )
    arrangements = list(Arrangement.objects.filter(pk__in=candidates).order_by("created_at", "pk"))
    arrangements.sort(
        key=lambda a: a.kind != ArrangementKind.NETWORK or a.organisation_id != organisation_id
    )
    return arrangements[0] if arrangements else None


def indicators_shared(
    *, state_id: int, arrangement_ids: list[int], since: dt.datetime, until: dt.datetime
) -> bool:
    """Whether users of the state added an indicator to one of the arrangements' collections
    (exercise ones included) between ``since`` and ``until``."""
    return StixObject.objects.filter(
        collection__arrangement_id__in=arrangement_ids,
        type="indicator",
        source_state_id=state_id,
        added_by__isnull=False,
        date_added__gte=since,
        date_added__lte=until,
    ).exists()
