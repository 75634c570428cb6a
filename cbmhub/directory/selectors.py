"""Reads of the directory. Every query a view or the API makes goes through here."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cbmhub.core.codes import normalise_code

from .choices import MembershipStatus
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
from .names import iso3_matching


def state_for_code(code: str) -> State | None:
    """The state a delegation code names: an alias (IRAN, PAL, РФ), ISO alpha-3, alpha-2 or the
    short name, compared case-insensitively. None when nothing matches (CHAIR is not a state)."""
    key = normalise_code(code)
    if not key:
        return None
    alias = StateAlias.objects.select_related("state").filter(code=key).first()
    if alias:
        return alias.state
    return (
        State.objects.filter(Q(iso3=key) | Q(iso2=key)).first()
        or State.objects.filter(name__iexact=code.strip()).first()
    )


def states_for_codes(codes: list[str]) -> dict[str, State | None]:
    """Resolve many codes in two queries; returns {code as given: state or None}."""
    keys = {code: normalise_code(code) for code in codes}
    found: dict[str, State] = {
        alias.code: alias.state
        for alias in StateAlias.objects.select_related("state").filter(code__in=set(keys.values()))
    }
    missing = {key for key in keys.values() if key not in found}
    if missing:
        for state in State.objects.filter(Q(iso3__in=missing) | Q(iso2__in=missing)):
            found.setdefault(state.iso3, state)
            found.setdefault(state.iso2, state)
    return {code: found.get(key) for code, key in keys.items()}


def state_list(*, query: str = "", organisation: Organisation | None = None) -> QuerySet[State]:
    states = State.objects.all()
    if query:
        key = normalise_code(query)
        states = states.filter(
            Q(name__icontains=query)
            | Q(iso3=key)
            | Q(iso2=key)
            | Q(aliases__code=key)
            | Q(iso3__in=iso3_matching(query))  # the name in the reader's language
        ).distinct()
    if organisation is not None:
        states = states.filter(memberships__organisation=organisation).distinct()
    return states.order_by("name")


def _language_filter(code: str) -> Q:
    code = code.strip().lower()
    return (
        Q(languages=code)
        | Q(languages__startswith=f"{code},")
        | Q(languages__endswith=f",{code}")
        | Q(languages__contains=f",{code},")
    )


def point_of_contact_list(
    *,
    query: str = "",
    state: State | None = None,
    organisation: Organisation | None = None,
    level: str = "",
    language: str = "",
    include_inactive: bool = False,
) -> QuerySet[PointOfContact]:
    """Points of contact matching a search, with everything a list shows in a fixed number of
    queries (state, organisation and channels are fetched with it)."""
    pocs = PointOfContact.objects.all()
    if not include_inactive:
        pocs = pocs.active()
    if query:
        key = normalise_code(query)
        pocs = pocs.filter(
            Q(state__name__icontains=query)
            | Q(state__iso3__in=iso3_matching(query))  # the name in the reader's language
            | Q(state__iso3=key)
            | Q(state__iso2=key)
            | Q(state__aliases__code=key)
            | Q(office__icontains=query)
            | Q(function__icontains=query)
            | Q(person_name__icontains=query)
            | Q(organisation__acronym__iexact=query)
        ).distinct()
    if state is not None:
        pocs = pocs.filter(state=state)
    if organisation is not None:
        # Points of contact for this organisation, and those designated for every organisation
        # by the organisation's member states.
        pocs = pocs.filter(
            Q(organisation=organisation)
            | Q(organisation__isnull=True, state__memberships__organisation=organisation)
        ).distinct()
    if level:
        pocs = pocs.filter(level=level)
    if language:
        pocs = pocs.filter(_language_filter(language))
    return (
        pocs.select_related("state", "organisation")
        .prefetch_related(
            Prefetch(
                "channels", queryset=ContactChannel.objects.order_by("-is_primary", "kind", "id")
            )
        )
        .order_by("state__name", "level", "office", "id")
    )


def points_of_contact_by_id(ids: Iterable[int]) -> dict[int, PointOfContact]:
    """Points of contact (removed ones left out) by id, with their state, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    pocs = PointOfContact.objects.filter(pk__in=wanted).select_related("state")
    return {poc.pk: poc for poc in pocs}


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("acronym")


def organisation_detail(*, acronym: str) -> Organisation | None:
    return Organisation.objects.filter(acronym__iexact=acronym).first()


# Standings that make a state take part in an organisation's work (and see its traffic);
# observers and dialogue partners do not.
PARTICIPATING = [MembershipStatus.MEMBER, MembershipStatus.CHAIR, MembershipStatus.PARTY]


def participating_memberships(on: datetime.date | None = None) -> QuerySet[Membership]:
    """Memberships that make a state take part in an organisation on a day (today by default):
    member, chair or party, within its since/until dates. Hotline and negotiations access
    follow this one rule."""
    on = on or timezone.localdate()
    return Membership.objects.filter(
        Q(status__in=PARTICIPATING),
        Q(since__isnull=True) | Q(since__lte=on),
        Q(until__isnull=True) | Q(until__gte=on),
    )


def membership_list(
    *, organisation: Organisation | None = None, state: State | None = None
) -> QuerySet[Membership]:
    memberships = Membership.objects.select_related("state", "organisation")
    if organisation is not None:
        memberships = memberships.filter(organisation=organisation)
    if state is not None:
        memberships = memberships.filter(state=state)
    return memberships


def body_list(*, organisation: Organisation | None = None) -> QuerySet[Body]:
    bodies = Body.objects.select_related("organisation", "parent")
    if organisation is not None:
        bodies = bodies.filter(organisation=organisation)
    return bodies


def change_list(
    *,
    state: State | None = None,
    organisation: Organisation | None = None,
    model: str = "",
    object_id: int | None = None,
) -> QuerySet[ChangeRecord]:
    changes = ChangeRecord.objects.select_related("actor", "state", "organisation")
    if state is not None:
        changes = changes.filter(state=state)
    if organisation is not None:
        changes = changes.filter(organisation=organisation)
    if model:
        changes = changes.filter(model=model)
    if object_id is not None:
        changes = changes.filter(object_id=object_id)
    return changes


def points_of_contact_for(
    *, state: State, level: str, organisation: Organisation | None = None
) -> list[PointOfContact]:
    """The active points of contact a communication to `state` at `level` goes to: those for the
    organisation first, else those designated for every organisation. Used by the hotline."""
    return _addressed(list(point_of_contact_list(state=state, level=level)), organisation)


def points_of_contact_for_states(
    *, state_ids: Iterable[int], level: str, organisation: Organisation | None = None
) -> dict[int, list[PointOfContact]]:
    """``points_of_contact_for`` of many states at once (a message to a whole organisation):
    the same rule for each state, read in one query (plus the prefetched contact channels)
    however many states; a state with nobody at `level` maps to an empty list."""
    ids = list(state_ids)
    by_state: dict[int, list[PointOfContact]] = {pk: [] for pk in ids}
    for poc in point_of_contact_list(level=level).filter(state_id__in=ids).select_related("user"):
        by_state[poc.state_id].append(poc)
    return {pk: _addressed(pocs, organisation) for pk, pocs in by_state.items()}


def _addressed(
    base: list[PointOfContact], organisation: Organisation | None
) -> list[PointOfContact]:
    """Of one state's points of contact at a level: those for the organisation first, else
    those designated for every organisation, else all of them."""
    if organisation is not None:
        scoped = [poc for poc in base if poc.organisation_id == organisation.pk]
        if scoped:
            return scoped
    return [poc for poc in base if poc.organisation_id is None] or base


# --- single records looked up from a URL (None when unknown: the view answers 404) -------------


def state_detail(*, iso3: str) -> State | None:
    return State.objects.filter(iso3=(iso3 or "").upper()).first()


def point_of_contact_detail(*, pk: int) -> PointOfContact | None:
    return (
        PointOfContact.objects.select_related("state", "organisation")
        .prefetch_related("channels")
        .filter(pk=pk)
        .first()
    )


def body_detail(*, organisation: Organisation, pk: int) -> Body | None:
    """A body of this organisation only, so that a URL cannot reach another's body."""
    return body_list(organisation=organisation).filter(pk=pk).first()


def membership_detail(*, organisation: Organisation, pk: int) -> Membership | None:
    return membership_list(organisation=organisation).filter(pk=pk).first()


def state_alias_detail(*, state: State, pk: int) -> StateAlias | None:
    return StateAlias.objects.select_related("state").filter(state=state, pk=pk).first()
