"""Who may see and do what in the meetings app (docs/meetings.md has the matrix).

- **See** a meeting, its agenda, delegations, outcomes and minutes: operators; secretariat
  officers of the meeting's organisation; focal points and points of contact of a state that
  takes part in that organisation — except a restricted (bilateral) meeting, which only the
  states it names see. Observers and other organisations' officers see nothing (a 404).
- **Convene and run** a meeting (parts, agenda, outcomes, minutes, action points, accepting
  delegations, observers and guests): the organisation's secretariat, operators, ``SYSTEM``.
- **Nominate** a state's delegation: that state's focal point (for a meeting it sees), or the
  secretariat on its behalf. Another state's focal point never.
- **Notes**: only the secretariat writes and issues them, and circulates them (its own
  organisation's officers only: not operators); a state sees an issued note
  addressed to it (to all member states, or to it by name).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import Forbidden
from cbmhub.directory.models import Organisation
from cbmhub.directory.selectors import participating_memberships

from .choices import Addressees, NoteStatus
from .models import Meeting, Note


def _organisations_of_state(state_id: int) -> QuerySet:
    return participating_memberships().filter(state_id=state_id).values("organisation_id")


def may_use(user: Any) -> bool:
    """Whether the user has any business with meetings (observers have none)."""
    return (
        roles.is_operator(user)
        or roles.organisation_id_of(user) is not None
        or roles.is_state_user(user)
    )


def require_use(user: Any) -> None:
    if not may_use(user):
        raise Forbidden(_("Meetings are open to member states and the secretariat."))


def meeting_filter(user: Any) -> Q:
    """A Q keeping the meetings the user may see."""
    if roles.is_operator(user):
        return Q()
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Q(organisation_id=organisation_id)
    state_id = roles.state_id_of(user)
    if state_id is None:
        return Q(pk__in=[])
    named = Meeting.states.through.objects.filter(state_id=state_id).values("meeting_id")
    return Q(organisation_id__in=_organisations_of_state(state_id)) & (
        Q(restricted=False) | Q(pk__in=named)
    )


def can_manage(actor: Any, organisation: Organisation | int | None) -> bool:
    """Convene and run meetings, write and issue notes under ``organisation``."""
    if roles.is_system(actor) or roles.is_operator(actor):
        return True
    if organisation is None:
        return roles.organisation_id_of(actor) is not None
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return roles.is_secretariat(actor, organisation_id)


def require_manage(actor: Any, organisation: Organisation | int | None) -> None:
    if not can_manage(actor, organisation):
        raise Forbidden(_("Only the secretariat of the organisation may do this."))


def can_nominate(actor: Any, meeting: Meeting, state_id: int | None) -> bool:
    """Nominate or change ``state_id``'s delegation to ``meeting``."""
    if can_manage(actor, meeting.organisation_id):
        return True
    return state_id is not None and roles.is_focal_point(actor, state_id)


def can_circulate(actor: Any, note: Note) -> bool:
    """Circulate a note through the hotline: only the secretariat of its organisation (the
    hotline lets an organisation's officers, and nobody else, send in its name)."""
    return roles.is_secretariat(actor, note.organisation_id)


def note_filter(user: Any) -> Q:
    """A Q keeping the notes the user may read."""
    if roles.is_operator(user):
        return Q()
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Q(organisation_id=organisation_id)
    state_id = roles.state_id_of(user)
    if state_id is None:
        return Q(pk__in=[])
    named = Note.states.through.objects.filter(state_id=state_id).values("note_id")
    return Q(status=NoteStatus.ISSUED) & (
        Q(
            addressees=Addressees.MEMBER_STATES,
            organisation_id__in=_organisations_of_state(state_id),
        )
        | Q(addressees=Addressees.NAMED, pk__in=named)
    )
