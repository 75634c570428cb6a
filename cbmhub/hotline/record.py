"""Reads of the signed record: a channel's bundle with its signed head, and the verification of
a channel's record in the database (``cbmhub hotline verify``, the channel page's "Verify").

Kept apart from selectors.py (which re-exports these names) because it is one unit: what the
record establishes (chain.replay) set against every row the pages show or act upon, field by
field — SECURITY.md's table lists which field is covered how.

Verification, in order: every link, hash and signature (chain.verify_entries); the channel row's
head is the last entry; each head a party kept is still in the chain (truncation or rollback);
each event row agrees with its signed payload; and the rows of channel, messages, attachments
(their bytes on disk included) and receipts agree with the facts the chain establishes. The first
problem in chain order is reported, with the entry it contradicts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from . import chain, signing
from .chain import iso_utc
from .models import Attachment, Channel, CheckTarget, CommunicationCheck, Event, Message, Receipt

# A problem found: (seq of the entry it contradicts, the entry's reference, what is wrong).
Problem = tuple[int, str, str]


def event_list(channel: Channel) -> QuerySet[Event]:
    return Event.objects.filter(channel=channel).order_by("seq")


def channel_facts(channel: Channel, states: Mapping[int, Any]) -> dict[str, Any]:
    """The channel as a SENT entry records it: scope, level and parties (a bilateral channel's
    two states by ISO alpha-3, a multilateral channel's organisation by id). `states` maps ids
    to State objects already read, so that this costs no query."""
    return {
        "scope": channel.scope,
        "level": channel.level,
        "organisation": channel.organisation_id,
        "states": sorted(
            states[pk].iso3
            for pk in (channel.state_a_id, channel.state_b_id)
            if pk is not None and pk in states
        ),
    }


# --- the bundle and its signed head -----------------------------------------------------------


def channel_descriptor(channel: Channel) -> dict[str, Any]:
    """The channel as a signed head names it (and as a bundle's header repeats it)."""
    return {
        "id": channel.pk,
        "name": channel.name,
        "scope": channel.scope,
        "level": channel.level,
        "organisation": channel.organisation.acronym if channel.organisation is not None else None,
        "states": sorted(s.iso3 for s in (channel.state_a, channel.state_b) if s is not None),
    }


def channel_head(channel: Channel, *, seq: int, hash: str) -> dict[str, Any]:
    """``{"head", "head_signature"}``: the platform's signed statement that the channel's record
    ends at entry `seq` with hash `hash`. A party that keeps it can later prove any truncation."""
    head = chain.make_head(
        channel=channel_descriptor(channel),
        seq=seq,
        hash=hash,
        signed_at=timezone.now().isoformat(),
    )
    return {"head": head, "head_signature": chain.sign_head(signing.private_key(), head)}


def channel_current_head(channel: Channel) -> dict[str, Any]:
    """The signed head of the channel's record as it stands now (the API's ``channels/<id>/head/``
    for parties to keep)."""
    last_seq, last_hash = (
        Channel.objects.filter(pk=channel.pk).values_list("last_seq", "last_hash").get()
    )
    return channel_head(channel, seq=last_seq, hash=last_hash)


def channel_record_bundle(channel: Channel) -> dict[str, Any]:
    """The channel's record as an offline-verifiable bundle (chain.verify_bundle), ending at the
    signed head. Entries hold metadata and commitments only, never a subject, body or account."""
    last_seq, last_hash = (
        Channel.objects.filter(pk=channel.pk).values_list("last_seq", "last_hash").get()
    )
    entries = [
        {"seq": e.seq, "payload": e.payload, "hash": e.hash, "signature": e.signature}
        for e in event_list(channel)
        .filter(seq__lte=last_seq)
        .only("seq", "payload", "hash", "signature")
    ]
    signed = channel_head(channel, seq=last_seq, hash=last_hash)
    return chain.build_bundle(
        channel=signed["head"]["channel"],
        entries=entries,
        public_key=signing.public_key_pem(),
        exported_at=timezone.now().isoformat(),
        head=signed["head"],
        head_signature=signed["head_signature"],
    )


def public_key_fingerprint() -> str:
    """SHA-256 of the platform public key's PEM file exactly as served, so that anyone can compare
    a downloaded ``cbmhub-public-key.pem`` with ``sha256sum`` against a fingerprint published
    through another channel (the secretariat, a note verbale)."""
    return chain.sha256_hex(signing.public_key_pem())


# --- verification in the database ---------------------------------------------------------------


def record_verify(
    channel: Channel, *, kept_heads: Sequence[Mapping[str, Any]] = ()
) -> chain.Verification:
    """Verify a channel's record in the database (see the module docstring). `kept_heads` are
    signed heads the parties hold (``{"head", "head_signature"}``, e.g. an exported bundle):
    without one, a rollback that removes the last entries *and* every row they describe cannot be
    told from a shorter history."""
    public_key = signing.public_key()
    events = list(event_list(channel))
    entries = [
        {
            "seq": e.seq,
            "payload": e.payload,
            "hash": e.hash,
            "signature": e.signature,
            "ref": f"event id {e.pk}",
        }
        for e in events
    ]
    result = chain.verify_entries(entries, public_key, channel=channel.pk)
    if not result.ok:
        return result
    problems = _head_problems(channel, events, kept_heads, public_key)
    if not problems:
        problems = _row_problems(channel, events)
    if problems:
        seq, ref, reason = min(problems, key=lambda p: p[0])
        return chain.Verification(False, len(events), seq, ref, reason)
    return result


def _head_problems(
    channel: Channel,
    events: list[Event],
    kept_heads: Sequence[Mapping[str, Any]],
    public_key: Any,
) -> list[Problem]:
    head = Channel.objects.filter(pk=channel.pk).values_list("last_seq", "last_hash").get()
    last = (events[-1].seq, events[-1].hash) if events else (0, chain.GENESIS)
    if head != last:
        return [(head[0], "channel head", "entries are missing after the last one in the table")]
    problems = []
    for kept in kept_heads:
        stated, signature = chain.parse_head(kept, "kept head")
        seq = stated["seq"]
        if not chain.head_signature_valid(public_key, stated, signature):
            problems.append((seq, "kept head", "the kept head's signature is not valid"))
        elif stated["channel"]["id"] != channel.pk:
            problems.append((seq, "kept head", "the kept head is of another channel"))
        elif seq > len(events) or (seq and events[seq - 1].hash != stated["hash"]):
            problems.append(
                (
                    seq,
                    "kept head",
                    f"the record was cut or rewritten: the head a party kept (seq {seq}, signed "
                    f"{stated['signed_at']}) is not in the database, which ends at seq "
                    f"{last[0]}",
                )
            )
    return problems


def _row_problems(channel: Channel, events: list[Event]) -> list[Problem]:
    bodies = [json.loads(e.payload) for e in events]
    facts = chain.replay(bodies)
    refs = {e.seq: f"event id {e.pk}" for e in events}
    found: list[tuple[int, str]] = list(facts.problems)
    channel = Channel.objects.select_related("organisation", "state_a", "state_b").get(
        pk=channel.pk
    )
    messages = {
        m.pk: m
        for m in Message.objects.filter(channel=channel).select_related("sender_state", "sender")
    }
    receipts: dict[int, dict[str, Receipt]] = {}
    for receipt in Receipt.objects.filter(message__channel=channel).select_related(
        "state", "acknowledged_by"
    ):
        receipts.setdefault(receipt.message_id, {})[receipt.state.iso3] = receipt
    attachments: dict[int, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(message__channel=channel).order_by("id"):
        attachments.setdefault(attachment.message_id, []).append(attachment)

    found += _event_row_problems(events, bodies, receipts)
    found += _channel_problems(channel, facts)
    found += _check_problems(channel, facts, len(events))
    for pk in messages:
        if pk not in facts.messages:
            found.append((len(events), f"message {pk} on this channel has no sent entry"))
    for pk, stated in facts.messages.items():
        message = messages.get(pk)
        if message is None:
            found.append((stated.seq, f"message {pk} is missing from this channel"))
            continue
        found += _message_problems(stated, message, attachments.get(pk, []))
        found += _receipt_problems(stated, message, receipts.get(pk, {}))
    return [(seq, refs.get(seq, "channel head"), reason) for seq, reason in found]


def _event_row_problems(
    events: list[Event], bodies: list[dict[str, Any]], receipts: dict[int, dict[str, Receipt]]
) -> list[tuple[int, str]]:
    """The columns of each event row beside its payload (read by the pages: the timeline)."""
    key_id = signing.key_id()
    found = []
    for event, body in zip(events, bodies, strict=True):
        data = body["data"]
        receipt = receipts.get(data.get("message"), {}).get(data.get("state"))
        expected = {
            "kind": body["kind"],
            "time": body["at"],
            "previous hash": body["prev_hash"],
            "key id": key_id,
            "message": data.get("message"),
            "receipt": receipt.pk if receipt is not None else None,
            "communication check": data.get("check"),
        }
        actual = {
            "kind": event.kind,
            "time": iso_utc(event.at),
            "previous hash": event.prev_hash,
            "key id": event.key_id,
            "message": event.message_id,
            "receipt": event.receipt_id,
            "communication check": event.communication_check_id,
        }
        for label, value in expected.items():
            if actual[label] != value:
                found.append(
                    (event.seq, f"the event row's {label} differs from its signed payload")
                )
                break
    return found


def _channel_problems(channel: Channel, facts: chain.RecordFacts) -> list[tuple[int, str]]:
    """The channel's parties, scope and level as every sent entry saw them. A bilateral
    channel's two states are also what each sent entry's sender and recipients are (format 1)."""
    states = {s.pk: s for s in (channel.state_a, channel.state_b) if s is not None}
    now = channel_facts(channel, states)
    for stated in facts.messages.values():
        recorded = stated.data.get("channel")
        parties = {stated.data.get("sender_state"), *stated.receipts}
        if recorded is not None and recorded != now:
            return [(stated.seq, "the channel's scope, level or parties differ from the record")]
        if channel.is_bilateral and parties != set(now["states"]):
            return [(stated.seq, "the channel's states differ from the parties on the record")]
    return []


def _message_problems(
    stated: chain.MessageFacts, message: Message, attachments: list[Attachment]
) -> list[tuple[int, str]]:
    """A message row against its sent entry: every field the pages show or act upon."""
    data, salt = stated.data, message.content_salt
    username = message.sender.get_username() if message.sender is not None else None
    actual: dict[str, Any] = {
        "kind": message.kind,
        "priority": message.priority,
        "tlp": message.tlp,
        "instrument": message.instrument,
        "sender_state": message.sender_state.iso3 if message.sender_state is not None else None,
        "in_reply_to": message.in_reply_to_id,
    }
    if "sender_organisation" in data or message.sender_organisation_id is not None:
        # A message its organisation's secretariat sent (no key on a state's entry).
        actual["sender_organisation"] = message.sender_organisation_id
    if "content_commitment" in data:  # format 2
        actual["reply_deadline"] = iso_utc(message.reply_deadline)
        actual["sender_commitment"] = (
            chain.user_commitment(salt=salt, role="sender", username=username) if salt else None
        )
    else:  # format 1: the sender's name in the clear
        actual["sender"] = username
    for key, value in actual.items():
        if data.get(key) != value:
            label = key.replace("_commitment", "").replace("_", " ")
            return [(stated.seq, f"message {message.pk}: the {label} differs from the record")]
    if bool(data.get("exercise", False)) != message.is_exercise:
        return [(stated.seq, f"message {message.pk}: the exercise mark differs from the record")]
    if iso_utc(message.sent_at) != stated.at:
        return [(stated.seq, f"message {message.pk} sending time differs from the record")]
    return _content_problems(stated, message, attachments)


def _content_problems(
    stated: chain.MessageFacts, message: Message, attachments: list[Attachment]
) -> list[tuple[int, str]]:
    data = stated.data
    if "content_commitment" in data:
        recorded = data["content_commitment"]
        actual = (
            chain.content_commitment(
                salt=message.content_salt,
                subject=message.subject,
                body=message.body,
                language=message.language,
                attachments=[
                    {
                        "name": a.name,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": a.sha256,
                    }
                    for a in attachments
                ],
            )
            if message.content_salt
            else None
        )
    else:
        recorded = data.get("content_sha256")
        actual = chain.content_sha256(
            subject=message.subject,
            body=message.body,
            language=message.language,
            attachment_hashes=[a.sha256 for a in attachments],
        )
    if recorded != actual or message.content_sha256 != actual:
        return [(stated.seq, f"message {message.pk} content differs from what was sent")]
    for attachment in attachments:
        reason = _file_problem(attachment)
        if reason:
            return [(stated.seq, f"message {message.pk}: attachment {attachment.pk} {reason}")]
    return []


def _file_problem(attachment: Attachment) -> str:
    """The stored bytes against the attachment's recorded SHA-256 (read in blocks)."""
    digest, size = hashlib.sha256(), 0
    try:
        with attachment.file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
    except (OSError, ValueError):
        return "file is missing"
    if digest.hexdigest() != attachment.sha256 or size != attachment.size:
        return "file differs from its recorded SHA-256"
    return ""


def _receipt_problems(
    stated: chain.MessageFacts, message: Message, rows: dict[str, Receipt]
) -> list[tuple[int, str]]:
    found = []
    for state in sorted(set(rows) - set(stated.receipts)):
        found.append(
            (
                stated.seq,
                f"message {message.pk} has a receipt for {state} the record never addressed",
            )
        )
    for state, facts in stated.receipts.items():
        receipt = rows.get(state)
        if receipt is None:
            found.append(
                (stated.seq, f"the receipt of message {message.pk} for {state} is missing")
            )
            continue
        for fact, label, recorded, actual in _receipt_fields(facts, receipt, message):
            if recorded != actual:
                found.append(
                    (
                        facts.seq_of(fact),
                        f"the {label} of message {message.pk} for {state} differs from the record",
                    )
                )
                break
    return found


def _receipt_fields(
    facts: chain.ReceiptFacts, receipt: Receipt, message: Message
) -> list[tuple[str, str, Any, Any]]:
    """(fact, label, what the record says, what the row says) for one receipt. The fact names
    the event kind that establishes it, so a mismatch is reported at that entry."""
    by = receipt.acknowledged_by.get_username() if receipt.acknowledged_by is not None else None
    if by is not None and message.content_salt:
        by = chain.user_commitment(
            salt=message.content_salt, role="acknowledged_by", username=by, state=receipt.state.iso3
        )
    fields = [
        ("delivered", "delivered time", facts.delivered_at, iso_utc(receipt.delivered_at)),
        (
            "acknowledged",
            "acknowledged time",
            facts.acknowledged_at,
            iso_utc(receipt.acknowledged_at),
        ),
        ("acknowledged", "acknowledging account", facts.acknowledged_by, by),
        ("replied", "replied time", facts.replied_at, iso_utc(receipt.replied_at)),
        ("replied", "reply", facts.reply, receipt.reply_id),
        ("sent", "acknowledgement deadline", facts.ack_due, iso_utc(receipt.ack_due_at)),
        ("sent", "reply deadline", facts.reply_due, iso_utc(receipt.reply_due_at)),
        ("escalated", "escalation count", facts.escalation_count, receipt.escalation_count),
        (
            "escalated",
            "last escalation time",
            facts.last_escalated_at,
            iso_utc(receipt.last_escalated_at),
        ),
    ]
    if facts.level is not None:  # unknown for a format-1 message never escalated
        fields.append(("escalated", "escalation level", facts.level, receipt.escalation_level))
    return fields


def _check_problems(
    channel: Channel, facts: chain.RecordFacts, last_seq: int
) -> list[tuple[int, str]]:
    """Communication checks on this channel against their CHECK_* entries: start, deadline,
    who started it, the set of targets, each answer (time and account) and the closing time."""
    found = []
    checks = CommunicationCheck.objects.filter(channel=channel).select_related("started_by")
    targets: dict[int, list[CheckTarget]] = {}
    for target in CheckTarget.objects.filter(communication_check__channel=channel).select_related(
        "state", "answered_by"
    ):
        targets.setdefault(target.communication_check_id, []).append(target)
    for check in checks:
        stated = facts.checks.get(check.pk)
        if stated is None:
            found.append((last_seq, f"check {check.pk} on this channel has no started entry"))
            continue
        problem = _check_row_problem(check, stated, targets.get(check.pk, []))
        if problem:
            found.append(problem)
    for pk, stated in facts.checks.items():
        if not any(c.pk == pk for c in checks):
            found.append((stated.seq, f"check {pk} is missing from this channel"))
    return found


def _check_row_problem(
    check: CommunicationCheck, stated: chain.CheckFacts, targets: list[CheckTarget]
) -> tuple[int, str] | None:
    by = check.started_by.get_username() if check.started_by is not None else None
    recorded = {(t["poc"], t["state"], t["level"]) for t in stated.data.get("targets", [])}
    actual = {(t.point_of_contact_id, t.state.iso3, t.level) for t in targets}
    if (iso_utc(check.started_at), iso_utc(check.deadline), by) != (
        stated.at,
        stated.data.get("deadline"),
        stated.data.get("by"),
    ):
        return stated.seq, f"check {check.pk}: its start, deadline or starter differs"
    if recorded != actual:
        return stated.seq, f"check {check.pk}: its targets differ from the record"
    for target in targets:
        at, answered_by, seq = stated.answers.get(target.point_of_contact_id, (None, None, None))
        user = target.answered_by.get_username() if target.answered_by is not None else None
        if (iso_utc(target.answered_at), user) != (at, answered_by):
            return seq or stated.seq, (
                f"check {check.pk}: the answer of point of contact {target.point_of_contact_id} "
                "differs from the record"
            )
    if iso_utc(check.closed_at) != stated.closed_at:
        return stated.closed_seq or stated.seq, f"check {check.pk}: its closing time differs"
    return None


@dataclass(frozen=True)
class RecordCheck:
    """A verification of a channel's record run on request (the channel page's "Verify this
    record"): the outcome of ``record_verify`` and the last entry, to say up to where and when the
    record was found intact."""

    result: chain.Verification
    last: Event | None
    checked_at: datetime


def record_check(channel: Channel) -> RecordCheck:
    """``record_verify`` (the code ``cbmhub hotline verify`` runs) plus the channel's last entry."""
    result = record_verify(channel)
    last = event_list(channel).only("id", "channel_id", "seq", "at").last()
    return RecordCheck(result=result, last=last, checked_at=timezone.now())
