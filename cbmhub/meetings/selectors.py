"""Reads of the meetings app; every list and access helper applies ``permissions.py``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.alignment import AlignItem, align
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import Body, Organisation
from cbmhub.hotline import selectors as hotline_selectors
from cbmhub.hotline.models import Receipt
from cbmhub.measures import selectors as measures
from cbmhub.measures.models import Measure, Plan
from cbmhub.negotiations.models import Document

from .choices import Effect
from .models import (
    AgendaItem,
    CalendarToken,
    Delegation,
    Meeting,
    MeetingPart,
    Note,
    NoteFormula,
    NoteSeries,
    Outcome,
    Participant,
)
from .permissions import meeting_filter, note_filter, require_use


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    if roles.is_operator(user):
        return Organisation.objects.order_by("acronym")
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Organisation.objects.filter(pk=organisation_id)
    return Organisation.objects.none()


def bodies_for(user: Any) -> QuerySet[Body]:
    return Body.objects.filter(organisation__in=manageable_organisations(user)).select_related(
        "organisation"
    )


def meeting_list(
    user: Any, *, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[Meeting]:
    """The meetings the user may see, with their body and parts (one query each)."""
    require_use(user)
    meetings = Meeting.objects.filter(meeting_filter(user))
    if start is not None and end is not None:
        meetings = meetings.filter(
            pk__in=MeetingPart.objects.filter(starts_at__lt=end, ends_at__gt=start).values(
                "meeting_id"
            )
        )
    return meetings.select_related("body", "organisation").prefetch_related("parts")


def meetings_for_feed(user: Any) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(meeting_filter(user))
        .select_related("body", "organisation")
        .prefetch_related("parts")
        .order_by("starts_at", "id")
    )


def access_meeting(user: Any, meeting_id: Any) -> Meeting:
    require_use(user)
    meeting = (
        Meeting.objects.filter(meeting_filter(user))
        .select_related("body", "organisation")
        .filter(pk=int_or_404(meeting_id))
        .first()
    )
    if meeting is None:
        raise Http404(_("No such meeting."))
    return meeting


def meeting_detail(meeting: Meeting) -> Meeting:
    """Everything the meeting page shows, in a fixed number of queries."""
    members = Participant.objects.prefetch_related("attended")
    return (
        Meeting.objects.filter(pk=meeting.pk)
        .select_related("body", "organisation")
        .prefetch_related(
            "parts",
            "states",
            "documents",
            Prefetch(
                "agenda",
                queryset=AgendaItem.objects.select_related(
                    "document", "revision", "note", "measure__catalogue", "plan"
                ).prefetch_related(
                    Prefetch("outcomes", queryset=Outcome.objects.select_related("target_body"))
                ),
            ),
            Prefetch(
                "delegations",
                queryset=Delegation.objects.select_related("state").prefetch_related(
                    Prefetch("members", queryset=members)
                ),
            ),
            "minutes",
            "action_points",
            "notes",
        )
        .get()
    )


def agenda_measures(user: Any, meeting: Meeting) -> QuerySet[Measure]:
    """The measures an agenda item of ``meeting`` may discuss: those of the catalogues of the
    meeting's organisation that the user may read."""
    catalogues = measures.catalogue_list(user, organisation_id=meeting.organisation_id)
    return (
        Measure.objects.filter(catalogue__in=catalogues.values("pk"))
        .select_related("catalogue")
        .order_by("catalogue__code", "sort_key")
    )


def agenda_plans(user: Any, meeting: Meeting) -> QuerySet[Plan]:
    """The plans of implementation of those measures that the user may read."""
    return (
        measures.plan_list(user)
        .filter(measure__catalogue__organisation_id=meeting.organisation_id)
        .order_by("measure__catalogue__code", "measure__sort_key", "from_year", "id")
    )


def access_agenda_item(user: Any, item_id: Any) -> AgendaItem:
    require_use(user)
    item = (
        AgendaItem.objects.filter(pk=int_or_404(item_id))
        .select_related("meeting", "meeting__body", "document", "revision")
        .first()
    )
    if (
        item is None
        or not Meeting.objects.filter(meeting_filter(user), pk=item.meeting_id).exists()
    ):
        raise Http404(_("No such agenda item."))
    return item


def access_delegation(user: Any, delegation_id: Any) -> Delegation:
    require_use(user)
    delegation = (
        Delegation.objects.filter(pk=int_or_404(delegation_id))
        .select_related("meeting", "state")
        .first()
    )
    if (
        delegation is None
        or not Meeting.objects.filter(meeting_filter(user), pk=delegation.meeting_id).exists()
    ):
        raise Http404(_("No such delegation."))
    return delegation


def note_list(user: Any) -> QuerySet[Note]:
    require_use(user)
    return (
        Note.objects.filter(note_filter(user))
        .select_related("series", "organisation")
        .prefetch_related("versions", "enclosures")
    )


def access_note(user: Any, note_id: Any) -> Note:
    require_use(user)
    note = (
        Note.objects.filter(note_filter(user))
        .select_related("series", "organisation", "meeting")
        .prefetch_related("versions", "states")
        .filter(pk=int_or_404(note_id))
        .first()
    )
    if note is None:
        raise Http404(_("No such note."))
    return note


def series_for(user: Any) -> QuerySet[NoteSeries]:
    return NoteSeries.objects.filter(organisation__in=manageable_organisations(user))


def formula_for(note: Note, language: str) -> NoteFormula | None:
    return NoteFormula.objects.filter(
        organisation_id=note.organisation_id, language=language
    ).first()


def user_for_token(token: str) -> Any | None:
    if not token or len(token) > 64:
        return None
    row = CalendarToken.objects.select_related("user").filter(token=token).first()
    return row.user if row is not None and row.user.is_active else None


def calendar_token_of(user: Any) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user).first() if roles.is_signed_in(user) else None


# --- a document's path through bodies ---------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """Where a document stands after its latest outcome."""

    effect: str
    body: Body
    target_body: Body | None
    label: str


def stage_label(outcome: Outcome) -> str:
    body = outcome.body.acronym or outcome.body.name
    target = ""
    if outcome.target_body is not None:
        target = outcome.target_body.acronym or outcome.target_body.name
    labels = {
        Effect.CONTINUE: _("Under consideration in %(body)s"),
        Effect.RECOMMEND_APPROVAL: _("Recommended by %(body)s for approval by %(target)s"),
        Effect.APPROVE: _("Approved by %(body)s"),
        Effect.RECOMMEND_ADOPTION: _("Recommended by %(body)s for adoption by %(target)s"),
        Effect.ADOPT: _("Adopted by %(body)s"),
    }
    return labels[Effect(outcome.effect)] % {"body": body, "target": target}


def document_path(user: Any, document: Document) -> list[Outcome]:
    """The outcomes that moved ``document``, in the order the meetings held them, from the
    meetings the user may see."""
    return list(
        Outcome.objects.filter(document=document)
        .exclude(effect=Effect.NONE)
        .filter(agenda_item__meeting__in=Meeting.objects.filter(meeting_filter(user)))
        .select_related("body", "target_body", "revision", "agenda_item__meeting")
        .order_by("held_at", "id")
    )


def document_stage(path: list[Outcome]) -> Stage | None:
    if not path:
        return None
    last = path[-1]
    return Stage(
        effect=last.effect, body=last.body, target_body=last.target_body, label=stage_label(last)
    )


_LABEL = re.compile(r"^\(?([0-9]{1,3}|[A-Za-zА-Яа-яЁё]{1,3})[.)]\s")


def _items(text: str) -> list[AlignItem]:
    items = []
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if block:
            match = _LABEL.match(block)
            items.append(AlignItem("text", match.group(0).strip() if match else "", block))
    return items


@dataclass(frozen=True)
class AlignedCell:
    language: str
    text: str  # "" where the version has no counterpart


@dataclass(frozen=True)
class AlignedRow:
    cells: list[AlignedCell]
    flag: str  # "" | "missing" (a translation lacks it) | "extra" (only a translation has it)


def aligned_versions(versions: list[Any]) -> list[AlignedRow] | None:
    """A note's language versions side by side, paragraph by paragraph, the original first:
    each translation aligned with the original by ``core/alignment.py``; a paragraph a
    translation lacks is flagged "missing", one only a translation has "extra"."""
    if len(versions) < 2:
        return None
    original = next((v for v in versions if v.status == "original"), versions[0])
    others = [v for v in versions if v is not original]
    base = _items(original.body)
    matched: list[dict[int, str]] = []
    extras: dict[int, list[tuple[int, str]]] = {}
    for column, version in enumerate(others, start=1):
        items = _items(version.body)
        pairs, last = {}, -1
        for pair in align(base, items):
            if pair.left is not None:
                last = pair.left
                if pair.right is not None:
                    pairs[pair.left] = items[pair.right].text
            elif pair.right is not None:
                extras.setdefault(last, []).append((column, items[pair.right].text))
        matched.append(pairs)
    languages = [original.language, *(v.language for v in others)]
    rows = [_extra_row(languages, column, text) for column, text in extras.get(-1, [])]
    for index, item in enumerate(base):
        texts = [item.text, *(pairs.get(index, "") for pairs in matched)]
        cells = [AlignedCell(lang, text) for lang, text in zip(languages, texts, strict=True)]
        rows.append(AlignedRow(cells, "missing" if "" in texts else ""))
        rows.extend(_extra_row(languages, column, text) for column, text in extras.get(index, []))
    return rows


def _extra_row(languages: list[str], column: int, text: str) -> AlignedRow:
    cells = [AlignedCell(lang, text if n == column else "") for n, lang in enumerate(languages)]
    return AlignedRow(cells, "extra")


def note_circulation(user: Any, note: Note) -> list[Receipt]:
    """Where the note's circulation stands with each addressee state — delivered, acknowledged
    (read), replied — from the hotline's receipts of the message that carried it, as the hotline
    lets `user` see them (its own rules: none when the user may not see that message)."""
    if note.circulated_message_id is None:
        return []
    return hotline_selectors.message_receipts(user, note.circulated_message_id)
