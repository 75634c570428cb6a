"""Escalating unacknowledged messages to the next level of the same recipient state."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from cbmhub.directory.choices import Level
from cbmhub.directory.selectors import points_of_contact_for

from ..choices import DeliveryKind, DeliveryPurpose, EventKind
from ..models import Delivery, Receipt
from .common import _iso, _now
from .events import _receipt_data, event_append
from .outbox import _active_webhooks, _email_deliveries, _webhook_deliveries


def escalations_run(*, now: datetime | None = None, limit: int = 200) -> int:
    """Escalate every receipt whose acknowledgement is overdue and whose next escalation is due;
    returns how many were escalated. Safe to run in several workers at once: each receipt is
    taken under a row lock (skipped if another worker holds it) and its condition re-checked."""
    now = _now(now)
    due = list(
        Receipt.objects.filter(acknowledged_at__isnull=True, next_escalation_at__lte=now)
        .order_by("next_escalation_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if _escalate(pk, now))


@transaction.atomic
def _escalate(receipt_id: int, now: datetime) -> bool:
    receipt = (
        Receipt.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("message__channel__organisation", "message__sender", "state")
        .filter(pk=receipt_id, acknowledged_at__isnull=True, next_escalation_at__lte=now)
        .first()
    )
    if receipt is None:
        return False
    message, channel = receipt.message, receipt.message.channel
    if receipt.escalation_count >= channel.escalation_max_count:
        receipt.next_escalation_at = None
        receipt.save(update_fields=["next_escalation_at"])
        return False
    order = Level.escalation_order()
    top = order.index(channel.escalation_max_level)
    current = order.index(receipt.escalation_level)
    # Next level up to the channel's maximum; at the top, the policy repeats the top level.
    candidates = order[current + 1 : top + 1] or [order[min(current, top)]]
    level, pocs = candidates[-1], []
    for candidate in candidates:
        found = points_of_contact_for(
            state=receipt.state, level=candidate, organisation=channel.organisation
        )
        if found:
            level, pocs = candidate, found
            break
    # Never a third state: whatever the directory returns, only the recipient state's POCs.
    pocs = [poc for poc in pocs if poc.state_id == receipt.state_id]
    deliveries = _email_deliveries(
        pocs, purpose=DeliveryPurpose.ESCALATION, now=now, message=message, receipt=receipt
    )
    deliveries += _webhook_deliveries(
        receipt.state_id,
        purpose=DeliveryPurpose.ESCALATION,
        now=now,
        message=message,
        receipt=receipt,
        webhooks=_active_webhooks([receipt.state_id]),
    )
    sender = message.sender
    if sender is not None and sender.email:
        deliveries.append(
            Delivery(
                kind=DeliveryKind.EMAIL,
                purpose=DeliveryPurpose.SENDER_NOTICE,
                message=message,
                receipt=receipt,
                address=sender.email,
                available_at=now,
            )
        )
    else:
        deliveries += _email_deliveries(
            points_of_contact_for(
                state=message.sender_state, level=channel.level, organisation=channel.organisation
            ),
            purpose=DeliveryPurpose.SENDER_NOTICE,
            now=now,
            message=message,
            receipt=receipt,
        )
    Delivery.objects.bulk_create(deliveries)

    previous = receipt.escalation_level
    receipt.escalation_level = level
    receipt.escalation_count += 1
    receipt.last_escalated_at = now
    interval = channel.escalate_every or channel.ack_deadline(message.priority)
    receipt.next_escalation_at = (
        now + interval if receipt.escalation_count < channel.escalation_max_count else None
    )
    receipt.save(
        update_fields=[
            "escalation_level",
            "escalation_count",
            "last_escalated_at",
            "next_escalation_at",
        ]
    )
    event_append(
        channel=channel,
        kind=EventKind.ESCALATED,
        at=now,
        message=message,
        receipt=receipt,
        data=_receipt_data(
            receipt,
            from_level=previous,
            to_level=level,
            escalation=receipt.escalation_count,
            notified=sorted(poc.pk for poc in pocs),
            ack_due=_iso(receipt.ack_due_at),
        ),
    )
    return True
