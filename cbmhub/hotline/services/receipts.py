"""What happens to a receipt: delivered (the worker), acknowledged, replied."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ..chain import iso_utc
from ..choices import EventKind
from ..models import Message, Receipt
from ..permissions import require_system
from .common import HotlineError, _now, _require_state_user
from .events import NewEvent, _receipt_data, event_append, events_append, user_commitment


def _by(receipt: Receipt, role: str, actor: Any) -> dict[str, str]:
    """Who acted, as a commitment keyed with the message's salt (format 2), or, for a message
    sent before salts existed, nothing: a name on the record is read by those the API withholds
    it from (the secretariat, the operator)."""
    salt = receipt.message.content_salt
    if not salt:
        return {}
    username = getattr(actor, "username", None)
    return {
        "by_commitment": user_commitment(
            salt=salt, role=role, username=username, state=receipt.state.iso3
        )
    }


def _acknowledge(receipt: Receipt, *, actor: Any, now: datetime) -> None:
    receipt.acknowledged_at = now
    receipt.acknowledged_by = actor
    receipt.next_escalation_at = None
    receipt.save(update_fields=["acknowledged_at", "acknowledged_by", "next_escalation_at"])
    event_append(
        channel=receipt.message.channel,
        kind=EventKind.ACKNOWLEDGED,
        at=now,
        message=receipt.message,
        receipt=receipt,
        data=_receipt_data(
            receipt,
            **_by(receipt, "acknowledged_by", actor),
            ack_due=iso_utc(receipt.ack_due_at),
            late=bool(receipt.ack_due_at and now > receipt.ack_due_at),
        ),
    )


def _mark_replied(receipt: Receipt, *, reply: Message, actor: Any, now: datetime) -> None:
    if receipt.acknowledged_at is None:
        _acknowledge(receipt, actor=actor, now=now)
    if receipt.replied_at is not None:
        return  # a further answer is on the record as its own SENT event
    receipt.replied_at = now
    receipt.reply = reply
    receipt.save(update_fields=["replied_at", "reply"])
    event_append(
        channel=receipt.message.channel,
        kind=EventKind.REPLIED,
        at=now,
        message=receipt.message,
        receipt=receipt,
        data=_receipt_data(
            receipt,
            reply=reply.pk,
            **_by(receipt, "replied_by", actor),
            reply_due=iso_utc(receipt.reply_due_at),
            late=bool(receipt.reply_due_at and now > receipt.reply_due_at),
        ),
    )


@transaction.atomic
def message_acknowledge(*, actor: Any, message: Message, now: datetime | None = None) -> Receipt:
    """Confirm receipt for the user's state (it must be a recipient). Stops escalation.
    Acknowledging twice is harmless: the first acknowledgement stands. A message that expects
    no acknowledgement (Receipt.awaits_acknowledgement: a response) is refused (HotlineError)."""
    _require_state_user(actor)
    # The message and its channel as the caller read them (selectors.visible_message), not
    # read again; only a message given without its channel is read with the receipt.
    has_channel = Message.channel.is_cached(message)
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("state", *(() if has_channel else ("message__channel",)))
        .filter(message_id=message.pk, state_id=actor.state_id)
        .first()
    )
    if receipt is not None and has_channel:
        receipt.message = message
    if receipt is None:
        raise PermissionDenied(_("Only a point of contact of a recipient state may acknowledge."))
    if receipt.awaits_acknowledgement:
        _acknowledge(receipt, actor=actor, now=_now(now))
    elif receipt.acknowledged_at is None:
        # The rule of Receipt.awaits_acknowledgement: a response expects no acknowledgement.
        raise HotlineError(
            _("This message expects no acknowledgement (a response closes its exchange)."),
            code="acknowledgement_not_expected",
        )
    return receipt


@transaction.atomic
def receipt_mark_delivered(*, actor: Any, receipt_id: int, now: datetime | None = None) -> bool:
    """Record that a message reached a recipient state (the worker calls this after the first
    successful delivery to it). True only for the call that set it: the DELIVERED event is
    recorded exactly once however many deliveries and workers report."""
    require_system(actor)
    return bool(receipts_mark_delivered(actor=actor, receipt_ids=[receipt_id], now=now))


# No savepoint: the worker calls this inside the transaction that records its deliveries as
# sent, and either both commit or neither does.
@transaction.atomic(savepoint=False)
def receipts_mark_delivered(
    *, actor: Any, receipt_ids: Iterable[int], now: datetime | None = None
) -> set[int]:
    """receipt_mark_delivered for many receipts in one go (the worker's batch of inbox rows):
    returns the ids this call set. One lock of the undelivered receipts, one UPDATE, and one
    append per channel to its chain.

    Exactly once: the receipts are locked before they are changed, so a second worker reporting
    the same receipt waits, then no longer finds it undelivered (PostgreSQL re-checks the
    condition on the row it waited for; on SQLite the write lock serialises the transactions).
    """
    require_system(actor)
    ids = sorted(set(receipt_ids))
    if not ids:
        return set()
    now = _now(now)
    receipts = list(
        # Receipts in id order, then channels in id order (events_append): one lock order for
        # every worker, so they queue instead of deadlocking.
        Receipt.objects.select_for_update(of=("self",))
        .select_related("message", "state")
        .only("id", "message_id", "state_id", "state__iso3", "message__channel_id")
        .filter(pk__in=ids, delivered_at__isnull=True)
        .order_by("id")
    )
    if not receipts:
        return set()
    Receipt.objects.filter(pk__in=[r.pk for r in receipts]).update(delivered_at=now)
    by_channel: dict[int, list[NewEvent]] = defaultdict(list)
    for receipt in receipts:
        by_channel[receipt.message.channel_id].append(
            NewEvent(
                kind=EventKind.DELIVERED,
                at=now,
                data=_receipt_data(receipt),
                message=receipt.message,
                receipt=receipt,
            )
        )
    for channel_id in sorted(by_channel):
        events_append(channel_id=channel_id, entries=by_channel[channel_id])
    return {r.pk for r in receipts}
