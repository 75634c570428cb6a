"""Writes of the hotline: the one entry point for the views, the API, the worker and the demo.

Every service checks the actor's right, validates, writes, queues its deliveries in the outbox
table and appends its event to the channel's signed hash chain, all in one transaction: either
everything happened and is on the record, or nothing did. Nothing leaves the database here;
the worker (worker.py, ``cbmhub hotline worker``) sends what the outbox holds through
transports.py, and records the outcome with the outbox services.

Lock order, to keep concurrent writers free of deadlocks: receipt rows (or check rows) first,
then channel rows (the chain heads, taken by ``event_append``/``events_append``; several
channels in ascending id order).

The modules: ``common`` (errors, SendResult, the event signal), ``events`` (the chain),
``channels`` (channels, webhooks), ``outbox`` (every write to the outbox: the rows a message,
an escalation or a check queues, the worker's claim and record), ``messages`` (send, reply),
``receipts`` (delivered, acknowledged, replied), ``escalation``, ``checks``, ``workers`` (the
worker's heartbeat). Callers import this package (``from cbmhub.hotline import services``),
not the modules.
"""

from .channels import channel_create, channel_update, webhook_create
from .checks import check_answer, check_start, checks_close_due
from .common import (
    HotlineError,
    IdempotencyConflict,
    SendResult,
    _now,
    event_recorded,
)
from .escalation import escalations_run
from .events import (
    event_append,
    events_append,
    message_content_commitment,
    message_content_sha256,
    user_commitment,
)
from .messages import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_COUNT,
    message_reply,
    message_send,
)
from .outbox import (
    DEFAULT_LEASE,
    MAX_ATTEMPTS,
    deliveries_claim,
    delivery_mark_failed,
    delivery_mark_sent,
    inbox_mark_sent,
)
from .receipts import (
    message_acknowledge,
    receipt_mark_delivered,
    receipts_mark_delivered,
)
from .workers import worker_beat

__all__ = [
    "DEFAULT_LEASE",
    "MAX_ATTEMPTS",
    "deliveries_claim",
    "delivery_mark_failed",
    "delivery_mark_sent",
    "inbox_mark_sent",
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_MAX_COUNT",
    "HotlineError",
    "IdempotencyConflict",
    "SendResult",
    "_now",
    "channel_create",
    "channel_update",
    "check_answer",
    "check_start",
    "checks_close_due",
    "escalations_run",
    "event_append",
    "event_recorded",
    "events_append",
    "message_acknowledge",
    "message_content_commitment",
    "message_content_sha256",
    "message_reply",
    "message_send",
    "receipt_mark_delivered",
    "receipts_mark_delivered",
    "user_commitment",
    "webhook_create",
    "worker_beat",
]
