"""Fixed vocabularies of the meetings app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    SESSION = "session", _("Session")
    CONSULTATION = "consultation", _("Consultation")
    WORKSHOP = "workshop", _("Workshop")
    SUMMIT = "summit", _("Summit")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONVENED = "convened", _("Convened")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")


class DelegationKind(models.TextChoices):
    """A member state's delegation, an observer's, or a guest (an invited organisation)."""

    MEMBER = "member", _("Member state")
    OBSERVER = "observer", _("Observer")
    GUEST = "guest", _("Guest")


class DelegationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    ACCEPTED = "accepted", _("Accepted")


class OutcomeKind(models.TextChoices):
    RECOMMENDATION = "recommendation", _("Recommendation")
    DECISION = "decision", _("Decision")


class Effect(models.TextChoices):
    """What an outcome does to the document its agenda item discusses."""

    NONE = "none", _("No effect on a document")
    CONTINUE = "continue", _("Continue consideration")
    RECOMMEND_APPROVAL = "recommend_approval", _("Recommend for approval")
    APPROVE = "approve", _("Approve")
    RECOMMEND_ADOPTION = "recommend_adoption", _("Recommend for adoption")
    ADOPT = "adopt", _("Adopt")


# Effects that send the text on to another body (``target_body`` required).
FORWARDING_EFFECTS = frozenset({Effect.RECOMMEND_APPROVAL, Effect.RECOMMEND_ADOPTION})


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class NoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class VersionStatus(models.TextChoices):
    ORIGINAL = "original", _("Original")
    TRANSLATION = "translation", _("Translation")


class Addressees(models.TextChoices):
    MEMBER_STATES = "members", _("All member states")
    NAMED = "named", _("Named states")
