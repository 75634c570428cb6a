"""Who may see and do what in the hotline: the rules, in one place.

Imported by the selectors (which filter reads by these rules), the services (which refuse
writes by them), the views, the API and the template tags; it imports none of them, so the
rules never depend on how a page or a write uses them. ``models.py`` does not import this
module either: the rules are about the models, not part of them.

- A bilateral channel's participants are its two states; a multilateral channel's are the
  current members (member, chair, party) of its organisation.
- Participants see the channel's messages in full; a secretariat officer sees their
  organisation's channels (a bilateral one as metadata only); an operator (superuser) sees
  every channel's metadata and no content; anyone else sees nothing.
- A secretariat officer may send on their organisation's multilateral channels in the name of
  the organisation (``may_send_as_organisation``): every member state (or those named) receives.
- The system actor (``SYSTEM``) is what the worker, escalation and the check closer act as.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Final

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from cbmhub.core import roles
from cbmhub.directory.models import Membership, Organisation, State
from cbmhub.directory.selectors import participating_memberships

from .choices import Scope
from .models import Channel

# The system actor is core's (core/roles.py), one for every app; re-exported for the hotline's
# callers, which name it as hotline permissions.SYSTEM.
SYSTEM: Final = roles.SYSTEM
SystemActor = roles.SystemActor


def require_system(actor: object) -> None:
    """Refuse anything but the system actor where only the platform may act (a user, None)."""
    if not isinstance(actor, SystemActor):
        raise PermissionDenied("Only the system may do this (actor=SYSTEM).")


def is_state_user(user: object) -> bool:
    """A point of contact of a state: signed in, with a state role and a state."""
    return roles.is_state_user(user)


def require_state_user(user: object, message: str) -> None:
    if not is_state_user(user):
        raise PermissionDenied(message)


def _current_memberships() -> QuerySet[Membership]:
    return participating_memberships()


def member_state_ids(organisation: Organisation | int | None) -> set[int]:
    """The states taking part in an organisation now (none for no organisation)."""
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    if org_id is None:
        return set()
    return set(
        _current_memberships().filter(organisation_id=org_id).values_list("state_id", flat=True)
    )


def member_organisation_ids(state: State | int | None) -> set[int]:
    """The organisations a state takes part in now (none for no state)."""
    state_id = state.pk if isinstance(state, State) else state
    if state_id is None:
        return set()
    return set(
        _current_memberships().filter(state_id=state_id).values_list("organisation_id", flat=True)
    )


def visible_channel_filter(user: object, *, prefix: str = "") -> Q:
    """A Q over Channel (or, with ``prefix="channel__"``, over a model with a channel FK) that
    keeps what `user` may see the metadata of."""
    if not roles.is_signed_in(user):
        return Q(**{f"{prefix}pk__in": []})
    if roles.is_operator(user):
        return Q()
    if state_id := roles.state_id_of(user):
        return (
            Q(**{f"{prefix}scope": Scope.BILATERAL, f"{prefix}state_a_id": state_id})
            | Q(**{f"{prefix}scope": Scope.BILATERAL, f"{prefix}state_b_id": state_id})
            | Q(
                **{
                    f"{prefix}scope": Scope.MULTILATERAL,
                    # A subquery, not a list read first: the channel (or message) and the
                    # state's memberships in one round trip.
                    f"{prefix}organisation_id__in": _current_memberships()
                    .filter(state_id=state_id)
                    .values("organisation_id"),
                }
            )
        )
    if organisation_id := roles.organisation_id_of(user):
        return Q(**{f"{prefix}organisation_id": organisation_id})
    return Q(**{f"{prefix}pk__in": []})


def is_participant(channel: Channel, state_id: int | None) -> bool:
    if not state_id:
        return False
    if channel.is_bilateral:
        return state_id in (channel.state_a_id, channel.state_b_id)
    return state_id in member_state_ids(channel.organisation_id)


def participant_state_ids(channel: Channel) -> set[int]:
    if channel.is_bilateral:
        return {pk for pk in (channel.state_a_id, channel.state_b_id) if pk is not None}
    return member_state_ids(channel.organisation_id)


def participant_states(channel: Channel) -> dict[int, State]:
    """``participant_state_ids`` with the states' rows, by id: one query (a multilateral
    channel's members read with their states), none for a bilateral channel read with its two
    states (``selectors.access_channel``)."""
    if channel.is_bilateral:
        loaded: dict[int, State] = {}
        for field in ("state_a", "state_b"):
            if getattr(channel, f"{field}_id") is None:
                continue
            if not getattr(Channel, field).is_cached(channel):
                ids = participant_state_ids(channel)
                return {state.pk: state for state in State.objects.filter(pk__in=ids)}
            state = getattr(channel, field)
            loaded[state.pk] = state
        return loaded
    if channel.organisation_id is None:
        return {}
    members = _current_memberships().filter(organisation_id=channel.organisation_id)
    return {state.pk: state for state in State.objects.filter(pk__in=members.values("state_id"))}


def can_read_content(user: object, channel: Channel) -> bool:
    """May `user` read the subject, body and attachments of messages on `channel`?"""
    if roles.is_state_user(user):
        return is_participant(channel, roles.state_id_of(user))
    if roles.is_secretariat(user) and not channel.is_bilateral:
        return channel.organisation_id == roles.organisation_id_of(user)
    return False


# channels_for_sending's answers, by the id() of the user object asked, each dropped with its
# object (weakref.finalize): kept beside the object, never set on it.
_SENDING: dict[int, list[Channel]] = {}


def channels_for_sending(user: object) -> list[Channel]:
    """Active channels on which `user` may send: those their state takes part in. Read once per
    user object, i.e. once per request: the menu, the page and its form all ask."""
    if not roles.is_state_user(user):
        return []
    cached = _SENDING.get(id(user))
    if cached is None:
        cached = _SENDING[id(user)] = _channels_for_sending(user)
        weakref.finalize(user, _SENDING.pop, id(user), None)
    return list(cached)


def _channels_for_sending(user: object) -> list[Channel]:
    state_id = roles.state_id_of(user)
    if state_id is None:
        return []
    # is_participant for every channel, with the state's memberships read once.
    organisations = member_organisation_ids(state_id)
    return [
        c
        for c in Channel.objects.filter(visible_channel_filter(user), is_active=True)
        .select_related("organisation", "state_a", "state_b")
        .order_by("name", "id")
        if (
            state_id in (c.state_a_id, c.state_b_id)
            if c.is_bilateral
            else c.organisation_id in organisations
        )
    ]


def may_send_as_organisation(user: object, channel: Channel) -> bool:
    """May `user` send on `channel` in the name of its organisation (no sender state)? Only a
    secretariat officer of the channel's organisation, on a multilateral channel. A state's
    point of contact sends for their state (channels_for_sending), never for an organisation;
    an operator, an observer and another organisation's secretariat are refused. ``SYSTEM``
    (the worker, a command: the measures' cycle reminders) sends for the organisation of any
    multilateral channel too — never for a state (an exercise run names its state instead)."""
    if roles.is_state_user(user) or channel.is_bilateral or channel.organisation_id is None:
        return False
    if roles.is_system(user):
        return True
    return roles.is_secretariat(user, channel.organisation_id)


def may_send(user: object) -> bool:
    """Whether `user` may send at all (the Compose link)."""
    return bool(channels_for_sending(user))


def inbox_audience(user: object) -> str:
    """Which inbox `user` has, for the page to say what they see (the rules are the ones of
    `visible_channel_filter` and `can_read_content`): "state" (a point of contact, who
    acknowledges and replies for their state), "secretariat" (their organisation's channels,
    bilateral ones as metadata only), "operator" (every channel, metadata only) or "observer"
    (no channel at all). A state user who is also a superuser is "state": they owe answers."""
    if roles.is_state_user(user):
        return "state"
    # Before "operator": a superuser who is a secretariat officer reads their organisation's
    # multilateral messages in full (can_read_content).
    if roles.organisation_id_of(user):
        return "secretariat"
    if roles.is_operator(user):
        return "operator"
    return "observer"


def sees_all_check_targets(user: object) -> bool:
    """The secretariat and operators see every state's answers (and the figures); a state user
    sees its own state's targets only."""
    return roles.is_operator(user) or roles.is_secretariat(user)


def sees_own_state_targets_only(user: object) -> bool:
    """A state user (not an operator) sees its own state's check targets only."""
    return bool(roles.state_id_of(user)) and not roles.is_operator(user)


def sees_worker_health(user: object) -> bool:
    """The secretariat and operators run the platform: they are told when the worker is down.
    States' points of contact and observers are not (nothing they could do about it)."""
    return roles.is_operator(user) or roles.is_secretariat(user)


def may_manage_channel(
    user: object, *, organisation: Organisation | None, states: Iterable[State | None]
) -> bool:
    """Open or change a channel: an operator; the secretariat of its organisation; a focal point
    of one of its states."""
    if roles.is_operator(user):
        return True
    if organisation is not None and roles.is_secretariat(user):
        return roles.is_secretariat(user, organisation.pk)
    return any(roles.is_focal_point(user, s.pk) for s in states if s is not None)


def may_add_webhook(user: object, state: State) -> bool:
    """Register a state's webhook: its focal point or an operator."""
    return roles.is_operator(user) or roles.is_focal_point(user, state.pk)


def may_start_check(user: object, organisation: Organisation) -> bool:
    """Start a communication check: the organisation's secretariat or an operator."""
    return roles.is_operator(user) or roles.is_secretariat(user, organisation.pk)
