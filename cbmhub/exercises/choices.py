"""Fixed vocabularies of exercises."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ControlCell(models.TextChoices):
    """Who runs an exercise: the organisation's secretariat, or a lead state."""

    SECRETARIAT = "secretariat", _("Secretariat")
    LEAD_STATE = "lead_state", _("Lead state")


class InjectKind(models.TextChoices):
    """What an inject does when it is due."""

    INCIDENT_NOTIFICATION = "incident_notification", _("Incident notification")
    REQUEST_ASSISTANCE = "request_assistance", _("Request for assistance")
    REQUEST_INFORMATION = "request_information", _("Request for information")
    NOTE_VERBALE = "note_verbale", _("Note verbale")
    COMMUNICATION_CHECK = "communication_check", _("Communication check")
    EXCHANGE = "exchange", _("STIX incident or indicators (exchange)")
    MANUAL = "manual", _("Manual")


# The injects that go out as a hotline message, and the hotline template each is written from.
MESSAGE_KINDS = {
    InjectKind.INCIDENT_NOTIFICATION: "incident_notification",
    InjectKind.REQUEST_ASSISTANCE: "request_assistance",
    InjectKind.REQUEST_INFORMATION: "request_information",
    InjectKind.NOTE_VERBALE: "free_text",
}


class WaitFor(models.TextChoices):
    """A dependency: the inject waits until the earlier inject was acknowledged / answered."""

    NONE = "", _("Nothing")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REPLIED = "replied", _("Answered")


class Condition(models.TextChoices):
    """A condition checked when the inject is due: otherwise it is skipped."""

    ALWAYS = "always", _("Always")
    IF_NOT_ACKNOWLEDGED = "if_not_acknowledged", _("If the earlier inject was not acknowledged")
    IF_NOT_REPLIED = "if_not_replied", _("If the earlier inject was not answered")


class ExpectationKind(models.TextChoices):
    """What a recipient state is expected to do after an inject."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge within")
    REPLY = "reply", _("Reply with an assessment within")
    SHARE_INDICATORS = "share_indicators", _("Share indicators within")
    CONSULTATION = "consultation", _("Convene a consultation within")


# Decided from the platform's own records (the hotline's receipts; the exchange's shared
# indicators); the others are judged by an evaluator.
RECORDED_EXPECTATIONS = {
    ExpectationKind.ACKNOWLEDGE,
    ExpectationKind.REPLY,
    ExpectationKind.SHARE_INDICATORS,
}


class RunStatus(models.TextChoices):
    READY = "ready", _("Ready")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class InjectStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class MemberRole(models.TextChoices):
    CONTROL = "control", _("Control cell")
    EVALUATOR = "evaluator", _("Evaluator")
    OBSERVER = "observer", _("Observer")
