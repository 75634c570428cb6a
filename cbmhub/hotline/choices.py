"""Fixed vocabularies of the hotline."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the stubs' name for "str or lazy translation"; typing only
    from django_stubs_ext import StrOrPromise


class Scope(models.TextChoices):
    """Who a channel connects: two states under an arrangement, or an organisation's members."""

    BILATERAL = "bilateral", _("Bilateral")
    MULTILATERAL = "multilateral", _("Multilateral")


class MessageKind(models.TextChoices):
    """The structured templates a hotline message is written from."""

    REQUEST_INFORMATION = "request_information", _("Request for information")
    REQUEST_ASSISTANCE = "request_assistance", _("Request for assistance")
    INCIDENT_NOTIFICATION = "incident_notification", _("Incident notification")
    RESPONSE = "response", _("Response")
    COMMUNICATION_CHECK = "communication_check", _("Communication check")
    FREE_TEXT = "free_text", _("Free text")
    # A secretariat's note verbale circulated to the member states (the meetings app sends it).
    NOTE_VERBALE = "note_verbale", _("Note verbale")


# The headings a template pre-fills in the body, so that every request carries the same facts.
KIND_TEMPLATES: dict[str, list[StrOrPromise]] = {
    MessageKind.REQUEST_INFORMATION: [
        _("What we ask"),
        _("Why it matters"),
        _("Systems or addresses concerned"),
    ],
    MessageKind.REQUEST_ASSISTANCE: [
        _("Situation"),
        _("Assistance requested"),
        _("Technical details"),
        _("Contact"),
    ],
    MessageKind.INCIDENT_NOTIFICATION: [
        _("What happened"),
        _("When"),
        _("Systems affected"),
        _("Indicators"),
        _("Actions taken"),
    ],
    MessageKind.RESPONSE: [_("Answer"), _("Actions taken"), _("Follow-up")],
    MessageKind.COMMUNICATION_CHECK: [_("Please acknowledge receipt of this message.")],
    MessageKind.FREE_TEXT: [],
    MessageKind.NOTE_VERBALE: [],
}

# A request expects a substantive reply even without an instrument's deadline.
REPLY_EXPECTED = {MessageKind.REQUEST_INFORMATION, MessageKind.REQUEST_ASSISTANCE}
# A response closes a thread: nobody escalates an unacknowledged answer.
ACK_EXPECTED = set(MessageKind) - {MessageKind.RESPONSE}


class Priority(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    FLASH = "flash", _("Flash")


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0 markings (FIRST)."""

    CLEAR = "CLEAR", "TLP:CLEAR"
    GREEN = "GREEN", "TLP:GREEN"
    AMBER = "AMBER", "TLP:AMBER"
    AMBER_STRICT = "AMBER+STRICT", "TLP:AMBER+STRICT"
    RED = "RED", "TLP:RED"


# Only these markings allow the body to travel in plain e-mail; the others are read in CBM Hub.
TLP_BODY_IN_EMAIL: frozenset[str] = frozenset({Tlp.CLEAR, Tlp.GREEN})


class DeliveryKind(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryPurpose(models.TextChoices):
    MESSAGE = "message", _("New message")
    ESCALATION = "escalation", _("Escalation to the next level")
    SENDER_NOTICE = "sender_notice", _("Notice to the sender")
    # To the secretariat (operators on a channel without an organisation): a state has no point
    # of contact at a level an escalation had to reach.
    UNREACHABLE = "unreachable", _("No point of contact at a level")
    CHECK = "check", _("Communication check")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EventKind(models.TextChoices):
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ESCALATED = "escalated", _("Escalated")
    REPLIED = "replied", _("Replied")
    CHECK_STARTED = "check_started", _("Communication check started")
    CHECK_ANSWERED = "check_answered", _("Communication check answered")
    CHECK_CLOSED = "check_closed", _("Communication check closed")
