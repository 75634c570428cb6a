"""The channel record: appending signed entries to a channel's hash chain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from .. import chain, signing
from ..models import Channel, CommunicationCheck, Event, Message, Receipt
from .common import _iso, event_recorded


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
            at=_iso(entry.at) or "",
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


def message_content_sha256(
    *, subject: str, body: str, language: str, attachment_hashes: Sequence[str]
) -> str:
    """The unsalted content hash: what format-1 SENT entries recorded (kept to verify them),
    and the content part of an idempotent request's fingerprint (compared, never shown). It is
    no longer put on the record: anyone seeing it could test guesses of the content."""
    return chain.sha256_hex(
        chain.canonical_json(
            {
                "subject": subject,
                "body": body,
                "language": language,
                "attachments": list(attachment_hashes),
            }
        )
    )


def _receipt_data(receipt: Receipt, **extra: Any) -> dict[str, Any]:
    return {"message": receipt.message_id, "state": receipt.state.iso3, **extra}


def message_content_commitment(
    *, salt: str, subject: str, body: str, language: str, attachments: Sequence[Mapping[str, Any]]
) -> str:
    """What the record holds instead of the content (format 2): a commitment keyed with the
    message's salt, which only the readers of the content see. The secretariat and the operator
    see the record but cannot test a guess of the content against it; either party, holding the
    salt, can prove what was sent. Attachments count with their name, type, size and SHA-256."""
    return chain.commitment(
        salt,
        {
            "subject": subject,
            "body": body,
            "language": language,
            "attachments": [
                {
                    "name": a["name"],
                    "content_type": a["content_type"],
                    "size": a["size"],
                    "sha256": a["sha256"],
                }
                for a in attachments
            ],
        },
    )


def user_commitment(*, salt: str, role: str, username: str | None, state: str = "") -> str:
    """Who sent, acknowledged or replied, as a commitment keyed with the message's salt: the
    record binds the account without naming it to readers who may not know it (the API withholds
    the sender from them too)."""
    return chain.commitment(salt, {"role": role, "user": username, "state": state})


def channel_facts(channel: Channel, states: Mapping[int, Any]) -> dict[str, Any]:
    """The channel as a SENT entry records it: scope, level and parties (a bilateral channel's
    two states by ISO alpha-3, a multilateral channel's organisation by id). `states` maps ids
    to State objects already read, so that this costs no query."""
    return {
        "scope": channel.scope,
        "level": channel.level,
        "organisation": channel.organisation_id,
        "states": sorted(
            states[pk].iso3 for pk in (channel.state_a_id, channel.state_b_id) if pk in states
        ),
    }
