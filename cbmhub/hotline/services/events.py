"""The channel record: appending signed entries to a channel's hash chain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from .. import chain, signing
from ..chain import iso_utc
from ..models import Channel, CommunicationCheck, Event, Message, Receipt
from ..record import channel_facts as channel_facts  # for messages.py
from .common import event_recorded


@dataclass(frozen=True)
class NewEvent:
    """One entry to append with ``events_append``."""

    kind: str
    at: datetime
    data: dict[str, Any]
    message: Message | None = None
    receipt: Receipt | None = None
    communication_check: CommunicationCheck | None = None


def events_append(*, channel_id: int, entries: Sequence[NewEvent]) -> list[Event]:
    """Append signed entries, in order, to one channel's chain. Must run inside the caller's
    transaction: the channel row (the chain head) is locked so that concurrent writers queue
    instead of forking the chain. One lock, one INSERT and one head UPDATE however many entries:
    the worker records a whole batch of deliveries on a channel this way."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("events_append must run inside a transaction")
    if not entries:
        return []
    seq, prev_hash = (
        Channel.objects.select_for_update()
        .filter(pk=channel_id)
        .values_list("last_seq", "last_hash")
        .get()
    )
    key, key_id = signing.private_key(), signing.key_id()
    events = []
    for entry in entries:
        seq += 1
        payload = chain.make_entry(
            channel=channel_id,
            seq=seq,
            kind=entry.kind,
            at=iso_utc(entry.at) or "",
            prev_hash=prev_hash,
            data=entry.data,
        )
        digest = chain.entry_hash(payload)
        events.append(
            Event(
                channel_id=channel_id,
                seq=seq,
                kind=entry.kind,
                at=entry.at,
                message=entry.message,
                receipt=entry.receipt,
                communication_check=entry.communication_check,
                payload=payload,
                prev_hash=prev_hash,
                hash=digest,
                signature=chain.sign_hash(key, digest),
                key_id=key_id,
            )
        )
        prev_hash = digest
    # The (channel, seq) and hash unique constraints stay the last line of defence.
    Event.objects.bulk_create(events)
    Channel.objects.filter(pk=channel_id).update(last_seq=seq, last_hash=prev_hash)

    def announce() -> None:
        for event in events:
            event_recorded.send(sender=Event, event=event)

    transaction.on_commit(announce)
    return events


def event_append(
    *,
    channel: Channel,
    kind: str,
    at: datetime,
    data: dict[str, Any],
    message: Message | None = None,
    receipt: Receipt | None = None,
    communication_check: CommunicationCheck | None = None,
) -> Event:
    """Append one signed entry to the channel's chain (see events_append)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_append must run inside a transaction")
    (event,) = events_append(
        channel_id=channel.pk,
        entries=[NewEvent(kind, at, data, message, receipt, communication_check)],
    )
    channel.last_seq, channel.last_hash = event.seq, event.hash
    return event


# The pure commitments live in chain.py (the offline verifier and record.py use them too).
message_content_sha256 = chain.content_sha256
message_content_commitment = chain.content_commitment
user_commitment = chain.user_commitment


def _receipt_data(receipt: Receipt, **extra: Any) -> dict[str, Any]:
    return {"message": receipt.message_id, "state": receipt.state.iso3, **extra}
