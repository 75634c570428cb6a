"""The outbox processor: hands queued deliveries to the inbox, to SMTP and to webhooks.

How several workers share one queue without sending anything twice, and without losing
anything when one dies:

1. **Claim** (one short transaction): pick up to `batch` rows that are pending and due, or whose
   previous claim has expired (a crashed worker's lease), and stamp them with a fresh claim token
   and ``lease_until``. On PostgreSQL the pick uses ``SELECT ... FOR UPDATE SKIP LOCKED`` so
   workers never wait for or take each other's rows; on SQLite the write transaction is
   ``IMMEDIATE``, so claims are serialised. The stamping UPDATE repeats the claimable condition,
   so a row claimed in between is not stamped twice.
2. **Send** each claimed row outside any transaction (SMTP and HTTP can be slow).
3. **Record**: mark it sent only if our claim token is still on it, then mark the receipt
   delivered (once, see services.receipts_mark_delivered). In-app inbox rows have nothing to
   send: a batch's are recorded together in one transaction, before the e-mails and webhooks,
   each of which is recorded in its own transaction right after its send.

A worker killed between 2 and 3 leaves its rows ``sending`` until the lease expires; another
worker then sends them again. So the transport is at-least-once for the one row in flight, and
each e-mail has a stable ``Message-ID`` (and each webhook an ``X-CBMHub-Delivery`` id) so that
the receiving side can drop the duplicate; the recorded state — delivered once, one DELIVERED
event — is exactly-once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.request
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import services
from .choices import TLP_BODY_IN_EMAIL, DeliveryKind, DeliveryPurpose, DeliveryStatus
from .models import Delivery

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


def _claimable(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING, available_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lt=now
    )


def deliveries_claim(
    *, batch: int = 50, lease: timedelta = DEFAULT_LEASE, now: datetime | None = None
) -> list[Delivery]:
    """Claim up to `batch` due deliveries for this caller (see the module docstring)."""
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
            "receipt__state",
            "check_target__communication_check__organisation",
            "webhook",
        )
        .order_by("id")
    )


def deliveries_process(
    *,
    batch: int = 50,
    lease: timedelta = DEFAULT_LEASE,
    now: datetime | None = None,
    connection=None,
) -> int:
    """Claim one batch and send it; returns how many rows were claimed (0: the queue is empty).
    `now` is for tests and the demo; `connection` an e-mail connection to use instead of the
    configured backend's."""
    claimed = deliveries_claim(batch=batch, lease=lease, now=now)
    if not claimed:
        return 0
    # In-app inbox rows first, recorded together: they have nothing to send (so nothing can
    # go out twice), they are what makes a receipt "delivered", and one transaction for all of
    # them instead of one each keeps the worker ahead of the senders.
    inbox = [d for d in claimed if d.kind == DeliveryKind.INBOX]
    if inbox:
        inbox_mark_sent(inbox, now=now)
        # A receipt whose inbox row is recorded is delivered (by us or earlier): its e-mail and
        # webhook rows in this batch need not ask the database again when they are recorded.
        recorded = {d.receipt_id for d in inbox if d.recorded}
        for delivery in claimed:
            if delivery.receipt_id in recorded and delivery.receipt.delivered_at is None:
                delivery.receipt.delivered_at = now or timezone.now()
    own_connection = connection is None
    try:
        for delivery in claimed:
            if delivery.kind == DeliveryKind.INBOX:
                continue
            try:
                if delivery.kind == DeliveryKind.EMAIL and connection is None:
                    connection = get_connection()
                    connection.open()
                _send(delivery, connection=connection)
            except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
                log.warning("hotline delivery %s failed: %s", delivery.pk, exc)
                delivery_mark_failed(delivery, error=f"{type(exc).__name__}: {exc}", now=now)
            else:
                delivery_mark_sent(delivery, now=now)
    finally:
        if own_connection and connection is not None:
            connection.close()
    return len(claimed)


@transaction.atomic
def delivery_mark_sent(delivery: Delivery, *, now: datetime | None = None) -> bool:
    """Record a successful send, if this worker still holds the claim; the first delivery of a
    message to a state makes its receipt delivered."""
    now = now or timezone.now()
    done = Delivery.objects.filter(
        pk=delivery.pk, claim=delivery.claim, status=DeliveryStatus.SENDING
    ).update(status=DeliveryStatus.SENT, sent_at=now, lease_until=None, last_error="")
    # delivered_at is never cleared, so a receipt seen delivered needs no second look.
    known_delivered = delivery.receipt_id and delivery.receipt.delivered_at is not None
    if (
        done
        and delivery.purpose == DeliveryPurpose.MESSAGE
        and delivery.receipt_id
        and not known_delivered
    ):
        services.receipts_mark_delivered(receipt_ids=[delivery.receipt_id], now=now)
    return bool(done)


@transaction.atomic
def inbox_mark_sent(deliveries: list[Delivery], *, now: datetime | None = None) -> int:
    """Record in-app inbox deliveries as sent in one transaction, those whose claim this worker
    still holds; their receipts become delivered (once), with one DELIVERED event each appended
    per channel in one go. Sets ``recorded`` on each delivery; returns how many were recorded."""
    now = now or timezone.now()
    by_claim: dict[str, list[int]] = {}
    for delivery in deliveries:
        delivery.recorded = False
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
        return 0
    Delivery.objects.filter(pk__in=[pk for pk, _, _ in ours]).update(
        status=DeliveryStatus.SENT, sent_at=now, lease_until=None, last_error=""
    )
    services.receipts_mark_delivered(
        receipt_ids=[rid for _, purpose, rid in ours if purpose == DeliveryPurpose.MESSAGE and rid],
        now=now,
    )
    recorded = {pk for pk, _, _ in ours}
    for delivery in deliveries:
        delivery.recorded = delivery.pk in recorded
    return len(ours)


@transaction.atomic
def delivery_mark_failed(delivery: Delivery, *, error: str, now: datetime | None = None) -> None:
    """Put a failed delivery back with exponential back-off, or give up after MAX_ATTEMPTS."""
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


# --- transports -----------------------------------------------------------------------------


def _send(delivery: Delivery, *, connection) -> None:
    if delivery.kind == DeliveryKind.INBOX:
        return  # the message is in the recipient state's inbox; recording it is the delivery
    if delivery.kind == DeliveryKind.EMAIL:
        email_for(delivery, connection=connection).send(fail_silently=False)
        return
    if delivery.kind == DeliveryKind.WEBHOOK:
        webhook_post(delivery)
        return
    raise ValueError(f"unknown delivery kind {delivery.kind!r}")


def _link(name: str, *args: object) -> str:
    """The absolute address of a page (hotline/urls.py keeps the names e-mails link to)."""
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def message_id_for(delivery: Delivery) -> str:
    """A stable Message-ID: a resend of the same delivery carries the same one."""
    domain = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "cbmhub"
    return f"<hotline-delivery-{delivery.pk}@{domain}>"


def email_for(delivery: Delivery, *, connection=None) -> EmailMessage:
    """The e-mail for one delivery. The subject and body of a message travel in e-mail only when
    its TLP marking allows (CLEAR, GREEN); otherwise the e-mail gives the metadata (priority,
    kind, marking, sender state, channel, instrument, deadline) and says where to read it."""
    subject, lines = _email_text(delivery)
    return EmailMessage(
        subject=subject,
        body="\n".join(lines),
        to=[delivery.address],
        connection=connection,
        headers={"Message-ID": message_id_for(delivery), "X-CBMHub-Delivery": str(delivery.pk)},
    )


def _email_text(delivery: Delivery) -> tuple[str, list[str]]:
    if delivery.purpose == DeliveryPurpose.CHECK:
        target = delivery.check_target
        check = target.communication_check
        link = _link("hotline:check_confirm", target.token)
        return (
            _("[CBM Hub] Communication check — %(organisation)s")
            % {"organisation": check.organisation.acronym},
            [
                _("%(organisation)s is checking that its points of contact can be reached.")
                % {"organisation": check.organisation.name},
                _("Please confirm before %(deadline)s UTC:")
                % {"deadline": f"{check.deadline:%Y-%m-%d %H:%M}"},
                link,
            ],
        )
    message = delivery.message
    link = _link("hotline:message_detail", message.pk)
    # The subject is content too (it is hashed with the body): like the body, it travels in
    # plain e-mail only under TLP:CLEAR/GREEN; otherwise the number and marking stand for it.
    title = (
        message.subject
        if message.tlp in TLP_BODY_IN_EMAIL
        else f"#{message.pk} ({message.get_tlp_display()})"
    )
    head = (
        f"[CBM Hub] {message.get_priority_display().upper()} {message.get_kind_display()}: {title}"
    )
    receipt = delivery.receipt
    lines = [message.get_tlp_display(), ""]
    if delivery.purpose == DeliveryPurpose.ESCALATION:
        lines += [
            _(
                "ESCALATED: this message to %(state)s has not been acknowledged "
                "(deadline %(deadline)s UTC)."
            )
            % {"state": receipt.state, "deadline": f"{receipt.ack_due_at:%Y-%m-%d %H:%M}"},
            "",
        ]
    if delivery.purpose == DeliveryPurpose.SENDER_NOTICE:
        return _sender_notice_text(message, receipt, title, link)
    if delivery.purpose == DeliveryPurpose.UNREACHABLE:
        return _unreachable_text(message, receipt, link)
    lines += [
        _("From: %(state)s") % {"state": message.sender_state},
        _("Channel: %(channel)s") % {"channel": message.channel},
    ]
    if message.instrument:
        lines.append(_("Instrument: %(instrument)s") % {"instrument": message.instrument})
    if receipt and receipt.ack_due_at:
        lines.append(
            _("Acknowledge by: %(deadline)s UTC")
            % {"deadline": f"{receipt.ack_due_at:%Y-%m-%d %H:%M}"}
        )
    lines.append("")
    if message.tlp in TLP_BODY_IN_EMAIL:
        lines += [message.body, ""]
    lines += [_("Read, acknowledge and answer in CBM Hub:"), link]
    return head, lines


def _levels(receipt) -> str:
    return ", ".join(f"“{label}”" for label in receipt.unreachable_level_labels)


def _sender_notice_text(message, receipt, title: str, link: str) -> tuple[str, list[str]]:
    """Says plainly whom the escalation reached, and where the state has nobody."""
    names = {"number": message.pk, "state": receipt.state, "levels": _levels(receipt)}
    if receipt.escalation_reached_nobody:
        return (
            _("[CBM Hub] Not acknowledged, could not be escalated: %(title)s") % {"title": title},
            [
                _(
                    "Your message #%(number)s to %(state)s was not acknowledged in time and "
                    "could not be escalated: that state has no point of contact at %(levels)s. "
                    "Nobody else was reached, and no further escalation will be "
                    "attempted."
                )
                % names,
                link,
            ],
        )
    lines = [
        ngettext(
            "Your message #%(number)s to %(state)s was not acknowledged in time; it has been "
            "escalated to %(count)d point of contact of that state at the level “%(level)s”.",
            "Your message #%(number)s to %(state)s was not acknowledged in time; it has been "
            "escalated to %(count)d points of contact of that state at the level “%(level)s”.",
            receipt.escalation_reached or 0,
        )
        % {
            **names,
            "count": receipt.escalation_reached or 0,
            "level": receipt.get_escalation_level_display(),
        }
    ]
    if receipt.unreachable_levels:
        lines.append(
            _("%(state)s has no point of contact at %(levels)s: it could not be reached there.")
            % names
        )
    return _("[CBM Hub] Not acknowledged, escalated: %(title)s") % {"title": title}, [*lines, link]


def _unreachable_text(message, receipt, link: str) -> tuple[str, list[str]]:
    """To the secretariat: metadata only (never the subject or body of the message)."""
    names = {
        "number": message.pk,
        "state": receipt.state,
        "levels": _levels(receipt),
        "channel": message.channel,
        "level": receipt.get_escalation_level_display(),
    }
    outcome = (
        _("Nobody could be reached, and escalation has stopped.")
        if receipt.escalation_reached_nobody
        else _("It was escalated to the level “%(level)s” instead.") % names
    )
    return (
        _("[CBM Hub] %(state)s cannot be reached at %(levels)s") % names,
        [
            _(
                "Message #%(number)s on the channel “%(channel)s” was not acknowledged in time "
                "by %(state)s and had to be escalated, but %(state)s has no active point of "
                "contact at %(levels)s."
            )
            % names,
            outcome,
            _("Please ask %(state)s to designate a point of contact at %(levels)s.") % names,
            link,
        ],
    )


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of "<timestamp>." + body>``; receivers reject old timestamps."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def webhook_payload(delivery: Delivery) -> dict:
    """Metadata only: the receiver fetches the content through the API with its own token."""
    message, receipt = delivery.message, delivery.receipt
    return {
        "delivery": delivery.pk,
        "purpose": delivery.purpose,
        "message": message.pk,
        "channel": message.channel_id,
        "kind": message.kind,
        "priority": message.priority,
        "tlp": message.tlp,
        "sender_state": message.sender_state.iso3,
        "recipient_state": receipt.state.iso3 if receipt else None,
        "sent_at": message.sent_at.isoformat(),
        "ack_due": receipt.ack_due_at.isoformat() if receipt and receipt.ack_due_at else None,
        "escalation_level": receipt.escalation_level if receipt else None,
        "url": _link("hotline:message_detail", message.pk),
    }


def webhook_post(delivery: Delivery) -> None:
    body = json.dumps(webhook_payload(delivery), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        delivery.address,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "CBM-Hub-hotline/1",
            "X-CBMHub-Delivery": str(delivery.pk),
            "X-CBMHub-Timestamp": timestamp,
            "X-CBMHub-Signature": webhook_signature(delivery.webhook.secret, timestamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=settings.CBMHUB_WEBHOOK_TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered HTTP {response.status}")
