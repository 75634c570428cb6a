"""The loop of ``cbmhub hotline worker``, and how it outlives what goes wrong.

A *pass* has three steps: deliver one outbox batch (``deliveries_process``: claim and record
in services/outbox.py, send through transports.py), escalate what is due, close
the communication checks that are due. Each step runs on its own, so that an error in one is
caught, logged and does not end the process: the database locked by another writer for longer
than its busy timeout (SQLite's ``database is locked``), a dropped PostgreSQL connection, an
SMTP server or webhook that cannot be reached, or a bug met by one row. After a failed pass
the worker waits (1 s, 2 s, 4 s … at most 60 s, ``backoff_delay``) and tries again; the first
pass that works again resets the wait. Nothing is lost meanwhile: each step's writes are
transactions that either happened or did not, and rows claimed before an error are taken again
when their lease expires.

A worker that stopped anyway (killed, its host down, never started) must not go unnoticed:
after every pass that worked — at most every ``HEARTBEAT_EVERY`` — the worker writes its
heartbeat row (``WorkerHeartbeat``, services.worker_beat), and the page frame warns the
secretariat and operators when no worker has finished a pass for ``selectors.WORKER_STALE_AFTER``
(templatetags/hotline_worker.py). ``scripts/start.sh`` restarts a worker that exits.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core.mail import get_connection
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from cbmhub.core.hooks import app_hooks

from . import services, transports
from .choices import DeliveryKind
from .models import Delivery
from .permissions import SYSTEM

log = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0  # seconds after the first failed pass; doubled after each further one
BACKOFF_MAX = 60.0
HEARTBEAT_EVERY = timedelta(seconds=10)
# Errors expected from a database or a transport that is briefly unavailable: logged as a
# warning. Anything else is logged with its traceback (a bug), and survived all the same.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (DatabaseError, OSError, smtplib.SMTPException)


def deliveries_process(
    *,
    batch: int = 50,
    lease: timedelta = services.DEFAULT_LEASE,
    now: datetime | None = None,
    connection: Any = None,
) -> int:
    """Claim one outbox batch, send it and record each outcome (services/outbox.py describes
    the three steps); returns how many rows were claimed (0: the queue is empty). `now` is for
    tests and the demo; `connection` an e-mail connection to use instead of the configured
    backend's."""
    claimed = services.deliveries_claim(actor=SYSTEM, batch=batch, lease=lease, now=now)
    if not claimed:
        return 0
    _record_inbox(claimed, now=now)
    own_connection = connection is None
    try:
        for delivery in claimed:
            if delivery.kind != DeliveryKind.INBOX:
                connection = _send_one(delivery, connection=connection, now=now)
    finally:
        if own_connection and connection is not None:
            connection.close()
    return len(claimed)


def _record_inbox(claimed: list[Delivery], *, now: datetime | None) -> None:
    """In-app inbox rows first, recorded together: they have nothing to send (so nothing can go
    out twice), they are what makes a receipt "delivered", and one transaction for all of them
    instead of one each keeps the worker ahead of the senders."""
    inbox = [d for d in claimed if d.kind == DeliveryKind.INBOX]
    if not inbox:
        return
    recorded_ids = services.inbox_mark_sent(inbox, actor=SYSTEM, now=now)
    # A receipt whose inbox row is recorded is delivered (by us or earlier): its e-mail and
    # webhook rows in this batch need not ask the database again when they are recorded.
    recorded = {d.receipt_id for d in inbox if d.pk in recorded_ids and d.receipt_id is not None}
    for delivery in claimed:
        if delivery.receipt_id not in recorded:
            continue
        receipt = delivery.receipt
        if receipt is not None and receipt.delivered_at is None:
            receipt.delivered_at = now or timezone.now()


def _send_one(delivery: Delivery, *, connection: Any, now: datetime | None) -> Any:
    """Send one e-mail or webhook row outside any transaction and record the outcome; returns
    the e-mail connection (opened on the first e-mail when the caller gave none)."""
    try:
        if delivery.kind == DeliveryKind.EMAIL and connection is None:
            connection = get_connection()
            connection.open()
        transports.send(delivery, connection=connection)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        log.warning("hotline delivery %s failed: %s", delivery.pk, exc)
        services.delivery_mark_failed(
            delivery, actor=SYSTEM, error=f"{type(exc).__name__}: {exc}", now=now
        )
    else:
        services.delivery_mark_sent(delivery, actor=SYSTEM, now=now)
    return connection


def backoff_delay(failures: int) -> float:
    """Seconds to wait after `failures` failed passes in a row (1, 2, 4 … capped at 60)."""
    return min(BACKOFF_FIRST * 2 ** max(failures - 1, 0), BACKOFF_MAX)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def pause(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Sleep `seconds`, waking every quarter second to honour a stop request."""
    end = time.monotonic() + seconds
    while not should_stop():
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.25))


@dataclass
class WorkerTotals:
    deliveries: int = 0
    escalations: int = 0
    failed_passes: int = 0
    errors: list[str] = field(default_factory=list)  # of the last pass


class Worker:
    """One worker process's loop. ``pause(seconds, should_stop)`` and ``clock()`` are there for
    the tests; the command uses the real ones."""

    def __init__(
        self,
        *,
        batch: int = 50,
        lease: timedelta = services.DEFAULT_LEASE,
        sleep: float = 0.25,
        name: str | None = None,
        pause: Callable[[float, Callable[[], bool]], None] = pause,
        clock: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.batch, self.lease, self.sleep = batch, lease, sleep
        self.name = name or worker_name()
        self.pause, self.clock = pause, clock
        self.started_at = clock()
        self.failures = 0  # failed passes in a row
        self.last_beat: datetime | None = None
        self.totals = WorkerTotals()

    def run(self, *, once: bool = False, should_stop: Callable[[], bool] = lambda: False) -> bool:
        """Loop until `should_stop()` (after the pass in hand), or one pass and a drain of the
        outbox with `once`. Returns False when the last pass failed (only `once` can end so)."""
        while not should_stop():
            claimed = self.run_pass()
            if self.totals.errors:
                if once:
                    return False
                self.pause(backoff_delay(self.failures), should_stop)
                continue
            if once:
                # --once drains what is due now, then stops.
                while claimed and not should_stop() and not self.totals.errors:
                    claimed = self._deliver()
                return not self.totals.errors
            if not claimed:
                self.pause(self.sleep, should_stop)
        return True

    def run_pass(self) -> int:
        """One pass; returns how many outbox rows it claimed. Errors are in totals.errors."""
        if not connection.in_atomic_block:  # (under a test's transaction: keep it)
            # Drops a connection that failed or outlived CONN_MAX_AGE; the next query reconnects.
            close_old_connections()
        self.totals.errors = []
        claimed = self._deliver()
        self.totals.escalations += (
            self._step("escalate", lambda: services.escalations_run(actor=SYSTEM)) or 0
        )
        self._step("close checks", lambda: services.checks_close_due(actor=SYSTEM))
        # Apps above the hotline (exchange pulls, exercise injects) get their work done by this
        # one worker through the `worker_step(now)` hook (core/hooks.py), without the hotline
        # importing them. A step is short, idempotent and safe in several workers at once.
        for step in app_hooks("worker_step"):
            self._step(step.label, partial(step.call, self.clock()))
        if self.totals.errors:
            self._failed()
        else:
            self._worked()
        return claimed

    def _deliver(self) -> int:
        claimed = self._step(
            "deliver", lambda: deliveries_process(batch=self.batch, lease=self.lease)
        )
        self.totals.deliveries += claimed or 0
        return claimed or 0

    def _step(self, name: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the worker outlives any error; it is logged
            text = f"{name}: {type(exc).__name__}: {exc}"
            if isinstance(exc, TRANSIENT_ERRORS):
                log.warning("hotline worker %s: %s", self.name, text)
            else:
                log.exception("hotline worker %s: %s", self.name, text)
            self.totals.errors.append(text)
            return None

    def _failed(self) -> None:
        self.failures += 1
        self.totals.failed_passes += 1
        delay = backoff_delay(self.failures)
        log.warning(
            "hotline worker %s: pass failed (%d in a row); retrying in %.0f s",
            self.name,
            self.failures,
            delay,
        )
        # Best effort: the database may be what fails.
        self._beat(error="; ".join(self.totals.errors))

    def _worked(self) -> None:
        if self.failures:
            log.warning(
                "hotline worker %s: working again after %d failed passes", self.name, self.failures
            )
        now = self.clock()
        due = self.last_beat is None or now - self.last_beat >= HEARTBEAT_EVERY
        if due or self.failures:
            self._beat(now=now)
        self.failures = 0

    def _beat(self, *, now: datetime | None = None, error: str = "") -> None:
        now = now or self.clock()
        try:
            services.worker_beat(
                actor=SYSTEM, name=self.name, started_at=self.started_at, now=now, error=error
            )
        except DatabaseError as exc:
            log.warning("hotline worker %s: heartbeat not recorded: %s", self.name, exc)
            return
        if not error:
            self.last_beat = now
