"""Transports: how one outbox row leaves the platform (e-mail, webhook), as healthchecks'
``transports.py``. Nothing here writes to the database: the services queue the rows
(services/outbox.py) and record what happened to them; the worker (worker.py,
``deliveries_process``) claims a batch, hands each row to ``send`` and records the outcome.

Each e-mail has a stable ``Message-ID`` (and each webhook an ``X-CBMHub-Delivery`` id), so
that a receiving side can drop the duplicate of a row sent again after a worker died between
sending and recording it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import TLP_BODY_IN_EMAIL, DeliveryKind, DeliveryPurpose
from .models import Delivery, Message, Receipt

_Part = TypeVar("_Part")


def send(delivery: Delivery, *, connection) -> None:
    """Hand one claimed outbox row to its transport; raises whatever the transport raises."""
    if delivery.kind == DeliveryKind.INBOX:
        return  # the message is in the recipient state's inbox; recording it is the delivery
    if delivery.kind == DeliveryKind.EMAIL:
        email_for(delivery, connection=connection).send(fail_silently=False)
        return
    if delivery.kind == DeliveryKind.WEBHOOK:
        webhook_post(delivery)
        return
    raise ValueError(f"unknown delivery kind {delivery.kind!r}")


def _part(delivery: Delivery, value: _Part | None, what: str) -> _Part:
    """A row the delivery's purpose implies (its message, receipt, check target, webhook)."""
    if value is None:
        raise ValueError(f"delivery {delivery.pk} ({delivery.purpose}) has no {what}")
    return value


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
        target = _part(delivery, delivery.check_target, "check target")
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
    message = _part(delivery, delivery.message, "message")
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
        escalated = _part(delivery, receipt, "receipt")
        lines += [
            _(
                "ESCALATED: this message to %(state)s has not been acknowledged "
                "(deadline %(deadline)s UTC)."
            )
            % {"state": escalated.state, "deadline": f"{escalated.ack_due_at:%Y-%m-%d %H:%M}"},
            "",
        ]
    if delivery.purpose == DeliveryPurpose.SENDER_NOTICE:
        return _sender_notice_text(message, _part(delivery, receipt, "receipt"), title, link)
    if delivery.purpose == DeliveryPurpose.UNREACHABLE:
        return _unreachable_text(message, _part(delivery, receipt, "receipt"), link)
    lines += [
        _("From: %(state)s") % {"state": message.sender_party},
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


def _levels(receipt: Receipt) -> str:
    return ", ".join(f"“{label}”" for label in receipt.unreachable_level_labels)


def _sender_notice_text(
    message: Message, receipt: Receipt, title: str, link: str
) -> tuple[str, list[str]]:
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


def _unreachable_text(message: Message, receipt: Receipt, link: str) -> tuple[str, list[str]]:
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


def webhook_payload(delivery: Delivery) -> dict[str, Any]:
    """Metadata only: the receiver fetches the content through the API with its own token."""
    message, receipt = _part(delivery, delivery.message, "message"), delivery.receipt
    return {
        "delivery": delivery.pk,
        "purpose": delivery.purpose,
        "message": message.pk,
        "channel": message.channel_id,
        "kind": message.kind,
        "priority": message.priority,
        "tlp": message.tlp,
        "sender_state": message.sender_state.iso3 if message.sender_state else None,
        "sender_organisation": (
            message.sender_organisation.acronym if message.sender_organisation else None
        ),
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
            "X-CBMHub-Signature": webhook_signature(
                _part(delivery, delivery.webhook, "webhook").secret, timestamp, body
            ),
        },
    )
    with urllib.request.urlopen(request, timeout=settings.CBMHUB_WEBHOOK_TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered HTTP {response.status}")
