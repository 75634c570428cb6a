"""Fixed vocabularies of the measures app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """The dimensions (priority areas) of a catalogue of CBMs, as in the CICA catalogue."""

    MILITARY_POLITICAL = "military_political", _("Military-political")
    NEW_THREATS = "new_threats", _("New challenges and threats")
    ECONOMIC = "economic", _("Economic")
    ENVIRONMENTAL = "environmental", _("Environmental")
    HUMAN = "human", _("Human")
    OTHER = "other", _("Other")


class CoordinatorRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinating state")
    CO_COORDINATOR = "co_coordinator", _("Co-coordinating state")


class InitiativeKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    SEMINAR = "seminar", _("Seminar")
    TRAINING = "training", _("Training")
    EXERCISE = "exercise", _("Exercise")
    EXPERT_MEETING = "expert_meeting", _("Expert meeting")
    DOCUMENT = "document", _("Document")


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class SubmissionKind(models.TextChoices):
    """What a state submits under a measure (ADMM 1.1.1, 3.1.2, 3.2.2.1, 3.2.2.2)."""

    BRIEFING = "briefing", _("Briefing")
    WHITE_PAPER = "white_paper", _("Defence white paper")
    SECURITY_OUTLOOK = "security_outlook", _("National security outlook")
    SOP = "sop", _("Standard operating procedures")
    CAPABILITY_INVENTORY = "capability_inventory", _("Capability inventory")
    NIL_RETURN = "nil_return", _("Nil return")


class Visibility(models.TextChoices):
    """Who may read a submission or a capability record besides its state and the secretariat."""

    SECRETARIAT = "secretariat", _("Secretariat only")
    MEMBERS = "members", _("All members")
    NAMED = "named", _("Named states")
    PUBLIC = "public", _("Public")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class Readiness(models.TextChoices):
    READY = "ready", _("Ready")
    ON_NOTICE = "on_notice", _("On notice")
    UNAVAILABLE = "unavailable", _("Unavailable")


class CellStatus(models.TextChoices):
    """One cell of the implementation matrix (a state × a measure in a cycle)."""

    SUBMITTED = "submitted", _("Submitted")
    NIL = "nil", _("Nil return")
    OVERDUE = "overdue", _("Overdue")
    NONE = "none", _("None")


class Signal(models.TextChoices):
    """What the early-warning dashboard watches (ADMM 3.1.3)."""

    UNACKNOWLEDGED = "unacknowledged", _("Messages unacknowledged past deadline")
    UNANSWERED = "unanswered", _("Messages unanswered past deadline")
    ESCALATIONS = "escalations", _("Escalations")
    CHECK_RESPONSE = "check_response", _("Communication-check response rate (%)")
    OVERDUE_SUBMISSIONS = "overdue_submissions", _("Overdue submissions")
    INCIDENT_SEVERITY = "incident_severity", _("Incident severity")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")
