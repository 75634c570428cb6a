"""``cbmhub exchange pull [--once] [--sleep S]``: pull the due TAXII subscriptions, until
stopped (``scripts/start.sh`` runs it beside the hotline worker and restarts it if it exits).

The exchange sits above the hotline in the app layers, so the hotline worker cannot call it;
this is the exchange's own loop, the same shape as ``cbmhub hotline worker``. A pass stores
its progress page by page, so stopping it at any moment loses nothing.
"""

from __future__ import annotations

import logging
import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from cbmhub.exchange import client

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Exchange: pull the TAXII subscriptions that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        pull = sub.add_parser("pull", help="Pull due subscriptions, until stopped.")
        pull.add_argument("--once", action="store_true", help="One pass, then exit.")
        pull.add_argument("--sleep", type=float, default=30.0, help="Seconds between passes.")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        if not options["once"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            try:
                stored = client.pull_due()
            except DatabaseError:
                log.exception("exchange pull: database error; retrying")
                stored = 0
            if options["once"]:
                self.stdout.write(f"{stored} new objects")
                return
            if stopping:
                return
            time.sleep(max(options["sleep"], 0.1))
