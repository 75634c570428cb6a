"""The hotline: channels between states, messages with per-state delivery, acknowledgement and
reply tracking, the delivery outbox, communication checks, and the signed record of events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cbmhub.core.models import TimeStampedModel
from cbmhub.directory.choices import Level

from . import choices


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


class Channel(TimeStampedModel):
    """A standing line of communication between states at one level (technical, diplomatic,
    high-level): either bilateral — two states under a named arrangement, such as the CERT-to-CERT
    link of the 2013 US–Russia statement — or multilateral, between the members of an
    organisation. It fixes the deadlines by priority and the escalation policy, and it owns one
    hash chain of events (``last_seq``/``last_hash``: the chain's head, updated under a lock).
    """

    name = models.CharField(max_length=200)
    scope = models.CharField(max_length=16, choices=choices.Scope.choices)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.TECHNICAL)
    arrangement = models.CharField(
        max_length=200, blank=True, help_text="The instrument that set up a bilateral channel."
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_channels",
        help_text="Multilateral: whose members take part. Bilateral: the framework, if any.",
    )
    state_a = models.ForeignKey(
        "directory.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state_b = models.ForeignKey(
        "directory.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    ack_routine = models.DurationField(default=timedelta(hours=24))
    reply_routine = models.DurationField(default=timedelta(days=7))
    ack_urgent = models.DurationField(default=timedelta(hours=1))
    reply_urgent = models.DurationField(default=timedelta(hours=24))
    ack_flash = models.DurationField(default=_minutes(15))
    reply_flash = models.DurationField(default=timedelta(hours=4))
    escalate_every = models.DurationField(
        null=True,
        blank=True,
        help_text="Time between escalations; empty: the acknowledgement deadline again.",
    )
    escalation_max_level = models.CharField(
        max_length=16, choices=Level.choices, default=Level.HIGH_LEVEL
    )
    escalation_max_count = models.PositiveSmallIntegerField(
        default=3, help_text="Escalations per recipient state at most (0: never escalate)."
    )

    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    last_hash = models.CharField(max_length=64, default="0" * 64, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="hotline_channel_scope_parties",
                condition=(
                    Q(scope=choices.Scope.BILATERAL, state_a__isnull=False, state_b__isnull=False)
                    & ~Q(state_a=models.F("state_b"))
                )
                | Q(
                    scope=choices.Scope.MULTILATERAL,
                    organisation__isnull=False,
                    state_a__isnull=True,
                    state_b__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_bilateral(self) -> bool:
        return self.scope == choices.Scope.BILATERAL

    def clean(self) -> None:
        errors = {}
        for priority in choices.Priority.values:
            for prefix in ("ack", "reply"):
                name = f"{prefix}_{priority}"
                value = getattr(self, name)
                if value is not None and value <= timedelta(0):
                    errors[name] = "The deadline must be longer than zero."
        if self.escalate_every is not None and self.escalate_every <= timedelta(0):
            errors["escalate_every"] = "The interval must be longer than zero."
        if errors:
            raise ValidationError(errors)

    def ack_deadline(self, priority: str) -> timedelta:
        return getattr(self, f"ack_{priority}")

    def reply_deadline(self, priority: str) -> timedelta:
        return getattr(self, f"reply_{priority}")


class Message(models.Model):
    """One communication on a channel from one state to the other participant(s): a request for
    information or assistance, an incident notification, a response, a communication check or
    free text, with its priority, TLP marking and, where an instrument is invoked (e.g. "OSCE
    CBM 3"), that instrument's reply deadline."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="messages")
    # Who the message is from: a state (its point of contact sent it) or, on a multilateral
    # channel, the organisation itself (its secretariat sent it, e.g. a note verbale circulated
    # to the member states). Exactly one of the two (DB check constraint).
    sender_state = models.ForeignKey(
        "directory.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender_organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set when the organisation's secretariat sent the message (no sender state).",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_messages_sent",
    )
    kind = models.CharField(max_length=32, choices=choices.MessageKind.choices)
    priority = models.CharField(max_length=8, choices=choices.Priority.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    language = models.CharField(max_length=10, default="en")
    instrument = models.CharField(max_length=120, blank=True, help_text='e.g. "OSCE CBM 3".')
    reply_deadline = models.DateTimeField(
        null=True, blank=True, help_text="The reply deadline the invoked instrument sets."
    )
    tlp = models.CharField(
        "TLP", max_length=12, choices=choices.Tlp.choices, default=choices.Tlp.AMBER
    )
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    sent_at = models.DateTimeField(db_index=True)
    # Since format 2 of the record: HMAC-SHA256 of the content keyed with content_salt (a
    # commitment the secretariat cannot test guesses against). Empty salt: a message sent before,
    # whose content_sha256 is the plain SHA-256 (shown only to readers of the content).
    content_sha256 = models.CharField(max_length=64, editable=False)
    content_salt = models.CharField(max_length=64, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Sent by an exercise run (the exercises app): kept apart from real traffic, never counted in
    # real statistics or early-warning signals.
    is_exercise = models.BooleanField(default=False, db_index=True, editable=False)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="hotline_message_idempotency_key",
            ),
            models.CheckConstraint(
                name="hotline_message_one_sender",
                condition=Q(sender_state__isnull=False, sender_organisation__isnull=True)
                | Q(sender_state__isnull=True, sender_organisation__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["channel", "-sent_at"], name="hotline_msg_channel")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} ({self.get_priority_display()})"

    @property
    def sender_party(self) -> Any:
        """Who the message is from: the sender state, or the organisation whose secretariat
        sent it (both have a ``name``; a state has ``iso3``, an organisation ``acronym``)."""
        return self.sender_state if self.sender_state_id else self.sender_organisation

    @property
    def sender_code(self) -> str:
        """The sender state's ISO alpha-3, or the sending organisation's acronym."""
        if self.sender_state_id and self.sender_state is not None:
            return self.sender_state.iso3
        if self.sender_organisation is not None:
            return self.sender_organisation.acronym
        return ""


def attachment_path(instance: Attachment, filename: str) -> str:
    # Content-addressed names: no user-chosen path reaches the file system.
    return f"hotline/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file sent with a message, with its SHA-256 (part of the message's recorded content)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Receipt(models.Model):
    """Where a message stands with one recipient state, three facts tracked apart, each with its
    time: delivered (it reached the state's points of contact), acknowledged (an authorised point
    of contact of that state confirmed receipt) and replied (a substantive response was sent),
    with the deadlines for the last two and the level the message has been escalated to."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="receipts")
    state = models.ForeignKey("directory.State", on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    reply = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ack_due_at = models.DateTimeField(null=True, blank=True)
    reply_due_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.CharField(max_length=16, choices=Level.choices)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # What the last escalation did: how many points of contact it reached (0: nobody, and the
    # escalation stopped; None: not escalated, or before this was recorded), and the levels it
    # looked at where the state has no point of contact.
    escalation_reached = models.PositiveSmallIntegerField(null=True, blank=True)
    escalation_unreachable = models.CharField(
        max_length=64, blank=True, help_text="Comma-separated levels with no point of contact."
    )

    class Meta:
        ordering = ["message_id", "state__name"]
        constraints = [
            models.UniqueConstraint(fields=["message", "state"], name="hotline_receipt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.state}"

    @property
    def status(self) -> str:
        if self.replied_at:
            return "replied"
        if self.acknowledged_at:
            return "acknowledged"
        if self.delivered_at:
            return "delivered"
        return "pending"

    @property
    def awaits_acknowledgement(self) -> bool:
        """The one rule for what waits for an acknowledgement (the inbox counter, its rows, the
        Acknowledge button, the service and escalation): a receipt with an acknowledgement
        deadline — only the kinds in choices.ACK_EXPECTED get one, so never a response — that
        has not been acknowledged. ``selectors.awaiting_acknowledgement()`` is the same rule
        as a query."""
        return self.ack_due_at is not None and self.acknowledged_at is None

    @property
    def unreachable_levels(self) -> list[str]:
        return [level for level in self.escalation_unreachable.split(",") if level]

    @property
    def unreachable_level_labels(self) -> list[str]:
        return [str(Level(level).label) for level in self.unreachable_levels]

    @property
    def escalation_reached_nobody(self) -> bool:
        """The last escalation found no point of contact at any level: it stopped there."""
        return self.escalation_reached == 0

    def ack_overdue(self, now) -> bool:
        due = self.ack_due_at
        return bool(due and (self.acknowledged_at or now) > due)

    def reply_overdue(self, now) -> bool:
        due = self.reply_due_at
        return bool(due and (self.replied_at or now) > due)


class Webhook(TimeStampedModel):
    """An endpoint of a state's own system (e.g. a CERT's ticketing tool) that receives a signed
    POST for every hotline message to that state."""

    state = models.ForeignKey("directory.State", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, help_text="Shared secret for the HMAC signature.")
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["state", "url"], name="hotline_webhook_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.state}: {self.url}"


class CommunicationCheck(TimeStampedModel):
    """A "ping test": the secretariat asks every point of contact of an organisation (or a
    chosen subset) to confirm within a deadline that the line works."""

    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="hotline_checks"
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="checks")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Started by an exercise run: never counted in the real communication-check figures.
    is_exercise = models.BooleanField(default=False, db_index=True, editable=False)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} check {self.started_at:%Y-%m-%d %H:%M}"


class CheckTarget(models.Model):
    """One point of contact asked to confirm in a communication check, and when it did."""

    communication_check = models.ForeignKey(
        CommunicationCheck, on_delete=models.CASCADE, related_name="targets"
    )
    point_of_contact = models.ForeignKey(
        "directory.PointOfContact", on_delete=models.PROTECT, related_name="+"
    )
    state = models.ForeignKey("directory.State", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=16, choices=Level.choices)
    token = models.CharField(max_length=64, unique=True, help_text="Secret of the e-mailed link.")
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["state__name", "level", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["communication_check", "point_of_contact"],
                name="hotline_check_target_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.communication_check} — {self.point_of_contact}"

    @property
    def in_time(self) -> bool:
        return bool(self.answered_at and self.answered_at <= self.communication_check.deadline)


class Delivery(models.Model):
    """One item of the outbox: a notification to hand to one destination (the in-app inbox of a
    recipient state, one e-mail address, one webhook). Written in the same transaction as the
    event that causes it, then claimed and sent by a worker; a claim expires (``lease_until``) so
    the rows of a worker that died are taken again, and a successful send is recorded only by the
    worker that still holds the claim."""

    kind = models.CharField(max_length=8, choices=choices.DeliveryKind.choices)
    purpose = models.CharField(max_length=16, choices=choices.DeliveryPurpose.choices)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    check_target = models.ForeignKey(
        CheckTarget, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    point_of_contact = models.ForeignKey(
        "directory.PointOfContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    webhook = models.ForeignKey(
        Webhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    address = models.CharField(max_length=500, blank=True, help_text="E-mail address or URL.")
    status = models.CharField(
        max_length=8,
        choices=choices.DeliveryStatus.choices,
        default=choices.DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(db_index=True)
    claim = models.CharField(max_length=64, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "available_at"], name="hotline_delivery_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_purpose_display()} #{self.pk}"


class Event(models.Model):
    """One entry of a channel's tamper-evident record: a hotline event (sent, delivered,
    acknowledged, escalated, replied, check started/answered/closed) as canonical JSON, linked to
    the entry before by its hash and signed with the platform's Ed25519 key (chain.py)."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=16, choices=choices.EventKind.choices)
    at = models.DateTimeField()
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    communication_check = models.ForeignKey(
        CommunicationCheck,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    payload = models.TextField(help_text="The canonical JSON that is hashed.")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    signature = models.CharField(max_length=100)
    key_id = models.CharField(max_length=16)

    class Meta:
        ordering = ["channel_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "seq"], name="hotline_event_seq_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}/{self.seq} {self.kind}"


class WorkerHeartbeat(models.Model):
    """A ``cbmhub hotline worker`` process as it last reported itself: when it started, when it
    last finished a pass (delivering the outbox, escalating, closing checks) without error, and
    the last error it met. Without a recent beat from some worker nothing is delivered or
    escalated, so the secretariat and operators are warned (selectors.worker_alert)."""

    name = models.CharField(max_length=200, unique=True, help_text="host:pid of the process.")
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="End of its last pass without error."
    )
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-beat_at", "name"]

    def __str__(self) -> str:
        return self.name
