"""Building outbox rows (deliveries); the worker in delivery.py sends them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cbmhub.directory.models import PointOfContact

from ..choices import DeliveryKind
from ..models import CheckTarget, Delivery, Message, Receipt, Webhook


def _email_deliveries(
    pocs: Iterable[PointOfContact],
    *,
    purpose: str,
    now: datetime,
    message: Message | None = None,
    receipt: Receipt | None = None,
    check_target: CheckTarget | None = None,
) -> list[Delivery]:
    out = []
    for poc in pocs:
        address = poc.primary_email or (poc.user.email if poc.user_id and poc.user else "")
        if address:
            out.append(
                Delivery(
                    kind=DeliveryKind.EMAIL,
                    purpose=purpose,
                    message=message,
                    receipt=receipt,
                    check_target=check_target,
                    point_of_contact=poc,
                    address=address,
                    available_at=now,
                )
            )
    return out


def _webhook_deliveries(
    state_id: int,
    *,
    purpose: str,
    now: datetime,
    message: Message,
    receipt: Receipt,
    webhooks: dict[int, list[Webhook]],
) -> list[Delivery]:
    return [
        Delivery(
            kind=DeliveryKind.WEBHOOK,
            purpose=purpose,
            message=message,
            receipt=receipt,
            webhook=hook,
            address=hook.url,
            available_at=now,
        )
        for hook in webhooks.get(state_id, [])
    ]


def _active_webhooks(state_ids: Iterable[int]) -> dict[int, list[Webhook]]:
    hooks: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(state_id__in=list(state_ids), is_active=True):
        hooks.setdefault(hook.state_id, []).append(hook)
    return hooks
