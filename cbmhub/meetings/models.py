"""Meetings of bodies, their agendas, delegations and outcomes; minutes and action points;
numbered secretariat notes (notes verbales) in several languages; calendar feed tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cbmhub.core.models import TimeStampedModel
from cbmhub.directory.models import Body, Organisation, State
from cbmhub.measures.models import Measure, Plan
from cbmhub.negotiations.models import Document, Revision

from . import choices


class Meeting(TimeStampedModel):
    """A meeting of a body of an organisation (a session of the Special Working Group, a
    bilateral consultation, a summit), held in one or more parts. A meeting of a bilateral
    body names its two states in ``states`` and is visible to them only."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=16, choices=choices.MeetingKind.choices)
    status = models.CharField(
        max_length=16, choices=choices.MeetingStatus.choices, default=choices.MeetingStatus.PLANNED
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    # A bilateral (or otherwise restricted) meeting: only ``states`` see it.
    restricted = models.BooleanField(default=False)
    states = models.ManyToManyField(
        State,
        blank=True,
        related_name="+",
        help_text=_("For a bilateral or restricted meeting: the only states that see it."),
    )
    documents = models.ManyToManyField(Document, blank=True, related_name="+")
    # RFC 5545 SEQUENCE: raised on every change an attendee's calendar must take.
    sequence = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MeetingPart(models.Model):
    """One part of a meeting: a day or days in one place (a city and venue) or online."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="parts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_part_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting} {self.starts_at:%Y-%m-%d}"


class AgendaItem(models.Model):
    """A numbered item of a meeting's agenda, and what it discusses (a document and revision
    under negotiation, a measure or a plan of implementation of the measures app, a note)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.ForeignKey(
        "Note", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Delegation(TimeStampedModel):
    """A state's delegation to a meeting (nominated by its focal point, accepted by the
    secretariat), or an observer's or guest's (named by the secretariat)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="delegations")
    state = models.ForeignKey(State, on_delete=models.PROTECT, null=True, blank=True)
    name = models.CharField(
        max_length=200, blank=True, help_text=_("An observer's or guest's name.")
    )
    kind = models.CharField(
        max_length=16, choices=choices.DelegationKind.choices, default=choices.DelegationKind.MEMBER
    )
    status = models.CharField(
        max_length=16,
        choices=choices.DelegationStatus.choices,
        default=choices.DelegationStatus.NOMINATED,
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "kind", "state__name", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "state"],
                condition=Q(state__isnull=False),
                name="delegation_state_once",
            )
        ]

    def __str__(self) -> str:
        return str(self.state or self.name)


class Participant(models.Model):
    """A member of a delegation, its head first; ``attended`` lists the parts they attended."""

    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    function = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    is_head = models.BooleanField(default=False)
    attended = models.ManyToManyField(MeetingPart, blank=True, related_name="attendees")

    class Meta:
        ordering = ["delegation", "-is_head", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Outcome(TimeStampedModel):
    """What a meeting recommended or decided on an agenda item, and its effect on the document
    the item discusses: continue consideration, recommend it to another body for approval or
    adoption, approve it, adopt it. A document's outcomes, in meeting order, are its path."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=16, choices=choices.OutcomeKind.choices)
    wording = models.TextField()
    effect = models.CharField(
        max_length=24, choices=choices.Effect.choices, default=choices.Effect.NONE
    )
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    target_body = models.ForeignKey(
        Body, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    held_at = models.DateTimeField(help_text=_("When the meeting held the item (its start)."))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["held_at", "id"]
        indexes = [models.Index(fields=["document", "held_at"], name="outcome_document_path")]

    def __str__(self) -> str:
        return f"{self.agenda_item}: {self.get_effect_display()}"


class Minutes(models.Model):
    """One version of a meeting's summary record; the approved one is the record."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveIntegerField()
    text = models.TextField()
    status = models.CharField(
        max_length=16, choices=choices.MinutesStatus.choices, default=choices.MinutesStatus.DRAFT
    )
    written_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} minutes v{self.version}"


class ActionPoint(models.Model):
    """Something a meeting asked someone to do by a date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_points")
    text = models.TextField()
    owner = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "due", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class NoteSeries(models.Model):
    """A series of secretariat notes numbered in one sequence, e.g. "SWG/OI/{n}".
    ``last_number`` is the counter: issuing locks this row, so numbers never repeat or skip."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    pattern = models.CharField(max_length=80, help_text=_('With "{n}" for the number.'))
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name_plural = "note series"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="note_series_unique")
        ]

    def __str__(self) -> str:
        return self.pattern


class Note(TimeStampedModel):
    """A note verbale of the secretariat: one number, several language versions, enclosures,
    addressed to all member states or to named states. The number is given when issued."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    series = models.ForeignKey(NoteSeries, on_delete=models.PROTECT, related_name="notes")
    number = models.PositiveIntegerField(null=True, blank=True)
    symbol = models.CharField(max_length=80, blank=True)
    status = models.CharField(
        max_length=16, choices=choices.NoteStatus.choices, default=choices.NoteStatus.DRAFT
    )
    subject = models.CharField(max_length=300)
    place = models.CharField(max_length=120)
    date = models.DateField()
    addressees = models.CharField(
        max_length=16, choices=choices.Addressees.choices, default=choices.Addressees.MEMBER_STATES
    )
    states = models.ManyToManyField(State, blank=True, related_name="+")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Circulation (note_circulate): the one hotline message that carried the note to the
    # addressees' diplomatic points of contact; its receipts are the delivery and read receipts.
    circulated_message = models.OneToOneField(
        "hotline.Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circulated_note",
        editable=False,
    )

    class Meta:
        ordering = ["-date", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"],
                condition=Q(number__isnull=False),
                name="note_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.symbol or self.subject


class NoteVersion(models.Model):
    """A note's text in one language: the original or a translation, under the same number."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=10)
    status = models.CharField(max_length=16, choices=choices.VersionStatus.choices)
    body = models.TextField()

    class Meta:
        ordering = ["note", "status", "language"]
        constraints = [
            models.UniqueConstraint(fields=["note", "language"], name="note_version_language")
        ]

    def __str__(self) -> str:
        return f"{self.note} [{self.language}]"


class Enclosure(models.Model):
    """What a note forwards: a document, a revision or a file, with its page count."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="enclosures")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to="meetings/enclosures/%Y/", blank=True)
    pages = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["note", "position"]

    def __str__(self) -> str:
        return self.title


class NoteFormula(models.Model):
    """The customary opening and closing of a note in one language, as the secretariat writes
    them: "{sender}" and "{addressees}" are filled in."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=10)
    sender = models.CharField(max_length=300)
    opening = models.TextField()
    closing = models.TextField()
    addressees_members = models.CharField(max_length=300)

    class Meta:
        ordering = ["organisation", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "language"], name="note_formula_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} [{self.language}]"


class CalendarToken(models.Model):
    """The secret of a user's private calendar feed URL; revoking deletes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar token of {self.user}"
