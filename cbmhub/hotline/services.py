"""Writes of the hotline: the one entry point for the views, the API, the worker and the demo.

Every service checks the actor's right, validates, writes, queues its deliveries in the outbox
table and appends its event to the channel's signed hash chain, all in one transaction: either
everything happened and is on the record, or nothing did. Nothing leaves the database here;
the worker (delivery.py, ``cbmhub hotline worker``) sends what the outbox holds.

Lock order, to keep concurrent writers free of deadlocks: a receipt row (or check row) first,
then the channel row (the chain head, taken by ``event_append``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core.api import DomainError
from cbmhub.directory.choices import Level
from cbmhub.directory.models import Organisation, PointOfContact, State
from cbmhub.directory.selectors import point_of_contact_list, points_of_contact_for

from . import chain, signing
from .choices import (
    ACK_EXPECTED,
    REPLY_EXPECTED,
    DeliveryKind,
    DeliveryPurpose,
    EventKind,
    MessageKind,
    Priority,
    Scope,
    Tlp,
)
from .models import (
    Attachment,
    Channel,
    CheckTarget,
    CommunicationCheck,
    Delivery,
    Event,
    Message,
    Receipt,
    Webhook,
)
from .selectors import is_participant, member_state_ids, recipient_states

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 10

# Sent after the transaction that recorded an event commits: ``sender=Event, event=<Event>``.
# The live inbox (and anything else that wants a push) listens here.
event_recorded = Signal()


class HotlineError(DomainError):
    """A hotline request that the rules refuse."""

    code = "hotline"


class IdempotencyConflict(HotlineError):
    """An Idempotency-Key reused for a different request."""

    code = "idempotency_key_reused"
    status_code = 409


@dataclass(frozen=True)
class SendResult:
    """The message a send produced; ``created`` is False when an Idempotency-Key retry returned
    the message an earlier identical request had created."""

    message: Message
    created: bool


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="microseconds") if value else None


def _require_state_user(user: Any) -> None:
    if not (
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_state_user", False)
        and user.state_id
    ):
        raise PermissionDenied(_("Only a point of contact of a state may do this."))


# --- the record -----------------------------------------------------------------------------


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
    """Append one signed entry to the channel's chain. Must run inside the caller's transaction:
    the channel row is locked so that concurrent writers queue instead of forking the chain."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_append must run inside a transaction")
    head = Channel.objects.select_for_update().only("last_seq", "last_hash").get(pk=channel.pk)
    seq = head.last_seq + 1
    payload = chain.make_entry(
        channel=channel.pk,
        seq=seq,
        kind=kind,
        at=_iso(at) or "",
        prev_hash=head.last_hash,
        data=data,
    )
    digest = chain.entry_hash(payload)
    event = Event.objects.create(
        channel_id=channel.pk,
        seq=seq,
        kind=kind,
        at=at,
        message=message,
        receipt=receipt,
        communication_check=communication_check,
        payload=payload,
        prev_hash=head.last_hash,
        hash=digest,
        signature=chain.sign_hash(signing.private_key(), digest),
        key_id=signing.key_id(),
    )
    Channel.objects.filter(pk=channel.pk).update(last_seq=seq, last_hash=digest)
    channel.last_seq, channel.last_hash = seq, digest
    transaction.on_commit(lambda: event_recorded.send(sender=Event, event=event))
    return event


def message_content_sha256(
    *, subject: str, body: str, language: str, attachment_hashes: Sequence[str]
) -> str:
    """What the record holds instead of the content: the secretariat and the operator can see
    the record, the content stays with the parties, and either party can prove what was sent."""
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


# --- channels -------------------------------------------------------------------------------


def _can_manage_channel(
    user: Any, *, organisation: Organisation | None, states: Iterable[State | None]
) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if organisation is not None and getattr(user, "is_secretariat", False):
        return user.organisation_id == organisation.pk
    return bool(
        getattr(user, "is_focal_point", False)
        and user.state_id in {s.pk for s in states if s is not None}
    )


@transaction.atomic
def channel_create(
    *,
    user: Any,
    name: str,
    scope: str,
    level: str = Level.TECHNICAL,
    organisation: Organisation | None = None,
    state_a: State | None = None,
    state_b: State | None = None,
    arrangement: str = "",
    **settings_: Any,
) -> Channel:
    """Open a channel. Bilateral: two states (a focal point of either, the secretariat of the
    framework organisation, or an operator). Multilateral: an organisation (its secretariat or
    an operator). ``settings_`` may set any deadline (``ack_flash`` ... ``reply_routine``) and
    the escalation policy (``escalate_every``, ``escalation_max_level``,
    ``escalation_max_count``)."""
    allowed = {f"{p}_{prio}" for p in ("ack", "reply") for prio in Priority.values}
    allowed |= {"escalate_every", "escalation_max_level", "escalation_max_count", "is_active"}
    unknown = set(settings_) - allowed
    if unknown:
        raise HotlineError(_("Unknown channel settings: %s.") % ", ".join(sorted(unknown)))
    if not _can_manage_channel(user, organisation=organisation, states=(state_a, state_b)):
        raise PermissionDenied(_("You may not open this channel."))
    channel = Channel(
        name=name,
        scope=scope,
        level=level,
        organisation=organisation,
        state_a=state_a,
        state_b=state_b,
        arrangement=arrangement,
        **settings_,
    )
    channel.full_clean()
    channel.save()
    return channel


@transaction.atomic
def channel_update(*, user: Any, channel: Channel, **fields: Any) -> Channel:
    """Change a channel's name, arrangement, deadlines, escalation policy or ``is_active``."""
    allowed = {f"{p}_{prio}" for p in ("ack", "reply") for prio in Priority.values}
    allowed |= {
        "name",
        "arrangement",
        "escalate_every",
        "escalation_max_level",
        "escalation_max_count",
        "is_active",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise HotlineError(
            _("These channel fields cannot be changed: %s.") % ", ".join(sorted(unknown))
        )
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if not _can_manage_channel(
        user, organisation=channel.organisation, states=(channel.state_a, channel.state_b)
    ):
        raise PermissionDenied(_("You may not change this channel."))
    for key, value in fields.items():
        setattr(channel, key, value)
    channel.full_clean()
    channel.save(update_fields=[*fields, "updated_at"])
    return channel


@transaction.atomic
def webhook_create(*, user: Any, state: State, url: str, secret: str = "") -> Webhook:
    """Register a state's webhook (its focal point or an operator). Without a secret one is
    generated; the receiver checks ``X-CBMHub-Signature`` with it (docs/hotline.md)."""
    if not (
        getattr(user, "is_superuser", False)
        or (getattr(user, "is_focal_point", False) and user.state_id == state.pk)
    ):
        raise PermissionDenied(_("Only a focal point of this state may add its webhooks."))
    webhook = Webhook(state=state, url=url, secret=secret or secrets.token_urlsafe(32))
    webhook.full_clean()
    webhook.save()
    return webhook


# --- outbox ---------------------------------------------------------------------------------


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


# --- messages -------------------------------------------------------------------------------


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
        data = upload.read() if hasattr(upload, "read") else bytes(upload)
        if len(data) > ATTACHMENT_MAX_BYTES:
            raise HotlineError(
                _("Attachment %(name)s is %(size)d bytes; the limit is %(limit)d.")
                % {"name": name, "size": len(data), "limit": ATTACHMENT_MAX_BYTES},
                code="attachment_too_large",
                details=[{"field": f"attachments[{index}]", "message": "too large"}],
            )
        content_type = getattr(upload, "content_type", "") or "application/octet-stream"
        files.append(_File(name[:200], content_type[:100], data, hashlib.sha256(data).hexdigest()))
    return files


def _invalid(field: str, message: str) -> HotlineError:
    return HotlineError(message, code="invalid", details=[{"field": field, "message": message}])


@transaction.atomic
def message_send(
    *,
    user: Any,
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
    """
    _require_state_user(user)
    now = _now(now)
    if not channel.is_active:
        raise HotlineError(_("This channel is closed."), code="channel_closed")
    if not is_participant(channel, user.state_id):
        raise PermissionDenied(_("Your state does not take part in this channel."))
    if kind not in MessageKind.values:
        raise _invalid("kind", _("Unknown message kind %r.") % kind)
    if priority not in Priority.values:
        raise _invalid("priority", _("Unknown priority %r.") % priority)
    if tlp not in Tlp.values:
        raise _invalid("tlp", _("Unknown TLP marking %r.") % tlp)
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise _invalid("subject", _("The subject is empty."))
    if not body:
        raise _invalid("body", _("The body is empty."))
    if len(idempotency_key) > 255:
        raise _invalid("idempotency_key", _("The Idempotency-Key is longer than 255 characters."))
    original_receipt = None
    if in_reply_to is not None or kind == MessageKind.RESPONSE:
        if in_reply_to is None:
            raise _invalid("in_reply_to", _("A response must name the message it answers."))
        if kind != MessageKind.RESPONSE:
            raise _invalid("kind", _("A message that answers another has the kind 'response'."))
        if in_reply_to.channel_id != channel.pk:
            raise _invalid("in_reply_to", _("The answered message is on another channel."))
        # Locked first (before the chain head), see the module docstring.
        original_receipt = (
            Receipt.objects.select_for_update()
            .filter(message=in_reply_to, state_id=user.state_id)
            .first()
        )
        if original_receipt is None:
            raise PermissionDenied(_("Only a recipient state may answer this message."))

    files = _read_attachments(attachments)
    content_sha256 = message_content_sha256(
        subject=subject,
        body=body,
        language=language,
        attachment_hashes=[f.sha256 for f in files],
    )
    fingerprint = chain.sha256_hex(
        chain.canonical_json(
            {
                "channel": channel.pk,
                "kind": kind,
                "priority": priority,
                "content": content_sha256,
                "tlp": tlp,
                "instrument": instrument,
                "reply_deadline": _iso(reply_deadline),
                "in_reply_to": in_reply_to.pk if in_reply_to else None,
            }
        )
    )
    if idempotency_key:
        replay = _idempotent_replay(user, idempotency_key, fingerprint)
        if replay:
            return replay

    if in_reply_to is not None:
        recipients = list(State.objects.filter(pk=in_reply_to.sender_state_id))
    else:
        recipients = recipient_states(channel, user.state_id)
    if not recipients:
        raise HotlineError(
            _("This channel has no other participant to send to."), code="no_recipients"
        )

    message = Message(
        channel=channel,
        sender_state_id=user.state_id,
        sender=user,
        kind=kind,
        priority=priority,
        subject=subject,
        body=body,
        language=language,
        instrument=instrument,
        reply_deadline=reply_deadline,
        tlp=tlp,
        in_reply_to=in_reply_to,
        sent_at=now,
        content_sha256=content_sha256,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint if idempotency_key else "",
    )
    # Foreign keys are objects checked above, and the idempotency constraint is enforced by the
    # database below (a check here would race), so full_clean validates the values only.
    message.full_clean(
        exclude=["channel", "sender_state", "sender", "in_reply_to"], validate_constraints=False
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # A concurrent request with the same key won; answer as its retry.
        replay = _idempotent_replay(user, idempotency_key, fingerprint) if idempotency_key else None
        if replay:
            return replay
        raise

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

    ack_due = now + channel.ack_deadline(priority) if kind in ACK_EXPECTED else None
    reply_due = reply_deadline or (
        now + channel.reply_deadline(priority) if kind in REPLY_EXPECTED else None
    )
    escalates = ack_due is not None and channel.escalation_max_count > 0
    receipts = Receipt.objects.bulk_create(
        [
            Receipt(
                message=message,
                state=state,
                ack_due_at=ack_due,
                reply_due_at=reply_due,
                escalation_level=channel.level,
                next_escalation_at=ack_due if escalates else None,
            )
            for state in recipients
        ]
    )
    webhooks = _active_webhooks(s.pk for s in recipients)
    deliveries: list[Delivery] = []
    for receipt in receipts:
        deliveries.append(
            Delivery(
                kind=DeliveryKind.INBOX,
                purpose=DeliveryPurpose.MESSAGE,
                message=message,
                receipt=receipt,
                available_at=now,
            )
        )
        pocs = points_of_contact_for(
            state=receipt.state, level=channel.level, organisation=channel.organisation
        )
        deliveries += _email_deliveries(
            pocs, purpose=DeliveryPurpose.MESSAGE, now=now, message=message, receipt=receipt
        )
        deliveries += _webhook_deliveries(
            receipt.state_id,
            purpose=DeliveryPurpose.MESSAGE,
            now=now,
            message=message,
            receipt=receipt,
            webhooks=webhooks,
        )
    Delivery.objects.bulk_create(deliveries)

    event_append(
        channel=channel,
        kind=EventKind.SENT,
        at=now,
        message=message,
        data={
            "message": message.pk,
            "kind": kind,
            "priority": priority,
            "tlp": tlp,
            "instrument": instrument,
            "sender_state": user.state.iso3,
            "sender": user.username,
            "in_reply_to": in_reply_to.pk if in_reply_to else None,
            "content_sha256": content_sha256,
            "recipients": {
                r.state.iso3: {"ack_due": _iso(r.ack_due_at), "reply_due": _iso(r.reply_due_at)}
                for r in receipts
            },
        },
    )
    if original_receipt is not None:
        _mark_replied(original_receipt, reply=message, user=user, now=now)
    return SendResult(message=message, created=True)


def _idempotent_replay(user: Any, key: str, fingerprint: str) -> SendResult | None:
    existing = Message.objects.filter(sender=user, idempotency_key=key).first()
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
    user: Any,
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
        user=user,
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


def _receipt_data(receipt: Receipt, **extra: Any) -> dict[str, Any]:
    return {"message": receipt.message_id, "state": receipt.state.iso3, **extra}


def _acknowledge(receipt: Receipt, *, user: Any, now: datetime) -> None:
    receipt.acknowledged_at = now
    receipt.acknowledged_by = user
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
            by=getattr(user, "username", None),
            ack_due=_iso(receipt.ack_due_at),
            late=bool(receipt.ack_due_at and now > receipt.ack_due_at),
        ),
    )


def _mark_replied(receipt: Receipt, *, reply: Message, user: Any, now: datetime) -> None:
    if receipt.acknowledged_at is None:
        _acknowledge(receipt, user=user, now=now)
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
            by=getattr(user, "username", None),
            reply_due=_iso(receipt.reply_due_at),
            late=bool(receipt.reply_due_at and now > receipt.reply_due_at),
        ),
    )


@transaction.atomic
def message_acknowledge(*, user: Any, message: Message, now: datetime | None = None) -> Receipt:
    """Confirm receipt for the user's state (it must be a recipient). Stops escalation.
    Acknowledging twice is harmless: the first acknowledgement stands."""
    _require_state_user(user)
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("message__channel", "state")
        .filter(message_id=message.pk, state_id=user.state_id)
        .first()
    )
    if receipt is None:
        raise PermissionDenied(_("Only a point of contact of a recipient state may acknowledge."))
    if receipt.acknowledged_at is None:
        _acknowledge(receipt, user=user, now=_now(now))
    return receipt


@transaction.atomic
def receipt_mark_delivered(*, receipt_id: int, now: datetime | None = None) -> bool:
    """Record that a message reached a recipient state (the worker calls this after the first
    successful delivery to it). True only for the call that set it: the DELIVERED event is
    recorded exactly once however many deliveries and workers report."""
    return _mark_delivered(receipt_id, _now(now))


def _mark_delivered(receipt_id: int, now: datetime) -> bool:
    """receipt_mark_delivered inside the caller's transaction (the worker records a batch of
    inbox deliveries in one transaction, without a savepoint per row)."""
    if not Receipt.objects.filter(pk=receipt_id, delivered_at__isnull=True).update(
        delivered_at=now
    ):
        return False
    receipt = Receipt.objects.select_related("message__channel", "state").get(pk=receipt_id)
    event_append(
        channel=receipt.message.channel,
        kind=EventKind.DELIVERED,
        at=now,
        message=receipt.message,
        receipt=receipt,
        data=_receipt_data(receipt),
    )
    return True


# --- escalation -----------------------------------------------------------------------------


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


# --- communication checks -------------------------------------------------------------------


def _check_channel(organisation: Organisation, channel: Channel | None) -> Channel:
    if channel is not None:
        if channel.scope != Scope.MULTILATERAL or channel.organisation_id != organisation.pk:
            raise _invalid(
                "channel", _("A check runs on a multilateral channel of %s.") % organisation.acronym
            )
        return channel
    found = (
        Channel.objects.filter(organisation=organisation, scope=Scope.MULTILATERAL, is_active=True)
        .order_by("id")
        .first()
    )
    if found:
        return found
    channel = Channel(
        name=f"{organisation.acronym} communication checks",
        scope=Scope.MULTILATERAL,
        level=Level.TECHNICAL,
        organisation=organisation,
    )
    channel.full_clean()
    channel.save()
    return channel


@transaction.atomic
def check_start(
    *,
    user: Any,
    organisation: Organisation,
    states: Iterable[State] | None = None,
    levels: Iterable[str] | None = None,
    deadline: timedelta = timedelta(hours=1),
    note: str = "",
    channel: Channel | None = None,
    now: datetime | None = None,
) -> CommunicationCheck:
    """Start a communication check: every active point of contact of the organisation's member
    states (or of `states`, at `levels`) is asked to confirm within `deadline`. Only the
    organisation's secretariat (or an operator) may start one. Each target gets an e-mail with a
    confirmation link (token) and sees the check in the app."""
    if not (
        getattr(user, "is_superuser", False)
        or (getattr(user, "is_secretariat", False) and user.organisation_id == organisation.pk)
    ):
        raise PermissionDenied(_("Only the organisation's secretariat may start a check."))
    if deadline <= timedelta(0):
        raise _invalid("deadline", _("The deadline must be in the future."))
    now = _now(now)
    channel = _check_channel(organisation, channel)
    members = member_state_ids(organisation)
    state_ids = members & {s.pk for s in states} if states is not None else members
    level_list = list(levels) if levels is not None else Level.escalation_order()
    bad = set(level_list) - set(Level.values)
    if bad:
        raise _invalid("levels", _("Unknown level(s): %s.") % ", ".join(sorted(bad)))
    pocs = [
        poc
        for poc in point_of_contact_list(organisation=organisation)
        if poc.state_id in state_ids and poc.level in level_list
    ]
    if not pocs:
        raise HotlineError(_("No point of contact matches this check."), code="no_targets")
    check = CommunicationCheck(
        organisation=organisation,
        channel=channel,
        started_by=user,
        note=note,
        started_at=now,
        deadline=now + deadline,
    )
    check.full_clean()
    check.save()
    targets = CheckTarget.objects.bulk_create(
        [
            CheckTarget(
                communication_check=check,
                point_of_contact=poc,
                state_id=poc.state_id,
                level=poc.level,
                token=secrets.token_urlsafe(32),
            )
            for poc in pocs
        ]
    )
    deliveries: list[Delivery] = []
    for target, poc in zip(targets, pocs, strict=True):
        deliveries += _email_deliveries(
            [poc], purpose=DeliveryPurpose.CHECK, now=now, check_target=target
        )
    Delivery.objects.bulk_create(deliveries)
    event_append(
        channel=channel,
        kind=EventKind.CHECK_STARTED,
        at=now,
        communication_check=check,
        data={
            "check": check.pk,
            "organisation": organisation.acronym,
            "by": getattr(user, "username", None),
            "deadline": _iso(check.deadline),
            "targets": [{"poc": p.pk, "state": p.state.iso3, "level": p.level} for p in pocs],
        },
    )
    return check


@transaction.atomic
def check_answer(
    *,
    user: Any = None,
    communication_check: CommunicationCheck | None = None,
    token: str = "",
    now: datetime | None = None,
) -> list[CheckTarget]:
    """Confirm a check: by `token` (the e-mailed link, no login needed) or as `user` for every
    target of `communication_check` whose point of contact is that user. Answers after the
    deadline are recorded and count as late. Answering twice keeps the first time."""
    now = _now(now)
    targets = CheckTarget.objects.select_for_update(of=("self",)).select_related(
        "communication_check__channel", "state"
    )
    if token:
        targets = targets.filter(token=token)
    elif communication_check is not None and getattr(user, "is_authenticated", False):
        targets = targets.filter(
            communication_check=communication_check, point_of_contact__user=user
        )
    else:
        raise HotlineError(_("Give a token, or a check and a user."), code="invalid")
    targets = list(targets.order_by("id"))
    if not targets:
        if token:
            raise HotlineError(_("This confirmation link is not valid."), code="not_found")
        raise PermissionDenied(_("This check did not ask you to confirm."))
    answered = []
    for target in targets:
        if target.answered_at is not None:
            continue
        target.answered_at = now
        target.answered_by = user if getattr(user, "is_authenticated", False) else None
        target.save(update_fields=["answered_at", "answered_by"])
        check = target.communication_check
        event_append(
            channel=check.channel,
            kind=EventKind.CHECK_ANSWERED,
            at=now,
            communication_check=check,
            data={
                "check": check.pk,
                "poc": target.point_of_contact_id,
                "state": target.state.iso3,
                "level": target.level,
                "in_time": now <= check.deadline,
                "by": getattr(target.answered_by, "username", None),
            },
        )
        answered.append(target)
    return targets


def checks_close_due(*, now: datetime | None = None) -> int:
    """Close the checks whose deadline has passed, recording their figures; returns how many."""
    now = _now(now)
    ids = list(
        CommunicationCheck.objects.filter(closed_at__isnull=True, deadline__lte=now).values_list(
            "pk", flat=True
        )
    )
    return sum(1 for pk in ids if _close_check(pk, now))


@transaction.atomic
def _close_check(check_id: int, now: datetime) -> bool:
    check = (
        CommunicationCheck.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("channel", "organisation")
        .filter(pk=check_id, closed_at__isnull=True)
        .first()
    )
    if check is None:
        return False
    check.closed_at = now
    check.save(update_fields=["closed_at", "updated_at"])
    targets = list(check.targets.all())
    in_time = sum(1 for t in targets if t.answered_at and t.answered_at <= check.deadline)
    event_append(
        channel=check.channel,
        kind=EventKind.CHECK_CLOSED,
        at=now,
        communication_check=check,
        data={
            "check": check.pk,
            "organisation": check.organisation.acronym,
            "targets": len(targets),
            "answered_in_time": in_time,
        },
    )
    return True
