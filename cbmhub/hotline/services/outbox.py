"""The outbox: every write to the ``Delivery`` table. Building the rows a message, an
escalation or a check queues (``receipt_deliveries`` for a receipt's, one function for every
caller), and the worker's claim and record steps; the worker (worker.py) sends the rows through
transports.py between the two.

How several workers share one queue without sending anything twice, and without losing
anything when one dies:

1. **Claim** (one short transaction, ``deliveries_claim``): pick up to `batch` rows that are
   pending and due, or whose previous claim has expired (a crashed worker's lease), and stamp
   them with a fresh claim token and ``lease_until``. On PostgreSQL the pick uses ``SELECT ...
   FOR UPDATE SKIP LOCKED`` so workers never wait for or take each other's rows; on SQLite the
   write transaction is ``IMMEDIATE``, so claims are serialised. The stamping UPDATE repeats the
   claimable condition, so a row claimed in between is not stamped twice.
2. **Send** each claimed row outside any transaction (SMTP and HTTP can be slow): the worker.
3. **Record**: mark it sent only if our claim token is still on it (``delivery_mark_sent``),
   then mark the receipt delivered (once, see receipts_mark_delivered). In-app inbox rows have
   nothing to send: a batch's are recorded together in one transaction (``inbox_mark_sent``),
   before the e-mails and webhooks, each of which is recorded in its own transaction right
   after its send. A failed send goes back with back-off (``delivery_mark_failed``).

A worker killed between 2 and 3 leaves its rows ``sending`` until the lease expires; another
worker then sends them again. So the transport is at-least-once for the one row in flight (the
stable Message-ID / delivery id lets the receiver drop the duplicate); the recorded state —
delivered once, one DELIVERED event — is exactly-once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cbmhub.directory.models import PointOfContact

from ..choices import DeliveryKind, DeliveryPurpose, DeliveryStatus
from ..models import CheckTarget, Delivery, Message, Receipt, Webhook
from ..permissions import require_system
from .receipts import receipts_mark_delivered

DEFAULT_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


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


def receipt_deliveries(
    receipt: Receipt,
    *,
    purpose: str,
    pocs: Sequence[PointOfContact],
    webhooks: dict[int, list[Webhook]],
    now: datetime,
) -> list[Delivery]:
    """The rows that carry one message to one recipient state (its receipt): the in-app inbox
    row (for the message itself; an escalation is no new arrival in the inbox), an e-mail to
    each of `pocs` with an address, a call to each of the state's active `webhooks`."""
    message = receipt.message
    rows: list[Delivery] = []
    if purpose == DeliveryPurpose.MESSAGE:
        rows.append(
            Delivery(
                kind=DeliveryKind.INBOX,
                purpose=purpose,
                message=message,
                receipt=receipt,
                available_at=now,
            )
        )
    rows += _email_deliveries(pocs, purpose=purpose, now=now, message=message, receipt=receipt)
    rows += _webhook_deliveries(
        receipt.state_id,
        purpose=purpose,
        now=now,
        message=message,
        receipt=receipt,
        webhooks=webhooks,
    )
    return rows


# --- the worker's claim and record steps ----------------------------------------------------


def _claimable(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, available_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )


def deliveries_claim(
    *,
    actor: Any,
    batch: int = 50,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
) -> list[Delivery]:
    """Claim up to `batch` due deliveries for this caller (see the module docstring)."""
    require_system(actor)
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now))
            .order_by("id")
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            return []
        Delivery.objects.filter(_claimable(now), id__in=ids).update(
            status=DeliveryStatus.SENDING,
            claim=token,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING)
        .select_related(
            "message__channel",
            "message__sender_state",
            "message__sender_organisation",
            "receipt__state",
            "check_target__communication_check__organisation",
            "webhook",
        )
        .order_by("id")
    )


def delivery_mark_sent(delivery: Delivery, *, actor: Any, now: datetime | None = None) -> bool:
    """Record a successful send, if this worker still holds the claim; the first delivery of a
    message to a state makes its receipt delivered."""
    require_system(actor)
    now = now or timezone.now()
    # delivered_at is never cleared, so a receipt seen delivered needs no second look.
    receipt = delivery.receipt  # None, without a query, when the row has no receipt
    known_delivered = receipt is not None and receipt.delivered_at is not None
    if delivery.purpose != DeliveryPurpose.MESSAGE or not delivery.receipt_id or known_delivered:
        # Nothing else to record (a check's e-mail, an escalation, a fan-out's e-mails after
        # the inbox row): one UPDATE, atomic by itself, one round trip per row sent.
        return _mark_sent(delivery, now) > 0
    with transaction.atomic():
        done = _mark_sent(delivery, now)
        if done:
            receipts_mark_delivered(actor=actor, receipt_ids=[delivery.receipt_id], now=now)
    return done > 0


def _mark_sent(delivery: Delivery, now: datetime) -> int:
    return Delivery.objects.filter(
        pk=delivery.pk, claim=delivery.claim, status=DeliveryStatus.SENDING
    ).update(status=DeliveryStatus.SENT, sent_at=now, lease_until=None, last_error="")


@transaction.atomic
def inbox_mark_sent(
    deliveries: list[Delivery], *, actor: Any, now: datetime | None = None
) -> set[int]:
    """Record in-app inbox deliveries as sent in one transaction, those whose claim this worker
    still holds; their receipts become delivered (once), with one DELIVERED event each appended
    per channel in one go. Returns the ids of the deliveries recorded."""
    require_system(actor)
    now = now or timezone.now()
    by_claim: dict[str, list[int]] = {}
    for delivery in deliveries:
        by_claim.setdefault(delivery.claim, []).append(delivery.pk)
    held = Q()
    for claim, ids in by_claim.items():
        held |= Q(claim=claim, pk__in=ids)
    ours = list(
        Delivery.objects.select_for_update()
        .filter(held, status=DeliveryStatus.SENDING)
        .order_by("id")
        .values_list("pk", "purpose", "receipt_id")
    )
    if not ours:
        return set()
    Delivery.objects.filter(pk__in=[pk for pk, _, _ in ours]).update(
        status=DeliveryStatus.SENT, sent_at=now, lease_until=None, last_error=""
    )
    receipts_mark_delivered(
        actor=actor,
        receipt_ids=[rid for _, purpose, rid in ours if purpose == DeliveryPurpose.MESSAGE and rid],
        now=now,
    )
    return {pk for pk, _, _ in ours}


@transaction.atomic
def delivery_mark_failed(
    delivery: Delivery, *, actor: Any, error: str, now: datetime | None = None
) -> None:
    """Put a failed delivery back with exponential back-off, or give up after MAX_ATTEMPTS."""
    require_system(actor)
    now = now or timezone.now()
    attempts = Delivery.objects.filter(pk=delivery.pk).values_list("attempts", flat=True).first()
    attempts = attempts or delivery.attempts
    give_up = attempts >= MAX_ATTEMPTS
    Delivery.objects.filter(
        pk=delivery.pk, claim=delivery.claim, status=DeliveryStatus.SENDING
    ).update(
        status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
        available_at=now + timedelta(seconds=min(2**attempts * 15, 3600)),
        lease_until=None,
        last_error=error[:2000],
    )
