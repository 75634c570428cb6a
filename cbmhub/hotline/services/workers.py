"""The worker's own bookkeeping: its heartbeat, so that a stopped worker shows (selectors)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from ..models import WorkerHeartbeat
from ..permissions import require_system
from .common import _now

# A row of a worker that stopped long ago says nothing any more.
HEARTBEAT_KEEP = timedelta(days=7)


@transaction.atomic
def worker_beat(
    *,
    actor: Any,
    name: str,
    started_at: datetime,
    now: datetime | None = None,
    error: str = "",
) -> WorkerHeartbeat:
    """Record that the worker `name` finished a pass (``error`` empty) or met ``error`` (the
    beat then stays where it was: the warning is about passes that worked)."""
    require_system(actor)
    now = _now(now)
    beat, created = WorkerHeartbeat.objects.get_or_create(
        name=name[:200], defaults={"started_at": started_at}
    )
    if created:
        # One process's start is the moment to forget processes that stopped long ago.
        WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_KEEP).delete()
    if beat.started_at != started_at:  # the same host:pid again, a new process
        beat.started_at, beat.beat_at = started_at, None
    if error:
        beat.last_error, beat.last_error_at = error[:2000], now
    else:
        beat.beat_at = now
    beat.full_clean()
    beat.save()
    return beat
