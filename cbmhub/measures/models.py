"""Measures: catalogues of CBMs, plans of implementation, reporting cycles, national
submissions, the capability inventory and the early-warning settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cbmhub.core.models import TimeStampedModel
from cbmhub.directory.models import Organisation, State
from cbmhub.negotiations.models import Document

from . import choices


def code_sort_key(code: str) -> str:
    """A code such as "3.2.2.4" as a key that sorts numerically ("0003.0002.0002.0004");
    parts that are not numbers sort by their text after the numbers."""
    parts = [p for p in code.strip().strip(".").split(".") if p]
    return ".".join(p.zfill(4) if p.isdigit() else "~" + p for p in parts)


class Catalogue(TimeStampedModel):
    """A catalogue of confidence-building measures of an organisation in one version (the CICA
    Catalogue of CBMs, the ADMM three-year work programme), adopted by a document and perhaps
    superseded by a later one; several catalogues and versions stand side by side."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="measure_catalogues"
    )
    code = models.SlugField(max_length=60, unique=True, help_text=_("e.g. admm-wp-2008"))
    title = models.CharField(max_length=300)
    version = models.CharField(max_length=40, blank=True)
    adopted_on = models.DateField(null=True, blank=True)
    superseded_on = models.DateField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_by = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation__acronym", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(superseded_on__isnull=True)
                | Q(adopted_on__isnull=True)
                | Q(superseded_on__gte=F("adopted_on")),
                name="catalogue_superseded_after_adopted",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Measure(TimeStampedModel):
    """One item of a catalogue, at any depth of its numbered tree (1 → 1.1 → 1.1.1): its code is
    stable (never renumbered), its dimension, its text and the dates it was in force."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.CASCADE, related_name="measures")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(max_length=40)
    sort_key = models.CharField(max_length=200, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    dimension = models.CharField(max_length=24, choices=choices.Dimension.choices, blank=True)
    text = models.TextField()
    adopted_on = models.DateField(null=True, blank=True)
    superseded_on = models.DateField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_by = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["catalogue_id", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="measure_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.sort_key = code_sort_key(self.code)
        self.depth = max(1, len(self.sort_key.split(".")))
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Coordinator(models.Model):
    """A state that volunteered to coordinate (or co-coordinate) a measure over some years."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="coordinators")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=choices.CoordinatorRole.choices)
    from_year = models.PositiveSmallIntegerField()
    to_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["measure_id", "from_year", "role", "state__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_year__isnull=True) | Q(to_year__gte=F("from_year")),
                name="coordinator_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.role} {self.measure.code}"


class Plan(TimeStampedModel):
    """A plan of implementation of a measure for a period (e.g. 2022–2023): its objectives and
    initiatives, linked to the negotiation document (a concept paper) that adopted it."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(max_length=300)
    from_year = models.PositiveSmallIntegerField()
    to_year = models.PositiveSmallIntegerField()
    objectives = models.TextField(blank=True)
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["measure__sort_key", "from_year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_year__gte=F("from_year")), name="plan_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.from_year}–{self.to_year})"


class Initiative(TimeStampedModel):
    """One thing a plan intends to do (an online workshop in 2022), who leads it, whether it was
    held, and what came of it; ``participants`` are the states that took part."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="initiatives")
    kind = models.CharField(max_length=16, choices=choices.InitiativeKind.choices)
    title = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField()
    date = models.DateField(null=True, blank=True)
    lead_state = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=12,
        choices=choices.InitiativeStatus.choices,
        default=choices.InitiativeStatus.PLANNED,
    )
    outcome = models.TextField(blank=True)
    participants = models.ManyToManyField(State, blank=True, related_name="+")

    class Meta:
        ordering = ["plan_id", "year", "date", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ReportingCycle(TimeStampedModel):
    """A round of reporting under a catalogue's instrument (e.g. the 2026 ASEAN Security
    Outlook inputs), with its deadline; the measures it asks about are those of the catalogue
    that have no children (or all, when ``measures`` is set)."""

    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="cycles")
    instrument = models.CharField(max_length=120, help_text=_("e.g. ASEAN Security Outlook"))
    year = models.PositiveSmallIntegerField()
    deadline = models.DateField()
    measures = models.ManyToManyField(Measure, blank=True, related_name="cycles")

    class Meta:
        ordering = ["catalogue_id", "-year", "instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "instrument", "year"], name="cycle_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.year}"


class Submission(TimeStampedModel):
    """A state's voluntary national submission under a measure in a cycle (a briefing, a white
    paper, a nil return "nothing new since 2024"), as filed by its focal point and acknowledged
    by the secretariat; every change keeps the previous text as a version."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.PROTECT, related_name="submissions")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="submissions")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=choices.SubmissionKind.choices)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    nil_since_year = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    visibility = models.CharField(
        max_length=12, choices=choices.Visibility.choices, default=choices.Visibility.SECRETARIAT
    )
    named_states = models.ManyToManyField(State, blank=True, related_name="+")
    status = models.CharField(
        max_length=12,
        choices=choices.SubmissionStatus.choices,
        default=choices.SubmissionStatus.DRAFT,
    )
    version = models.PositiveIntegerField(default=1)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle_id", "measure__sort_key", "state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "measure", "state"], name="submission_unique_cell"
            ),
            models.CheckConstraint(
                condition=~Q(kind="nil_return") | Q(nil_since_year__isnull=False),
                name="submission_nil_has_year",
            ),
        ]
        indexes = [
            # Covers the matrix's and the trend's counts (no table read per submission).
            models.Index(
                fields=["cycle", "status", "kind", "state", "measure"], name="submission_tally"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.measure.code} {self.cycle}"


class CycleTally(models.Model):
    """How many cells of a cycle a state has filed (submitted or acknowledged), and how many of
    those are nil returns: kept by the services with every change of a submission, so that the
    matrix's figures and the trend read one row per state and cycle, never every submission."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="tallies")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    filed = models.PositiveIntegerField(default=0)
    nil = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "state"], name="measures_tally_unique"),
            models.CheckConstraint(condition=Q(nil__lte=F("filed")), name="measures_tally_nil"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.state_id}: {self.filed} ({self.nil} nil)"


class SubmissionVersion(models.Model):
    """The text of a submission as it stood before a change (version N)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=choices.SubmissionKind.choices)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    nil_since_year = models.PositiveSmallIntegerField(null=True, blank=True)
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["submission_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="submission_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} v{self.number}"


def attachment_path(instance: SubmissionAttachment, filename: str) -> str:
    return f"measures/{instance.submission_id}/{instance.sha256[:16]}"


class SubmissionAttachment(models.Model):
    """A file filed with a submission (the white paper as PDF)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission_id", "id"]

    def __str__(self) -> str:
        return self.name


class Capability(TimeStampedModel):
    """A record of a state's structured inventory (ADMM 3.2.2.2): a military capability
    available for disaster relief, how many, how ready, and whom to call."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=120, help_text=_("e.g. C-130 transport aircraft"))
    quantity = models.PositiveIntegerField()
    readiness = models.CharField(max_length=12, choices=choices.Readiness.choices)
    contact = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=12, choices=choices.Visibility.choices, default=choices.Visibility.MEMBERS
    )
    named_states = models.ManyToManyField(State, blank=True, related_name="+")

    class Meta:
        ordering = ["state__name", "kind", "id"]
        verbose_name_plural = "capabilities"

    def __str__(self) -> str:
        return f"{self.state} {self.kind} × {self.quantity}"


class Threshold(models.Model):
    """The value from which a signal raises an alert for an organisation, set by its
    secretariat (for the check response rate: the rate below which)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    signal = models.CharField(max_length=24, choices=choices.Signal.choices)
    value = models.PositiveIntegerField()

    class Meta:
        ordering = ["organisation_id", "signal"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "signal"], name="measures_threshold_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.signal} {self.value}"


class Alert(TimeStampedModel):
    """A signal past its threshold, for the secretariat to follow: who owns it, where it
    stands, and the next step."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    state = models.ForeignKey(
        State, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signal = models.CharField(max_length=24, choices=choices.Signal.choices)
    figure = models.IntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=choices.AlertStatus.choices, default=choices.AlertStatus.OPEN
    )
    next_step = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["status", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.signal} {self.state or ''} {self.figure}"


class Reminder(models.Model):
    """A reminder sent to a state about a cycle's deadline (one per state, cycle and kind:
    "due soon" before the deadline, "overdue" after), so that the command never sends twice.
    ``message`` is the hotline message that carried it (one message for every state reminded
    together); empty when it went by e-mail (the organisation has no suitable channel)."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="reminders")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12)
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)
    message = models.ForeignKey(
        "hotline.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "state", "kind"], name="measures_reminder_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} {self.state_id} {self.kind}"
