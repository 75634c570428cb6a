"""Escalating unacknowledged messages to the next level of the same recipient state.

Which level an escalation reaches (``_reach``): the next level up that has a point of contact
of the recipient state, up to the channel's ``escalation_max_level``; if none above has one,
the highest level up to that maximum that has one (at the top, that repeats the top level, as
the policy says). The levels it looked at and found empty are said plainly — on the record
(``unreachable``), on the receipt, to the sender — and the secretariat is told once per message
and level that the state cannot be reached there. An escalation that finds nobody at any level
reaches nobody: it is recorded and reported, is not counted as an escalation, and is not
repeated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from cbmhub.directory.choices import Level
from cbmhub.directory.models import PointOfContact
from cbmhub.directory.selectors import points_of_contact_for

from ..chain import iso_utc
from ..choices import DeliveryKind, DeliveryPurpose, EventKind
from ..models import Channel, Delivery, Message, Receipt
from ..permissions import require_system
from ..selectors import awaiting_acknowledgement
from .common import _now
from .events import _receipt_data, event_append
from .outbox import _active_webhooks, _email_deliveries, receipt_deliveries


def escalations_run(*, actor: Any, now: datetime | None = None, limit: int = 200) -> int:
    """Escalate every receipt whose acknowledgement is overdue and whose next escalation is due;
    returns how many were escalated. Safe to run in several workers at once: each receipt is
    taken under a row lock (skipped if another worker holds it) and its condition re-checked."""
    require_system(actor)
    now = _now(now)
    due = list(
        Receipt.objects.filter(awaiting_acknowledgement(), next_escalation_at__lte=now)
        .order_by("next_escalation_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if _escalate(pk, now))


@dataclass(frozen=True)
class _Reach:
    """Where one escalation goes: ``level`` with its ``pocs`` (empty: nobody anywhere), and the
    levels it looked at that have no point of contact of the state (``missing``)."""

    level: str
    pocs: list[PointOfContact]
    missing: list[str] = field(default_factory=list)


def _reach(receipt: Receipt, channel: Channel) -> _Reach:
    order = Level.escalation_order()
    top = order.index(channel.escalation_max_level)
    current = order.index(receipt.escalation_level)

    def found(level: str) -> list[PointOfContact]:
        pocs = points_of_contact_for(
            state=receipt.state, level=level, organisation=channel.organisation
        )
        # Never a third state: whatever the directory returns, only the recipient state's POCs.
        return [poc for poc in pocs if poc.state_id == receipt.state_id]

    missing: list[str] = []
    for level in order[current + 1 : top + 1]:
        pocs = found(level)
        if pocs:
            return _Reach(level, pocs, missing)
        missing.append(level)
    # Nothing higher: fall back to the highest level, up to the maximum, that has someone.
    for level in reversed(order[: top + 1]):
        if level in missing:
            continue
        pocs = found(level)
        if pocs:
            return _Reach(level, pocs, sorted(missing, key=order.index))
        missing.append(level)
    return _Reach(receipt.escalation_level, [], sorted(missing, key=order.index))


@transaction.atomic
def _escalate(receipt_id: int, now: datetime) -> bool:
    receipt = (
        Receipt.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("message__channel__organisation", "message__sender", "state")
        .filter(awaiting_acknowledgement(), pk=receipt_id, next_escalation_at__lte=now)
        .first()
    )
    if receipt is None:
        return False
    message, channel = receipt.message, receipt.message.channel
    if receipt.escalation_count >= channel.escalation_max_count:
        receipt.next_escalation_at = None
        receipt.save(update_fields=["next_escalation_at"])
        return False
    reach = _reach(receipt, channel)
    # Told once per message and level: a repeated escalation missing the same level is no news.
    newly_missing = [level for level in reach.missing if level not in receipt.unreachable_levels]
    previous = _receipt_update(receipt, channel, reach, now)
    deliveries = receipt_deliveries(
        receipt,
        purpose=DeliveryPurpose.ESCALATION,
        pocs=reach.pocs,
        webhooks=_active_webhooks([receipt.state_id]),
        now=now,
    )
    deliveries += _sender_notices(message, receipt, channel, now)
    if newly_missing:
        deliveries += _unreachable_alerts(message, receipt, channel, now)
    Delivery.objects.bulk_create(deliveries)
    event_append(
        channel=channel,
        kind=EventKind.ESCALATED,
        at=now,
        message=message,
        receipt=receipt,
        data=_receipt_data(
            receipt,
            from_level=previous,
            to_level=reach.level,
            escalation=receipt.escalation_count,
            notified=sorted(poc.pk for poc in reach.pocs),
            unreachable=reach.missing,
            ack_due=iso_utc(receipt.ack_due_at),
        ),
    )
    return True


def _receipt_update(receipt: Receipt, channel: Channel, reach: _Reach, now: datetime) -> str:
    """Move the receipt to the level reached; returns the level it was at. Reaching nobody is
    not an escalation: the count stays, and none follows (it would reach nobody again)."""
    previous = receipt.escalation_level
    if reach.pocs:
        receipt.escalation_level = reach.level
        receipt.escalation_count += 1
    receipt.escalation_reached = len(reach.pocs)
    receipt.escalation_unreachable = ",".join(reach.missing)
    receipt.last_escalated_at = now
    interval = channel.escalate_every or channel.ack_deadline(receipt.message.priority)
    more = reach.pocs and receipt.escalation_count < channel.escalation_max_count
    receipt.next_escalation_at = now + interval if more else None
    receipt.full_clean(exclude=["message", "state", "acknowledged_by", "reply"])
    receipt.save(
        update_fields=[
            "escalation_level",
            "escalation_count",
            "escalation_reached",
            "escalation_unreachable",
            "last_escalated_at",
            "next_escalation_at",
        ]
    )
    return previous


def _sender_notices(
    message: Message, receipt: Receipt, channel: Channel, now: datetime
) -> list[Delivery]:
    """The sender user's e-mail, else the sender state's POCs at the channel level."""
    sender = message.sender
    if sender is not None and sender.email:
        return [
            Delivery(
                kind=DeliveryKind.EMAIL,
                purpose=DeliveryPurpose.SENDER_NOTICE,
                message=message,
                receipt=receipt,
                address=sender.email,
                available_at=now,
            )
        ]
    if message.sender_state is None:  # sent by the organisation: tell its secretariat
        return [
            Delivery(
                kind=DeliveryKind.EMAIL,
                purpose=DeliveryPurpose.SENDER_NOTICE,
                message=message,
                receipt=receipt,
                address=address,
                available_at=now,
            )
            for address in _officer_addresses(message.sender_organisation_id)
        ]
    return _email_deliveries(
        points_of_contact_for(
            state=message.sender_state, level=channel.level, organisation=channel.organisation
        ),
        purpose=DeliveryPurpose.SENDER_NOTICE,
        now=now,
        message=message,
        receipt=receipt,
    )


def _officer_addresses(organisation_id: int | None) -> list[str]:
    """The e-mail addresses of an organisation's active secretariat officers."""
    if organisation_id is None:
        return []
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    officers = users.filter(role="secretariat", organisation_id=organisation_id)
    return sorted(set(officers.values_list("email", flat=True)))


def _unreachable_alerts(
    message: Message, receipt: Receipt, channel: Channel, now: datetime
) -> list[Delivery]:
    """E-mails to the secretariat of the channel's organisation (operators when the channel has
    none, or the organisation no officer with an address): the state has no point of contact
    at a level. Metadata only, like everything the secretariat sees of bilateral traffic."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    officers = (
        users.filter(role="secretariat", organisation_id=channel.organisation_id)
        if channel.organisation_id
        else users.none()
    )
    addresses = sorted(set(officers.values_list("email", flat=True))) or sorted(
        set(users.filter(is_superuser=True).values_list("email", flat=True))
    )
    return [
        Delivery(
            kind=DeliveryKind.EMAIL,
            purpose=DeliveryPurpose.UNREACHABLE,
            message=message,
            receipt=receipt,
            address=address,
            available_at=now,
        )
        for address in addresses
    ]
