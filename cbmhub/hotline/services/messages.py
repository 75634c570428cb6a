"""Sending and answering messages."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cbmhub.directory.models import State
from cbmhub.directory.selectors import points_of_contact_for_states

from .. import chain
from ..chain import iso_utc
from ..choices import (
    ACK_EXPECTED,
    REPLY_EXPECTED,
    DeliveryPurpose,
    EventKind,
    MessageKind,
    Priority,
    Tlp,
)
from ..models import Attachment, Channel, Delivery, Message, Receipt
from ..permissions import participant_states
from .common import (
    HotlineError,
    IdempotencyConflict,
    SendResult,
    _invalid,
    _now,
    _require_state_user,
)
from .events import (
    channel_facts,
    event_append,
    message_content_commitment,
    message_content_sha256,
    user_commitment,
)
from .outbox import _active_webhooks, receipt_deliveries
from .receipts import _mark_replied

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 10
# Rows per INSERT when a fan-out queues its outbox rows (one statement per 500 rows).
DELIVERY_BATCH = 500


@dataclass(frozen=True)
class _File:
    name: str
    content_type: str
    data: bytes
    sha256: str


def _read_attachments(attachments: Sequence[Any]) -> list[_File]:
    if len(attachments) > ATTACHMENT_MAX_COUNT:
        raise HotlineError(
            _("At most %d attachments per message.") % ATTACHMENT_MAX_COUNT,
            code="too_many_attachments",
        )
    files = []
    for index, upload in enumerate(attachments):
        name = str(getattr(upload, "name", "") or f"attachment-{index + 1}").rsplit("/", 1)[-1]
        # The declared size first, so that an oversized upload is never read into memory.
        size = getattr(upload, "size", None)
        if size is None or size <= ATTACHMENT_MAX_BYTES:
            data = upload.read() if hasattr(upload, "read") else bytes(upload)
            size = len(data)
        if size > ATTACHMENT_MAX_BYTES:
            raise HotlineError(
                _("Attachment %(name)s is %(size)d bytes; the limit is %(limit)d.")
                % {"name": name, "size": size, "limit": ATTACHMENT_MAX_BYTES},
                code="attachment_too_large",
                details=[{"field": f"attachments[{index}]", "message": "too large"}],
            )
        content_type = getattr(upload, "content_type", "") or "application/octet-stream"
        files.append(_File(name[:200], content_type[:100], data, hashlib.sha256(data).hexdigest()))
    return files


@dataclass(frozen=True)
class _Send:
    """A send that passed every check (``_send_check``): what the writing steps need, the
    original's receipt locked when it answers a message."""

    actor: Any
    channel: Channel
    kind: str
    priority: str
    tlp: str
    subject: str
    body: str
    language: str
    instrument: str
    reply_deadline: datetime | None
    in_reply_to: Message | None
    original_receipt: Receipt | None
    idempotency_key: str
    fingerprint: str
    files: list[_File]
    states: dict[int, State]
    recipients: list[State]
    now: datetime


@transaction.atomic
def message_send(
    *,
    actor: Any,
    channel: Channel,
    kind: str,
    priority: str,
    subject: str,
    body: str,
    language: str = "en",
    tlp: str = Tlp.AMBER,
    instrument: str = "",
    reply_deadline: datetime | None = None,
    attachments: Sequence[Any] = (),
    in_reply_to: Message | None = None,
    idempotency_key: str = "",
    now: datetime | None = None,
) -> SendResult:
    """Send a message from the user's state on `channel`.

    Creates the message, one receipt per recipient state (bilateral: the other state;
    multilateral: every other current member) with acknowledgement and reply deadlines from the
    channel's settings for `priority` (an instrument's ``reply_deadline`` replaces the reply
    deadline), the outbox deliveries (in-app inbox, e-mail to the points of contact at the
    channel's level, the state's webhooks) and the SENT event. With `in_reply_to` it is a
    response (kind must be "response"): the original's receipt of the user's state is marked
    replied (and acknowledged, if it was not yet). With `idempotency_key` a retry of the same
    request returns the first message (``created=False``); the same key with a different request
    raises IdempotencyConflict (HTTP 409).

    Check, then do: ``_send_check`` raises every refusal and takes the locks; the steps after
    it only write.
    """
    checked = _send_check(
        actor=actor,
        channel=channel,
        kind=kind,
        priority=priority,
        subject=subject,
        body=body,
        language=language,
        tlp=tlp,
        instrument=instrument,
        reply_deadline=reply_deadline,
        attachments=attachments,
        in_reply_to=in_reply_to,
        idempotency_key=idempotency_key,
        now=_now(now),
    )
    if isinstance(checked, SendResult):
        return checked  # a retry of a request already done
    saved = _message_save(checked)
    if not saved.created:
        return saved
    message = saved.message
    attachments = _attachments_save(message, checked.files)
    receipts = _receipts_create(message, checked)
    _deliveries_queue(message, receipts, checked)
    _sent_record(message, receipts, checked)
    if checked.original_receipt is not None:
        _mark_replied(checked.original_receipt, reply=message, actor=actor, now=checked.now)
    message.sender_state = checked.states[actor.state_id]  # as a read would give it
    return SendResult(message=message, created=True, receipts=receipts, attachments=attachments)


# --- the check step ---------------------------------------------------------------------------


def _send_check(
    *,
    actor: Any,
    channel: Channel,
    subject: str,
    body: str,
    idempotency_key: str,
    in_reply_to: Message | None,
    attachments: Sequence[Any],
    now: datetime,
    **fields: Any,
) -> _Send | SendResult:
    """Every refusal of a send, in the order a caller meets them, and its locks (the answered
    message's receipt, before the chain head: see the package docstring). Returns the checked
    send, or the result of the earlier request when this one is its idempotent retry."""
    _require_state_user(actor)
    if not channel.is_active:
        raise HotlineError(_("This channel is closed."), code="channel_closed")
    # Read once, with the states' rows: the recipients are these.
    participant_rows = participant_states(channel)
    participants = set(participant_rows)
    if actor.state_id not in participants:
        raise PermissionDenied(_("Your state does not take part in this channel."))
    _check_fields(fields)
    subject, body = (subject or "").strip(), (body or "").strip()
    _check_text(subject=subject, body=body, idempotency_key=idempotency_key)
    original_receipt = _check_reply(actor, channel, fields["kind"], in_reply_to)
    files = _read_attachments(attachments)
    fingerprint = _fingerprint(channel, subject, body, files, in_reply_to, fields)
    if idempotency_key:
        replay = _idempotent_replay(actor, idempotency_key, fingerprint)
        if replay:
            return replay
    states, recipients = _recipients(actor, participant_rows, in_reply_to)
    return _Send(
        actor=actor,
        channel=channel,
        subject=subject,
        body=body,
        in_reply_to=in_reply_to,
        original_receipt=original_receipt,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        files=files,
        states=states,
        recipients=recipients,
        now=now,
        **fields,
    )


def _check_fields(fields: dict[str, Any]) -> None:
    if fields["kind"] not in MessageKind.values:
        raise _invalid("kind", _("Unknown message kind %r.") % fields["kind"])
    if fields["priority"] not in Priority.values:
        raise _invalid("priority", _("Unknown priority %r.") % fields["priority"])
    if fields["tlp"] not in Tlp.values:
        raise _invalid("tlp", _("Unknown TLP marking %r.") % fields["tlp"])


def _check_text(*, subject: str, body: str, idempotency_key: str) -> None:
    if not subject:
        raise _invalid("subject", _("The subject is empty."))
    if not body:
        raise _invalid("body", _("The body is empty."))
    if len(idempotency_key) > 255:
        raise _invalid("idempotency_key", _("The Idempotency-Key is longer than 255 characters."))


def _check_reply(
    actor: Any, channel: Channel, kind: str, in_reply_to: Message | None
) -> Receipt | None:
    """The answered message's receipt of the user's state, locked; None for a new message."""
    if in_reply_to is None and kind != MessageKind.RESPONSE:
        return None
    if in_reply_to is None:
        raise _invalid("in_reply_to", _("A response must name the message it answers."))
    if kind != MessageKind.RESPONSE:
        raise _invalid("kind", _("A message that answers another has the kind 'response'."))
    if in_reply_to.channel_id != channel.pk:
        raise _invalid("in_reply_to", _("The answered message is on another channel."))
    # Locked first (before the chain head), see the package docstring.
    receipt = (
        Receipt.objects.select_for_update()
        .filter(message=in_reply_to, state_id=actor.state_id)
        .first()
    )
    if receipt is None:
        raise PermissionDenied(_("Only a recipient state may answer this message."))
    return receipt


def _fingerprint(
    channel: Channel,
    subject: str,
    body: str,
    files: list[_File],
    in_reply_to: Message | None,
    fields: dict[str, Any],
) -> str:
    """What makes two requests the same request (an Idempotency-Key retry). Unsalted: two
    identical requests must give the same fingerprint. Never shown."""
    content_sha256 = message_content_sha256(
        subject=subject,
        body=body,
        language=fields["language"],
        attachment_hashes=[f.sha256 for f in files],
    )
    return chain.sha256_hex(
        chain.canonical_json(
            {
                "channel": channel.pk,
                "kind": fields["kind"],
                "priority": fields["priority"],
                "content": content_sha256,
                "tlp": fields["tlp"],
                "instrument": fields["instrument"],
                "reply_deadline": iso_utc(fields["reply_deadline"]),
                "in_reply_to": in_reply_to.pk if in_reply_to else None,
            }
        )
    )


def _recipients(
    actor: Any, participants: dict[int, State], in_reply_to: Message | None
) -> tuple[dict[int, State], list[State]]:
    """The recipient states and the sender's own state (its code goes on the record), by name:
    the participants' rows already read (``permissions.participant_states``), or, for a reply
    to a state that no longer takes part, every state read by id in one query."""
    if in_reply_to is not None:
        wanted = {in_reply_to.sender_state_id}
    else:
        wanted = set(participants) - {actor.state_id}
    ids = wanted | {actor.state_id}
    if ids <= participants.keys():
        found = sorted((participants[pk] for pk in ids), key=lambda state: (state.name, state.pk))
    else:
        found = list(State.objects.filter(pk__in=ids).order_by("name"))
    states = {state.pk: state for state in found}
    recipients = [state for pk, state in states.items() if pk in wanted]
    if not recipients:
        raise HotlineError(
            _("This channel has no other participant to send to."), code="no_recipients"
        )
    return states, recipients


# --- the writing steps --------------------------------------------------------------------------


def _message_save(checked: _Send) -> SendResult:
    """The message row, with its content commitment. ``created=False`` when a concurrent request
    with the same Idempotency-Key saved first: this one is its retry."""
    salt = chain.new_salt()
    message = Message(
        channel=checked.channel,
        sender_state_id=checked.actor.state_id,
        sender=checked.actor,
        kind=checked.kind,
        priority=checked.priority,
        subject=checked.subject,
        body=checked.body,
        language=checked.language,
        instrument=checked.instrument,
        reply_deadline=checked.reply_deadline,
        tlp=checked.tlp,
        in_reply_to=checked.in_reply_to,
        sent_at=checked.now,
        content_sha256=_commitment(checked, salt),
        content_salt=salt,
        idempotency_key=checked.idempotency_key,
        request_fingerprint=checked.fingerprint if checked.idempotency_key else "",
    )
    # Foreign keys are objects checked above, and the idempotency constraint is enforced by the
    # database below (a check here would race), so full_clean validates the values only.
    message.full_clean(
        exclude=["channel", "sender_state", "sender", "in_reply_to"], validate_constraints=False
    )
    if not checked.idempotency_key:
        # No key, no unique constraint to collide with: no savepoint (two round trips) needed.
        message.save()
        return SendResult(message=message, created=True)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # A concurrent request with the same key won; answer as its retry.
        replay = _idempotent_replay(checked.actor, checked.idempotency_key, checked.fingerprint)
        if replay:
            return replay
        raise
    return SendResult(message=message, created=True)


def _commitment(checked: _Send, salt: str) -> str:
    return message_content_commitment(
        salt=salt,
        subject=checked.subject,
        body=checked.body,
        language=checked.language,
        attachments=[
            {
                "name": f.name,
                "content_type": f.content_type,
                "size": len(f.data),
                "sha256": f.sha256,
            }
            for f in checked.files
        ],
    )


def _attachments_save(message: Message, files: list[_File]) -> list[Attachment]:
    saved = []
    for f in files:
        attachment = Attachment(
            message=message,
            name=f.name,
            content_type=f.content_type,
            size=len(f.data),
            sha256=f.sha256,
        )
        attachment.file.save(f.name, ContentFile(f.data), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def _receipts_create(message: Message, checked: _Send) -> list[Receipt]:
    """One receipt per recipient state, with the deadlines of the channel for the priority."""
    channel, now = checked.channel, checked.now
    ack_due = now + channel.ack_deadline(checked.priority) if checked.kind in ACK_EXPECTED else None
    reply_due = checked.reply_deadline or (
        now + channel.reply_deadline(checked.priority) if checked.kind in REPLY_EXPECTED else None
    )
    escalates = ack_due is not None and channel.escalation_max_count > 0
    return Receipt.objects.bulk_create(
        [
            Receipt(
                message=message,
                state=state,
                ack_due_at=ack_due,
                reply_due_at=reply_due,
                escalation_level=channel.level,
                next_escalation_at=ack_due if escalates else None,
            )
            for state in checked.recipients
        ]
    )


def _deliveries_queue(message: Message, receipts: list[Receipt], checked: _Send) -> None:
    """The outbox rows for every receipt: inbox, its state's points of contact at the channel's
    level, its state's webhooks."""
    channel = checked.channel
    state_ids = [s.pk for s in checked.recipients]
    webhooks = _active_webhooks(state_ids)
    # Every recipient state's points of contact in one read: no query per recipient.
    pocs = points_of_contact_for_states(
        state_ids=state_ids, level=channel.level, organisation=channel.organisation
    )
    deliveries: list[Delivery] = []
    for receipt in receipts:
        deliveries += receipt_deliveries(
            receipt,
            purpose=DeliveryPurpose.MESSAGE,
            pocs=pocs[receipt.state_id],
            webhooks=webhooks,
            now=checked.now,
        )
    Delivery.objects.bulk_create(deliveries, batch_size=DELIVERY_BATCH)


def _sent_record(message: Message, receipts: list[Receipt], checked: _Send) -> None:
    """The SENT entry on the channel's chain. Format 2: every fact the pages show or act upon,
    commitments instead of content and account names (record.record_verify compares the rows
    with this)."""
    channel = checked.channel
    event_append(
        channel=channel,
        kind=EventKind.SENT,
        at=checked.now,
        message=message,
        data={
            "message": message.pk,
            "kind": message.kind,
            "priority": message.priority,
            "tlp": message.tlp,
            "instrument": message.instrument,
            "reply_deadline": iso_utc(message.reply_deadline),
            "sender_state": checked.states[checked.actor.state_id].iso3,
            "sender_commitment": user_commitment(
                salt=message.content_salt, role="sender", username=checked.actor.username
            ),
            "in_reply_to": message.in_reply_to_id,
            "content_commitment": message.content_sha256,
            "channel": channel_facts(channel, checked.states),
            "recipients": {
                r.state.iso3: {
                    "ack_due": iso_utc(r.ack_due_at),
                    "reply_due": iso_utc(r.reply_due_at),
                }
                for r in receipts
            },
        },
    )


def _idempotent_replay(actor: Any, key: str, fingerprint: str) -> SendResult | None:
    existing = Message.objects.filter(sender=actor, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(
            _("This Idempotency-Key was already used for a different message (#%d).") % existing.pk,
            details=[{"field": "Idempotency-Key", "message": "reused with a different request"}],
        )
    return SendResult(message=existing, created=False)


def message_reply(
    *,
    actor: Any,
    message: Message,
    body: str,
    subject: str = "",
    priority: str | None = None,
    tlp: str | None = None,
    language: str | None = None,
    attachments: Sequence[Any] = (),
    idempotency_key: str = "",
    now: datetime | None = None,
) -> SendResult:
    """Answer `message` for the user's (recipient) state: a response to the original sender
    state on the same channel, defaults taken from the original. See message_send."""
    return message_send(
        actor=actor,
        channel=message.channel,
        kind=MessageKind.RESPONSE,
        priority=priority or message.priority,
        subject=subject or f"Re: {message.subject}",
        body=body,
        language=language or message.language,
        tlp=tlp or message.tlp,
        attachments=attachments,
        in_reply_to=message,
        idempotency_key=idempotency_key,
        now=now,
    )
