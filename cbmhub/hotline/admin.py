"""Admin for operators. It shows metadata only: the subject and body of messages and their
attachments never appear here, for any staff member, because a bilateral message is for the two
states' points of contact alone (the secretariat and the operator run the platform, they do not
read it). The record (events) and receipts are read-only: changing them would break the chain."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    Channel,
    CheckTarget,
    CommunicationCheck,
    Delivery,
    Event,
    Message,
    Receipt,
    Webhook,
    WorkerHeartbeat,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "scope", "level", "organisation", "state_a", "state_b", "is_active"]
    list_filter = ["scope", "level", "is_active"]
    readonly_fields = ["last_seq", "last_hash"]

    def get_readonly_fields(self, request, obj=None):
        # Who takes part is fixed once a channel exists (as in services.channel_update):
        # changing a party here would hand the channel's whole history to another state.
        if obj is not None:
            return [*self.readonly_fields, "scope", "organisation", "state_a", "state_b"]
        return self.readonly_fields


class ReceiptInline(admin.TabularInline):
    model = Receipt
    fk_name = "message"
    readonly_fields = (
        "state",
        "delivered_at",
        "acknowledged_at",
        "replied_at",
        "ack_due_at",
        "escalation_level",
        "escalation_count",
    )
    fields = readonly_fields
    extra = 0
    can_delete = False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    # Deliberately no subject, body, attachments or sending account (see the module docstring;
    # the API withholds the sender from operators too), and no unsalted content hash: it would
    # let an operator test guesses of the content.
    list_display = [
        "id",
        "channel",
        "sender_state",
        "sender_organisation",
        "kind",
        "priority",
        "tlp",
        "sent_at",
    ]
    list_filter = ["kind", "priority", "tlp"]
    readonly_fields = (
        "channel",
        "sender_state",
        "sender_organisation",
        "kind",
        "priority",
        "tlp",
        "instrument",
        "reply_deadline",
        "in_reply_to",
        "sent_at",
        "content_commitment",
    )
    fields = readonly_fields
    inlines = [ReceiptInline]

    @admin.display(description="content commitment (HMAC-SHA256)")
    def content_commitment(self, obj: Message) -> str:
        return obj.content_sha256 if obj.content_salt else "—"

    # Django lets a changelist URL filter on any local field (?body__startswith=A); on content
    # that would be an oracle revealing a bilateral body to the operator one guess at a time.
    CONTENT_FIELDS = {
        "subject",
        "body",
        "idempotency_key",
        "request_fingerprint",
        "content_sha256",
        "content_salt",
        "sender",
    }

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        if lookup.split("__", 1)[0] in self.CONTENT_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "purpose", "status", "attempts", "address", "sent_at"]
    list_filter = ["kind", "purpose", "status"]
    readonly_fields = (
        "kind",
        "purpose",
        "status",
        "message",
        "receipt",
        "address",
        "attempts",
        "available_at",
        "lease_until",
        "sent_at",
        "last_error",
    )
    fields = readonly_fields


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["channel", "seq", "kind", "at", "key_id"]
    list_filter = ["kind"]
    readonly_fields = (
        "channel",
        "seq",
        "kind",
        "at",
        "payload",
        "prev_hash",
        "hash",
        "signature",
        "key_id",
    )
    fields = readonly_fields


class CheckTargetInline(admin.TabularInline):
    model = CheckTarget
    readonly_fields = (
        "state",
        "level",
        "point_of_contact",
        "answered_at",
    )
    fields = readonly_fields
    extra = 0
    can_delete = False


@admin.register(CommunicationCheck)
class CommunicationCheckAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "started_at", "deadline", "closed_at"]
    readonly_fields = (
        "organisation",
        "channel",
        "started_by",
        "note",
        "started_at",
        "deadline",
        "closed_at",
    )
    fields = readonly_fields
    inlines = [CheckTargetInline]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["state", "url", "is_active"]
    exclude = ["secret"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    """Which workers ran when, and their last error: written by the workers alone."""

    list_display = ["name", "started_at", "beat_at", "last_error_at", "last_error"]
