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

from cbmhub.core import roles
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
from ..permissions import may_send_as_organisation, participant_states
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
# What marks an exercise message (the exercises app), in its subject and at both ends of its body.
EXERCISE_MARK = "EXERCISE"


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
    # The sender: a state (the actor's, or the one an exercise run sends for), or (a secretariat
    # sending for its organisation) no state and the channel's organisation.
    sender_state_id: int | None = None
    sender_organisation_id: int | None = None
    is_exercise: bool = False
    escalate: bool = True


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
    recipient_states: Sequence[State] | None = None,
    now: datetime | None = None,
    is_exercise: bool = False,
    sender_state: State | None = None,
    escalate: bool = True,
) -> SendResult:
    """Send a message from the user's state on `channel` — or, from a secretariat officer of
    a multilateral channel's organisation (``permissions.may_send_as_organisation``), from the
    organisation itself (``sender_organisation``, no sender state): every member state receives
    it like any message (receipts, outbox, escalation, acknowledgement, reply).

    ``recipient_states`` narrows the recipients to those states (each must take part in the
    channel and not be the sender); None (the default) sends to every other participant.

    Creates the message, one receipt per recipient state (bilateral: the other state;
    multilateral: every other current member) with acknowledgement and reply deadlines from the
    channel's settings for `priority` (an instrument's ``reply_deadline`` replaces the reply
    deadline), the outbox deliveries (in-app inbox, e-mail to the points of contact at the
    channel's level, the state's webhooks) and the SENT event. With `in_reply_to` it is a
    response (kind must be "response"): the original's receipt of the user's state is marked
    replied (and acknowledged, if it was not yet). With `idempotency_key` a retry of the same
    request returns the first message (``created=False``); the same key with a different request
    raises IdempotencyConflict (HTTP 409).

    An exercise message (``is_exercise``, sent by an exercise run as ``SYSTEM`` in the name of
    ``sender_state``) carries the EXERCISE mark in its subject and body, is counted in no real
    figure (selectors), and with ``escalate=False`` is never escalated beyond its channel's
    level.

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
        recipient_states=recipient_states,
        now=_now(now),
        **_sender(actor, channel, sender_state, is_exercise, in_reply_to),
        is_exercise=is_exercise,
        escalate=escalate,
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
    if checked.sender_state_id is not None:
        message.sender_state = checked.states[checked.sender_state_id]  # as a read would give it
    else:
        message.sender_organisation = channel.organisation
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
    sender_state_id: int | None,
    sender_organisation_id: int | None,
    recipient_states: Sequence[State] | None = None,
    **fields: Any,
) -> _Send | SendResult:
    """Every refusal of a send, in the order a caller meets them, and its locks (the answered
    message's receipt, before the chain head: see the package docstring). Returns the checked
    send, or the result of the earlier request when this one is its idempotent retry."""
    if not channel.is_active:
        raise HotlineError(_("This channel is closed."), code="channel_closed")
    # Read once, with the states' rows: the recipients are these.
    participant_rows = participant_states(channel)
    participants = set(participant_rows)
    as_organisation = sender_organisation_id is not None
    if not as_organisation and sender_state_id not in participants:
        raise PermissionDenied(_("Your state does not take part in this channel."))
    if as_organisation and in_reply_to is not None:
        raise PermissionDenied(_("Only a recipient state may answer this message."))
    _check_fields(fields)
    subject, body = (subject or "").strip(), (body or "").strip()
    if fields["is_exercise"] and subject and body:
        subject, body = exercise_marked(subject, body)
    _check_text(subject=subject, body=body, idempotency_key=idempotency_key)
    original_receipt = _check_reply(actor, channel, fields["kind"], in_reply_to)
    files = _read_attachments(attachments)
    named = None if recipient_states is None else sorted({s.pk for s in recipient_states})
    fingerprint = _fingerprint(channel, subject, body, files, in_reply_to, fields, named)
    if idempotency_key:
        replay = _idempotent_replay(actor, idempotency_key, fingerprint)
        if replay:
            return replay
    states, recipients = _recipients(sender_state_id, participant_rows, in_reply_to, named)
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
        sender_state_id=sender_state_id,
        sender_organisation_id=sender_organisation_id,
        **fields,
    )


def _sender(
    actor: Any,
    channel: Channel,
    sender_state: State | None,
    is_exercise: bool,
    in_reply_to: Message | None,
) -> dict[str, int | None]:
    """Who sends: ``sender_state_id`` (a state) or ``sender_organisation_id`` (a secretariat
    officer of the channel's organisation, ``permissions.may_send_as_organisation``)."""
    if sender_state is None and may_send_as_organisation(actor, channel):
        return {"sender_state_id": None, "sender_organisation_id": channel.organisation_id}
    return {
        "sender_state_id": _sender_state_id(actor, sender_state, is_exercise, in_reply_to),
        "sender_organisation_id": None,
    }


def _sender_state_id(
    actor: Any, sender_state: State | None, is_exercise: bool, in_reply_to: Message | None
) -> int:
    """The sending state: the user's; for an exercise run (``SYSTEM``, a new message only) the
    state in whose name the run sends."""
    if sender_state is None:
        _require_state_user(actor)
        return actor.state_id
    if not (is_exercise and roles.is_system(actor) and in_reply_to is None):
        raise PermissionDenied(_("Only an exercise run may send in the name of a state."))
    return sender_state.pk


def exercise_marked(subject: str, body: str) -> tuple[str, str]:
    """An exercise message's subject and body with the EXERCISE mark (once, however often
    it is asked for)."""
    prefix = f"[{EXERCISE_MARK}] "
    if not subject.startswith(prefix):
        subject = (prefix + subject)[:200]
    banner = " ".join([EXERCISE_MARK] * 3)
    if not body.startswith(banner):
        body = f"{banner}\n\n{body}\n\n{banner}"
    return subject, body


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
    named: list[int] | None = None,
) -> str:
    """What makes two requests the same request (an Idempotency-Key retry). Unsalted: two
    identical requests must give the same fingerprint. Never shown."""
    content_sha256 = message_content_sha256(
        subject=subject,
        body=body,
        language=fields["language"],
        attachment_hashes=[f.sha256 for f in files],
    )
    request: dict[str, Any] = {
        "channel": channel.pk,
        "kind": fields["kind"],
        "priority": fields["priority"],
        "content": content_sha256,
        "tlp": fields["tlp"],
        "instrument": fields["instrument"],
        "reply_deadline": iso_utc(fields["reply_deadline"]),
        "in_reply_to": in_reply_to.pk if in_reply_to else None,
    }
    if named is not None:  # only when narrowed: earlier requests keep their fingerprint
        request["recipient_states"] = named
    return chain.sha256_hex(chain.canonical_json(request))


def _recipients(
    sender_state_id: int | None,
    participants: dict[int, State],
    in_reply_to: Message | None,
    named: list[int] | None = None,
) -> tuple[dict[int, State], list[State]]:
    """The recipient states and the sender's own state (its code goes on the record), by name:
    the participants' rows already read (``permissions.participant_states``), or, for a reply
    to a state that no longer takes part, every state read by id in one query. A reply to a
    message an organisation sent goes to that organisation (its secretariat reads the channel):
    no recipient state, no receipt."""
    to_organisation = in_reply_to is not None and in_reply_to.sender_state_id is None
    wanted: set[int]
    if in_reply_to is not None:
        wanted = {in_reply_to.sender_state_id} if in_reply_to.sender_state_id else set()
    else:
        wanted = set(participants) - {sender_state_id}
        if named is not None:
            outside = set(named) - wanted
            if not named or outside:
                raise _invalid(
                    "recipient_states",
                    _("Every recipient state must take part in this channel (and not send).")
                    if outside
                    else _("No recipient state is named."),
                )
            wanted = set(named)
    ids = wanted | {sender_state_id} if sender_state_id is not None else wanted
    if ids <= participants.keys():
        found = sorted((participants[pk] for pk in ids), key=lambda state: (state.name, state.pk))
    else:
        found = list(State.objects.filter(pk__in=ids).order_by("name"))
    states = {state.pk: state for state in found}
    recipients = [state for pk, state in states.items() if pk in wanted]
    if not recipients and not to_organisation:
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
        sender_state_id=checked.sender_state_id,
        sender_organisation_id=checked.sender_organisation_id,
        sender=roles.user_or_none(checked.actor),
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
        is_exercise=checked.is_exercise,
    )
    # Foreign keys are objects checked above, and the idempotency constraint is enforced by the
    # database below (a check here would race), so full_clean validates the values only.
    message.full_clean(
        exclude=["channel", "sender_state", "sender_organisation", "sender", "in_reply_to"],
        validate_constraints=False,
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
    escalates = ack_due is not None and channel.escalation_max_count > 0 and checked.escalate
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
    sender = roles.user_or_none(checked.actor)
    exercise = {"exercise": True} if checked.is_exercise else {}
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
            "sender_state": (
                checked.states[checked.sender_state_id].iso3
                if checked.sender_state_id is not None
                else None
            ),
            **_organisation_sender(checked),
            "sender_commitment": user_commitment(
                salt=message.content_salt,
                role="sender",
                username=sender.get_username() if sender is not None else None,
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
            **exercise,
        },
    )


def _organisation_sender(checked: _Send) -> dict[str, Any]:
    """A message an organisation sent names it (by id, like the channel's facts) on its SENT
    entry; a state's message has no such key, as before (its entries are unchanged)."""
    if checked.sender_organisation_id is None:
        return {}
    return {"sender_organisation": checked.sender_organisation_id}


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
