"""Writes of the meetings app: meetings and their parts, agendas, delegations, outcomes,
minutes, action points, notes verbales and their numbering, calendar tokens.

Each function takes ``actor=`` and checks ``permissions.py`` first: a user, or
``core.roles.SYSTEM`` for the command line and the demo; ``None`` is refused. A refusal is
``core.errors.Forbidden``; anything else wrong is ``MeetingsError`` naming the input
(``field=``). E-mail leaves only after the transaction commits.
"""

from __future__ import annotations

import secrets
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import DomainError, Forbidden, full_clean_or_raise
from cbmhub.core.publishing import render_pdf
from cbmhub.directory.choices import BodyKind, Level
from cbmhub.directory.models import Body, Organisation, State
from cbmhub.hotline import selectors as hotline_selectors
from cbmhub.hotline import services as hotline_services
from cbmhub.hotline.choices import MessageKind, Priority
from cbmhub.measures.models import Measure, Plan
from cbmhub.negotiations import services as negotiation_services
from cbmhub.negotiations.choices import RevisionKind
from cbmhub.negotiations.models import Document, Negotiation, Revision

from . import permissions
from .calendar import meeting_ics
from .choices import (
    FORWARDING_EFFECTS,
    Addressees,
    DelegationKind,
    DelegationStatus,
    Effect,
    MeetingStatus,
    MinutesStatus,
    NoteStatus,
    VersionStatus,
)
from .models import (
    ActionPoint,
    AgendaItem,
    CalendarToken,
    Delegation,
    Enclosure,
    Meeting,
    MeetingPart,
    Minutes,
    Note,
    NoteFormula,
    NoteSeries,
    NoteVersion,
    Outcome,
    Participant,
)
from .notes import note_publication

MAX_PARTS = 20
MAX_MEMBERS = 100
_AWAY = 1_000_000  # above any agenda position, for re-numbering


class MeetingsError(DomainError):
    """A request the meetings domain refuses; ``field`` names the input it is about."""


def _validated(instance: Any) -> None:
    full_clean_or_raise(instance, MeetingsError)


def _require_actor(actor: Any) -> None:
    if actor is None:
        raise Forbidden(_("No actor: a service needs a user or the system."))


# --- meetings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartInput:
    starts_at: datetime
    ends_at: datetime
    venue: str = ""
    online_url: str = ""


def _check_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MeetingsError(
            _("%(zone)s is not a time zone (e.g. Asia/Almaty).") % {"zone": name},
            field="time_zone",
        ) from None
    return name


def _check_parts(parts: Sequence[PartInput]) -> None:
    if not parts:
        raise MeetingsError(_("A meeting needs at least one part."), field="parts")
    if len(parts) > MAX_PARTS:
        raise MeetingsError(_("At most %(n)d parts per meeting.") % {"n": MAX_PARTS}, field="parts")
    for index, part in enumerate(parts):
        if timezone.is_naive(part.starts_at) or timezone.is_naive(part.ends_at):
            raise MeetingsError(
                _("Part %(n)d: times need a time zone.") % {"n": index + 1},
                field=f"parts[{index}].starts_at",
            )
        if part.ends_at <= part.starts_at:
            raise MeetingsError(
                _("Part %(n)d ends before it starts.") % {"n": index + 1},
                field=f"parts[{index}].ends_at",
            )
        if not part.venue.strip() and not part.online_url.strip():
            raise MeetingsError(
                _("Part %(n)d needs a venue or an online link.") % {"n": index + 1},
                field=f"parts[{index}].venue",
            )


def _check_states(body: Body, states: Sequence[State]) -> None:
    if body.kind == BodyKind.BILATERAL_WORKING_GROUP and len(set(states)) != 2:
        raise MeetingsError(
            _("A meeting of a bilateral body names its two states."), field="states"
        )


def _parts_save(meeting: Meeting, parts: Sequence[PartInput]) -> None:
    meeting.parts.all().delete()
    for part in parts:
        row = MeetingPart(
            meeting=meeting,
            starts_at=part.starts_at,
            ends_at=part.ends_at,
            venue=part.venue.strip(),
            online_url=part.online_url.strip(),
        )
        _validated(row)
        row.save()
    meeting.starts_at = min(p.starts_at for p in parts)


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    body: Body,
    title: str,
    kind: str,
    parts: Sequence[PartInput],
    time_zone: str = "UTC",
    states: Sequence[State] = (),
    documents: Iterable[Document] = (),
) -> Meeting:
    _require_actor(actor)
    permissions.require_manage(actor, body.organisation_id)
    _check_parts(parts)
    _check_states(body, states)
    meeting = Meeting(
        organisation_id=body.organisation_id,
        body=body,
        title=title.strip(),
        kind=kind,
        time_zone=_check_time_zone(time_zone),
        restricted=bool(states),
    )
    _validated(meeting)
    meeting.save()
    _parts_save(meeting, parts)
    meeting.save(update_fields=["starts_at"])
    meeting.states.set(states)
    meeting.documents.set(documents)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: Any,
    meeting: Meeting,
    title: str | None = None,
    kind: str | None = None,
    time_zone: str | None = None,
    parts: Sequence[PartInput] | None = None,
) -> Meeting:
    """Change a meeting; its calendar SEQUENCE goes up so attendees' calendars take it."""
    _require_actor(actor)
    permissions.require_manage(actor, meeting.organisation_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if title is not None:
        meeting.title = title.strip()
    if kind is not None:
        meeting.kind = kind
    if time_zone is not None:
        meeting.time_zone = _check_time_zone(time_zone)
    if parts is not None:
        _check_parts(parts)
        _parts_save(meeting, parts)
    meeting.sequence += 1  # the row is locked: no concurrent update is lost
    _validated(meeting)
    meeting.save()
    return meeting


_TRANSITIONS = {
    MeetingStatus.PLANNED: {
        MeetingStatus.CONVENED,
        MeetingStatus.CANCELLED,
        MeetingStatus.POSTPONED,
    },
    MeetingStatus.POSTPONED: {
        MeetingStatus.PLANNED,
        MeetingStatus.CONVENED,
        MeetingStatus.CANCELLED,
    },
    MeetingStatus.CONVENED: {MeetingStatus.HELD, MeetingStatus.CANCELLED, MeetingStatus.POSTPONED},
    MeetingStatus.HELD: set(),
    MeetingStatus.CANCELLED: set(),
}


@transaction.atomic
def meeting_set_status(*, actor: Any, meeting: Meeting, status: str) -> Meeting:
    _require_actor(actor)
    permissions.require_manage(actor, meeting.organisation_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if status not in MeetingStatus.values:
        raise MeetingsError(_("Unknown status %(s)s.") % {"s": status}, field="status")
    if status not in _TRANSITIONS[MeetingStatus(meeting.status)]:
        raise MeetingsError(
            _("A meeting that is %(old)s cannot become %(new)s.")
            % {
                "old": MeetingStatus(meeting.status).label,
                "new": MeetingStatus(status).label,
            },
            code="invalid_transition",
            field="status",
        )
    meeting.status = status
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    return meeting


# --- agenda --------------------------------------------------------------------------------


def _check_subject(
    meeting: Meeting,
    document: Document | None,
    revision: Revision | None,
    note: Note | None,
    measure: Measure | None = None,
    plan: Plan | None = None,
) -> None:
    if revision is not None and document is not None and revision.document_id != document.pk:
        raise MeetingsError(_("The revision is not one of the document's."), field="revision")
    if plan is not None and measure is not None and plan.measure_id != measure.pk:
        raise MeetingsError(_("The plan is not one of the measure's."), field="plan")
    for name, obj in (("document", document), ("note", note)):
        if obj is not None and obj.organisation_id != meeting.organisation_id:
            raise MeetingsError(
                _("The %(what)s belongs to another organisation.") % {"what": name}, field=name
            )
    # A plan belongs to its measure's organisation, a measure to its catalogue's. The plan
    # first: a measure taken from the plan must not be blamed for it.
    if plan is not None and plan.measure.catalogue.organisation_id != meeting.organisation_id:
        raise MeetingsError(
            _("The plan is of a measure of another organisation's catalogue."), field="plan"
        )
    if measure is not None and measure.catalogue.organisation_id != meeting.organisation_id:
        raise MeetingsError(
            _("The measure is of another organisation's catalogue."), field="measure"
        )


@transaction.atomic
def agenda_item_add(
    *,
    actor: Any,
    meeting: Meeting,
    title: str,
    document: Document | None = None,
    revision: Revision | None = None,
    note: Note | None = None,
    measure: Measure | None = None,
    plan: Plan | None = None,
) -> AgendaItem:
    """Add an item at the end of the agenda. What it discusses must be of the meeting's
    organisation: a document (and one of its revisions), a measure of one of its catalogues
    or a plan of implementation of such a measure (the plan's measure is linked with it), a
    note; anything else is refused naming the field."""
    _require_actor(actor)
    permissions.require_manage(actor, meeting.organisation_id)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if revision is not None and document is None:
        document = revision.document
    if plan is not None and measure is None:
        measure = plan.measure
    _check_subject(meeting, document, revision, note, measure, plan)
    last = meeting.agenda.aggregate(m=Max("position"))["m"] or 0
    item = AgendaItem(
        meeting=meeting,
        position=last + 1,
        title=title.strip(),
        document=document,
        revision=revision,
        note=note,
        measure=measure,
        plan=plan,
    )
    _validated(item)
    item.save()
    if document is not None:
        meeting.documents.add(document)
    return item


@transaction.atomic
def agenda_item_move(*, actor: Any, item: AgendaItem, position: int) -> list[AgendaItem]:
    """Put ``item`` at ``position`` (1-based) and renumber the others in order."""
    _require_actor(actor)
    meeting = item.meeting
    permissions.require_manage(actor, meeting.organisation_id)
    items = list(AgendaItem.objects.select_for_update().filter(meeting=meeting))
    if not 1 <= position <= len(items):
        raise MeetingsError(
            _("Position must be between 1 and %(n)d.") % {"n": len(items)}, field="position"
        )
    ordered = [i for i in items if i.pk != item.pk]
    ordered.insert(position - 1, next(i for i in items if i.pk == item.pk))
    # Out of the way first (the positions are unique and checked row by row), then in order.
    AgendaItem.objects.filter(meeting=meeting).update(position=F("position") + _AWAY)
    for number, row in enumerate(ordered, start=1):
        row.position = number
        row.save(update_fields=["position"])
    return ordered


# --- delegations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    name: str
    function: str = ""
    email: str = ""
    is_head: bool = False


def _check_members(members: Sequence[MemberInput]) -> None:
    if not members:
        raise MeetingsError(_("A delegation needs at least its head."), field="members")
    if len(members) > MAX_MEMBERS:
        raise MeetingsError(
            _("At most %(n)d members per delegation.") % {"n": MAX_MEMBERS}, field="members"
        )
    for index, member in enumerate(members):
        if not member.name.strip():
            raise MeetingsError(
                _("Member %(n)d has no name.") % {"n": index + 1}, field=f"members[{index}].name"
            )
    if sum(1 for m in members if m.is_head) != 1:
        raise MeetingsError(_("A delegation has exactly one head."), field="members")


def _members_save(delegation: Delegation, members: Sequence[MemberInput]) -> None:
    delegation.members.all().delete()
    for index, member in enumerate(members):
        row = Participant(
            delegation=delegation,
            name=member.name.strip(),
            function=member.function.strip(),
            email=member.email.strip(),
            is_head=member.is_head,
        )
        try:
            _validated(row)
        except MeetingsError as error:
            raise MeetingsError(error.message, field=f"members[{index}].{error.field}") from None
        row.save()


@transaction.atomic
def delegation_nominate(
    *, actor: Any, meeting: Meeting, state: State, members: Sequence[MemberInput]
) -> Delegation:
    """A state's delegation (head, members, functions), nominated by its focal point; a change
    after acceptance goes back to the secretariat for acceptance."""
    _require_actor(actor)
    if not permissions.can_nominate(actor, meeting, state.pk):
        raise Forbidden(
            _("Only the focal point of %(state)s may nominate its delegation.")
            % {"state": state.name}
        )
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        raise MeetingsError(_("This meeting is closed to nominations."), field="meeting")
    if meeting.restricted and not meeting.states.filter(pk=state.pk).exists():
        raise MeetingsError(_("This state does not take part in this meeting."), field="state")
    _check_members(members)
    delegation, _created = Delegation.objects.select_for_update().get_or_create(
        meeting=meeting, state=state, defaults={"kind": DelegationKind.MEMBER}
    )
    delegation.status = DelegationStatus.NOMINATED
    delegation.nominated_by = roles.user_or_none(actor)
    delegation.accepted_by = None
    delegation.save()
    _members_save(delegation, members)
    return delegation


@transaction.atomic
def delegation_add_guest(
    *, actor: Any, meeting: Meeting, kind: str, name: str, members: Sequence[MemberInput]
) -> Delegation:
    """An observer's or guest's delegation, named and accepted by the secretariat."""
    _require_actor(actor)
    permissions.require_manage(actor, meeting.organisation_id)
    if kind not in (DelegationKind.OBSERVER, DelegationKind.GUEST):
        raise MeetingsError(_("Observers and guests only."), field="kind")
    if not name.strip():
        raise MeetingsError(_("An observer or guest needs a name."), field="name")
    _check_members(members)
    delegation = Delegation.objects.create(
        meeting=meeting,
        kind=kind,
        name=name.strip(),
        status=DelegationStatus.ACCEPTED,
        accepted_by=roles.user_or_none(actor),
    )
    _members_save(delegation, members)
    return delegation


@transaction.atomic
def delegation_accept(*, actor: Any, delegation: Delegation) -> Delegation:
    _require_actor(actor)
    permissions.require_manage(actor, delegation.meeting.organisation_id)
    delegation.status = DelegationStatus.ACCEPTED
    delegation.accepted_by = roles.user_or_none(actor)
    delegation.save(update_fields=["status", "accepted_by", "updated_at"])
    return delegation


@transaction.atomic
def attendance_record(
    *, actor: Any, participant: Participant, parts: Sequence[MeetingPart]
) -> Participant:
    """The parts ``participant`` attended (replacing what was recorded)."""
    _require_actor(actor)
    meeting = participant.delegation.meeting
    permissions.require_manage(actor, meeting.organisation_id)
    for index, part in enumerate(parts):
        if part.meeting_id != meeting.pk:
            raise MeetingsError(_("Not a part of this meeting."), field=f"parts[{index}]")
    participant.attended.set(parts)
    return participant


# --- outcomes ------------------------------------------------------------------------------


def _check_outcome(item: AgendaItem, effect: str, target_body: Body | None) -> None:
    if effect not in Effect.values:
        raise MeetingsError(_("Unknown effect %(e)s.") % {"e": effect}, field="effect")
    if effect != Effect.NONE and item.document_id is None:
        raise MeetingsError(
            _("This agenda item discusses no document, so the outcome has no effect on one."),
            field="effect",
        )
    if effect in FORWARDING_EFFECTS:
        if target_body is None:
            raise MeetingsError(_("Name the body the text is recommended to."), field="target_body")
        if target_body.organisation_id != item.meeting.organisation_id:
            raise MeetingsError(_("That body is of another organisation."), field="target_body")
        if target_body.pk == item.meeting.body_id:
            raise MeetingsError(
                _("A body recommends a text to another body, not to itself."),
                field="target_body",
            )


@transaction.atomic
def outcome_record(
    *,
    actor: Any,
    agenda_item: AgendaItem,
    kind: str,
    wording: str,
    effect: str = Effect.NONE,
    target_body: Body | None = None,
) -> Outcome:
    """A recommendation or decision on an agenda item. Its effect moves the item's document
    along its path through bodies; adopting it keeps the revision discussed (or the latest)
    as the document's adopted text (a revision of kind "adopted", through the negotiations'
    own import service)."""
    _require_actor(actor)
    meeting = agenda_item.meeting
    permissions.require_manage(actor, meeting.organisation_id)
    _check_outcome(agenda_item, effect, target_body)
    if effect not in FORWARDING_EFFECTS:
        target_body = None
    revision = agenda_item.revision
    if revision is None and agenda_item.document is not None:
        revision = agenda_item.document.revisions.order_by("-date", "-imported_at", "-id").first()
    outcome = Outcome(
        agenda_item=agenda_item,
        kind=kind,
        wording=wording.strip(),
        effect=effect,
        document_id=agenda_item.document_id,
        revision=revision,
        body=meeting.body,
        target_body=target_body,
        held_at=meeting.starts_at or timezone.now(),
        recorded_by=roles.user_or_none(actor),
    )
    _validated(outcome)
    outcome.save()
    if effect == Effect.ADOPT and revision is not None:
        _mark_adopted(actor, revision)
    return outcome


def _mark_adopted(actor: Any, revision: Revision) -> Revision:
    if revision.kind == RevisionKind.ADOPTED:
        return revision
    result = negotiation_services.revision_import(
        actor=actor,
        document=revision.document,
        data=revision.source_text,
        kind=RevisionKind.ADOPTED,
        source_name=revision.source_name,
    )
    return result.revision


# --- minutes and action points -------------------------------------------------------------


@transaction.atomic
def minutes_write(*, actor: Any, meeting: Meeting, text: str) -> Minutes:
    """A new version of the summary record (drafts are kept; none replaces another)."""
    _require_actor(actor)
    permissions.require_manage(actor, meeting.organisation_id)
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    if not text.strip():
        raise MeetingsError(_("The minutes are empty."), field="text")
    if meeting.minutes.filter(status=MinutesStatus.APPROVED).exists():
        raise MeetingsError(_("The minutes are approved; they no longer change."), field="text")
    last = meeting.minutes.aggregate(m=Max("version"))["m"] or 0
    return Minutes.objects.create(meeting=meeting, version=last + 1, text=text.strip())


@transaction.atomic
def minutes_approve(*, actor: Any, minutes: Minutes) -> Minutes:
    _require_actor(actor)
    permissions.require_manage(actor, minutes.meeting.organisation_id)
    latest = minutes.meeting.minutes.order_by("-version").first()
    if latest is None or latest.pk != minutes.pk:
        raise MeetingsError(_("Only the latest version can be approved."), field="version")
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = timezone.now()
    minutes.save(update_fields=["status", "approved_at"])
    return minutes


@transaction.atomic
def action_point_add(
    *, actor: Any, meeting: Meeting, text: str, owner: str, due: Date | None = None
) -> ActionPoint:
    _require_actor(actor)
    permissions.require_manage(actor, meeting.organisation_id)
    point = ActionPoint(meeting=meeting, text=text.strip(), owner=owner.strip(), due=due)
    _validated(point)
    point.save()
    return point


@transaction.atomic
def action_point_done(*, actor: Any, point: ActionPoint, done: bool = True) -> ActionPoint:
    _require_actor(actor)
    permissions.require_manage(actor, point.meeting.organisation_id)
    point.done = done
    point.save(update_fields=["done"])
    return point


# --- notes verbales ------------------------------------------------------------------------


def _check_pattern(pattern: str) -> str:
    pattern = pattern.strip()
    if pattern.count("{n}") != 1 or "{" in pattern.replace("{n}", ""):
        raise MeetingsError(
            _('A symbol pattern has "{n}" once, for the number (e.g. SWG/OI/{n}).'),
            field="pattern",
        )
    return pattern


@transaction.atomic
def series_create(
    *, actor: Any, organisation: Organisation, name: str, pattern: str, last_number: int = 0
) -> NoteSeries:
    _require_actor(actor)
    permissions.require_manage(actor, organisation)
    series = NoteSeries(
        organisation=organisation,
        name=name.strip(),
        pattern=_check_pattern(pattern),
        last_number=last_number,
    )
    _validated(series)
    series.save()
    return series


@dataclass(frozen=True)
class VersionInput:
    language: str
    body: str
    status: str = VersionStatus.TRANSLATION


def _check_versions(versions: Sequence[VersionInput]) -> None:
    languages = [v.language for v in versions]
    if len(set(languages)) != len(languages):
        raise MeetingsError(_("One version per language."), field="versions")
    if versions and sum(1 for v in versions if v.status == VersionStatus.ORIGINAL) != 1:
        raise MeetingsError(_("A note has exactly one original version."), field="versions")
    for index, version in enumerate(versions):
        if not version.body.strip():
            raise MeetingsError(
                _("The %(lang)s version is empty.") % {"lang": version.language},
                field=f"versions[{index}].body",
            )


@transaction.atomic
def note_create(
    *,
    actor: Any,
    series: NoteSeries,
    subject: str,
    place: str,
    date: Date,
    versions: Sequence[VersionInput],
    addressees: str = Addressees.MEMBER_STATES,
    states: Sequence[State] = (),
    meeting: Meeting | None = None,
) -> Note:
    """A draft note in its language versions (one original, the rest translations)."""
    _require_actor(actor)
    permissions.require_manage(actor, series.organisation_id)
    if not versions:
        raise MeetingsError(_("A note needs at least one language version."), field="versions")
    _check_versions(versions)
    if addressees == Addressees.NAMED and not states:
        raise MeetingsError(_("Name the states the note is addressed to."), field="states")
    note = Note(
        organisation_id=series.organisation_id,
        series=series,
        subject=subject.strip(),
        place=place.strip(),
        date=date,
        addressees=addressees,
        meeting=meeting,
    )
    _validated(note)
    note.save()
    if addressees == Addressees.NAMED:
        note.states.set(states)
    for version in versions:
        NoteVersion.objects.create(
            note=note, language=version.language, status=version.status, body=version.body.strip()
        )
    return note


@transaction.atomic
def note_version_set(
    *, actor: Any, note: Note, language: str, body: str, status: str = VersionStatus.TRANSLATION
) -> NoteVersion:
    """Add or change one language version (an issued note's text no longer changes)."""
    _require_actor(actor)
    permissions.require_manage(actor, note.organisation_id)
    if note.status == NoteStatus.ISSUED:
        raise MeetingsError(_("An issued note no longer changes."), field="body")
    if not body.strip():
        raise MeetingsError(_("The %(lang)s version is empty.") % {"lang": language}, field="body")
    version, _created = NoteVersion.objects.update_or_create(
        note=note, language=language, defaults={"body": body.strip(), "status": status}
    )
    return version


@transaction.atomic
def enclosure_add(
    *,
    actor: Any,
    note: Note,
    title: str,
    pages: int = 1,
    document: Document | None = None,
    revision: Revision | None = None,
    file: Any = None,
) -> Enclosure:
    _require_actor(actor)
    permissions.require_manage(actor, note.organisation_id)
    if note.status == NoteStatus.ISSUED:
        raise MeetingsError(_("An issued note no longer changes."), field="enclosures")
    if revision is not None and document is None:
        document = revision.document
    if document is not None and document.organisation_id != note.organisation_id:
        raise MeetingsError(_("The document belongs to another organisation."), field="document")
    if pages < 1:
        raise MeetingsError(_("An enclosure has at least one page."), field="pages")
    last = note.enclosures.aggregate(m=Max("position"))["m"] or 0
    enclosure = Enclosure(
        note=note,
        position=last + 1,
        title=title.strip() or (document.title if document else ""),
        document=document,
        revision=revision,
        pages=pages,
    )
    if file is not None:
        enclosure.file = file
    _validated(enclosure)
    enclosure.save()
    return enclosure


def symbol_for(pattern: str, number: int) -> str:
    return pattern.replace("{n}", str(number))


@transaction.atomic
def note_issue(*, actor: Any, note: Note) -> Note:
    """Give the note the next number of its series and issue it. The series row is locked
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's single writer with ``BEGIN IMMEDIATE``)
    and its counter raised in this transaction, so concurrent issues never repeat or skip."""
    _require_actor(actor)
    if not permissions.can_manage(actor, note.organisation_id):
        raise Forbidden(_("Only the secretariat issues notes."))
    note = Note.objects.select_for_update().get(pk=note.pk)
    if note.status == NoteStatus.ISSUED:
        raise MeetingsError(_("This note is already issued as %(s)s.") % {"s": note.symbol})
    if not note.versions.exists():
        raise MeetingsError(_("A note needs at least one language version."), field="versions")
    series = NoteSeries.objects.select_for_update().get(pk=note.series_id)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    note.number = series.last_number
    note.symbol = symbol_for(series.pattern, note.number)
    note.status = NoteStatus.ISSUED
    note.issued_at = timezone.now()
    note.issued_by = roles.user_or_none(actor)
    note.save(update_fields=["number", "symbol", "status", "issued_at", "issued_by", "updated_at"])
    return note


# --- circulation through the hotline -----------------------------------------------------


def _check_circulation(actor: Any, note: Note) -> None:
    """Who may circulate a note, and which notes: the secretariat of the note's organisation
    (it sends on the hotline for the organisation: operators and the system do not), an issued
    note not circulated yet."""
    _require_actor(actor)
    if not permissions.can_circulate(actor, note):
        raise Forbidden(_("Only the secretariat of the organisation circulates its notes."))
    if note.status != NoteStatus.ISSUED:
        raise MeetingsError(_("Issue the note before circulating it."), field="status")
    if note.circulated_message_id is not None:
        raise MeetingsError(
            _("This note was already circulated (hotline message #%(id)d).")
            % {"id": note.circulated_message_id},
            code="already_circulated",
        )


def _circulation_files(note: Note) -> list[SimpleUploadedFile]:
    """The note's PDF in every language version, the original first."""
    versions = sorted(note.versions.all(), key=lambda v: (v.status != "original", v.language))
    name = (note.symbol or f"note-{note.pk}").replace("/", "-")
    files = []
    for version in versions:
        stored = NoteFormula.objects.filter(
            organisation_id=note.organisation_id, language=version.language
        ).first()
        data = render_pdf(note_publication(note, version, stored))
        files.append(
            SimpleUploadedFile(
                f"{name}-{version.language}.pdf", data, content_type="application/pdf"
            )
        )
    return files


def note_circulate(*, actor: Any, note: Note, now: datetime | None = None) -> Note:
    """Circulate an issued note to its addressees' diplomatic points of contact: ONE hotline
    message of kind note verbale, sent by the organisation (its secretariat, ``actor``) on the
    organisation's diplomatic-level multilateral channel, to every member state or to the
    named states only, with the note's PDF in every language version attached. The hotline
    does the rest — receipts, outbox (in-app inbox, e-mail, webhooks), escalation, the signed
    record —, and the note keeps the message: its receipts are the note's delivery and read
    (acknowledgement) receipts. A retry sends nothing twice (the hotline's idempotency key)."""
    _check_circulation(actor, note)
    channel = hotline_selectors.organisation_channel(
        organisation_id=note.organisation_id, level=Level.DIPLOMATIC
    )
    if channel is None:
        raise MeetingsError(
            _(
                "%(organisation)s has no active diplomatic-level multilateral hotline channel: "
                "open one in the hotline first."
            )
            % {"organisation": note.organisation.acronym},
            code="no_channel",
            field="channel",
        )
    files = _circulation_files(note)  # rendered before any lock is taken
    original = next((v for v in note.versions.all() if v.status == "original"), None)
    with transaction.atomic():
        note = Note.objects.select_for_update().select_related("organisation").get(pk=note.pk)
        _check_circulation(actor, note)
        named = note.addressees == Addressees.NAMED
        result = hotline_services.message_send(
            actor=actor,
            channel=channel,
            kind=MessageKind.NOTE_VERBALE,
            priority=Priority.ROUTINE,
            subject=f"{note.symbol} · {note.subject}"[:200],
            body=original.body if original is not None else note.subject,
            language=original.language if original is not None else "en",
            attachments=files,
            recipient_states=list(note.states.all()) if named else None,
            idempotency_key=f"meetings-note-{note.pk}",
            now=now,
        )
        note.circulated_message = result.message
        note.save(update_fields=["circulated_message", "updated_at"])
    return note


@transaction.atomic
def formula_set(
    *,
    actor: Any,
    organisation: Organisation,
    language: str,
    sender: str,
    opening: str,
    closing: str,
    addressees_members: str,
) -> NoteFormula:
    """The customary formulas of a note in one language ("{sender}", "{addressees}")."""
    _require_actor(actor)
    permissions.require_manage(actor, organisation)
    for name, text in (("opening", opening), ("closing", closing)):
        try:
            text.format(sender="", addressees="")
        except (KeyError, IndexError, ValueError):
            raise MeetingsError(
                _('Use only "{sender}" and "{addressees}" in the %(what)s.') % {"what": name},
                field=name,
            ) from None
    formula, _created = NoteFormula.objects.update_or_create(
        organisation=organisation,
        language=language,
        defaults={
            "sender": sender.strip(),
            "opening": opening.strip(),
            "closing": closing.strip(),
            "addressees_members": addressees_members.strip(),
        },
    )
    return formula


# --- invitations ------------------------------------------------------------------------------


def invitations_send(*, actor: Any, meeting: Meeting, url: str = "") -> int:
    """E-mail every member of the accepted delegations who has an address an invitation with
    the meeting's .ics (METHOD:REQUEST); sent after the transaction commits. Returns how many."""
    _require_actor(actor)
    permissions.require_manage(actor, meeting.organisation_id)
    addresses = sorted(
        set(
            Participant.objects.filter(
                delegation__meeting=meeting, delegation__status=DelegationStatus.ACCEPTED
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    ics = meeting_ics(meeting, url=url, method="REQUEST")
    subject = _("Invitation: %(title)s") % {"title": meeting.title}
    body = f"{meeting.title}\n{meeting.body.name}\n{url}"

    def send() -> None:
        for address in addresses:
            message = EmailMessage(subject, body, to=[address])
            message.attach("invite.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
            message.send()

    transaction.on_commit(send)
    return len(addresses)


# --- calendar feed tokens ------------------------------------------------------------------


@transaction.atomic
def calendar_token_issue(*, actor: Any) -> CalendarToken:
    """A new secret for the user's feed URL (the old URL stops working)."""
    if not roles.is_signed_in(actor):
        raise Forbidden(_("Sign in to have a calendar feed."))
    CalendarToken.objects.filter(user=actor).delete()
    return CalendarToken.objects.create(user=actor, token=secrets.token_urlsafe(32))


@transaction.atomic
def calendar_token_revoke(*, actor: Any) -> None:
    if not roles.is_signed_in(actor):
        raise Forbidden(_("Sign in to have a calendar feed."))
    CalendarToken.objects.filter(user=actor).delete()


# --- package import ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedPackage:
    note: Note
    documents: list[Document]


def _series_for_symbol(
    actor: Any, organisation: Organisation, symbol: str
) -> tuple[NoteSeries, int]:
    prefix, _sep, digits = symbol.rpartition("/")
    if not digits.isdigit():
        raise MeetingsError(
            _("The note's symbol %(s)s does not end in a number.") % {"s": symbol}, field="symbol"
        )
    pattern = f"{prefix}/{{n}}"
    series = (
        NoteSeries.objects.select_for_update()
        .filter(organisation=organisation, pattern=pattern)
        .first()
    )
    if series is None:
        series = series_create(actor=actor, organisation=organisation, name=prefix, pattern=pattern)
    number = int(digits)
    if Note.objects.filter(series=series, number=number).exists():
        raise MeetingsError(
            _("Note %(s)s is already stored.") % {"s": symbol}, code="duplicate", field="symbol"
        )
    if number > series.last_number:
        series.last_number = number
        series.save(update_fields=["last_number"])
    return series, number


@transaction.atomic
def package_import(
    *,
    actor: Any,
    organisation: Organisation,
    negotiation: Negotiation,
    symbol: str,
    place: str,
    date: Date,
    versions: Sequence[VersionInput],
    enclosures: Sequence[tuple[str, str, str]],
    source_name: str = "",
) -> ImportedPackage:
    """Store a circulated package as the secretariat confirmed it: the note under its own
    number (its series' counter moves past it) with its language versions, and one document
    and revision per enclosure (title, revision kind, text) under ``negotiation``."""
    _require_actor(actor)
    permissions.require_manage(actor, organisation)
    if negotiation.organisation_id != organisation.pk:
        raise MeetingsError(_("The negotiation is of another organisation."), field="negotiation")
    if not enclosures:
        raise MeetingsError(_("The package has no enclosures."), field="enclosures")
    series, number = _series_for_symbol(actor, organisation, symbol)
    note = note_create(
        actor=actor,
        series=series,
        subject=_("Documents forwarded under %(s)s") % {"s": symbol},
        place=place,
        date=date,
        versions=versions,
    )
    documents = []
    for index, (title, kind, text) in enumerate(enclosures, start=1):
        document = negotiation_services.document_create(
            actor=actor, negotiation=negotiation, symbol=f"{symbol}/Encl.{index}", title=title[:300]
        )
        result = negotiation_services.revision_import(
            actor=actor,
            document=document,
            data=text,
            kind=kind if kind in (RevisionKind.DRAFT, RevisionKind.PODIUM) else RevisionKind.DRAFT,
            date=date,
            source_name=source_name,
        )
        enclosure_add(
            actor=actor, note=note, title=title, document=document, revision=result.revision
        )
        documents.append(document)
    note.number, note.symbol, note.status = number, symbol, NoteStatus.ISSUED
    note.issued_at, note.issued_by = timezone.now(), roles.user_or_none(actor)
    note.save(update_fields=["number", "symbol", "status", "issued_at", "issued_by"])
    return ImportedPackage(note=note, documents=documents)
