"""What every hotline service shares: the error types, the send result, the event signal and
small helpers for time and input errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core.errors import DomainError

from ..models import Attachment, Message, Receipt
from ..permissions import require_state_user

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
    the message an earlier identical request had created. A new message also carries the
    receipts and attachments the send wrote (empty for a retry), so that a caller can show them
    without reading them back (the API's response)."""

    message: Message
    created: bool
    receipts: Sequence[Receipt] = ()
    attachments: Sequence[Attachment] = ()


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _require_state_user(actor: Any) -> None:
    require_state_user(actor, _("Only a point of contact of a state may do this."))


def _invalid(field: str, message: str) -> HotlineError:
    return HotlineError(message, code="invalid", details=[{"field": field, "message": message}])
