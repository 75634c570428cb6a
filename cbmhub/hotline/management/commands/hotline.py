"""``cbmhub hotline worker|verify|export|public-key``: run and check the hotline.

- ``worker [--once] [--batch N] [--sleep S] [--lease S]``: send the outbox, run escalations and
  close due checks, until SIGTERM/SIGINT (the batch in hand is finished first). Database and
  transport errors are logged and retried with back-off (worker.py); each pass that works
  writes the worker's heartbeat. ``--once``: one pass (and what is due now), exit status 1 if
  it failed.
- ``verify [--channel ID] [--head FILE ...]``: verify the record in the database (every channel
  by default), and that each signed head a party kept (an exported bundle, or its ``head`` and
  ``head_signature``) is still in it; ``verify --bundle FILE --public-key FILE``: verify an
  exported bundle offline (no database). Exit status 1 and the first broken entry named when a
  record does not verify; 2, in one line, when an input is unusable (malformed, unreadable).
- ``export --channel ID -o FILE``: write a channel's record as a JSON bundle.
- ``public-key``: print the platform's public key (PEM) to hand to the parties.
"""

from __future__ import annotations

import json
import signal
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cbmhub.hotline import chain, selectors, signing
from cbmhub.hotline.models import Channel
from cbmhub.hotline.worker import Worker

# The heartbeat must come within selectors.WORKER_STALE_AFTER (a minute) of the last one.
MAX_SLEEP = 30.0


class Command(BaseCommand):
    help = "Hotline: run the delivery worker, verify or export the tamper-evident record."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        worker = sub.add_parser("worker", help="Deliver the outbox and escalate, until stopped.")
        worker.add_argument("--once", action="store_true", help="One pass, then exit.")
        worker.add_argument("--batch", type=int, default=50, help="Rows claimed at a time.")
        worker.add_argument(
            "--sleep", type=float, default=0.25, help="Seconds to wait when there is nothing to do."
        )
        worker.add_argument(
            "--lease",
            type=float,
            default=60.0,
            help="Seconds before a claimed row of a dead worker is taken again.",
        )
        verify = sub.add_parser("verify", help="Verify the record (database or bundle).")
        verify.add_argument("--channel", type=int)
        verify.add_argument(
            "--head",
            type=Path,
            action="append",
            default=[],
            help="A signed head (or a whole bundle) a party kept: the record must still reach it.",
        )
        verify.add_argument("--bundle", type=Path)
        verify.add_argument("--public-key", type=Path)
        export = sub.add_parser("export", help="Export a channel's record as a JSON bundle.")
        export.add_argument("--channel", type=int, required=True)
        export.add_argument("-o", "--output", type=Path, required=True)
        sub.add_parser("public-key", help="Print the platform's public key (PEM).")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action.replace('-', '_')}")(**options)

    # --- worker ---------------------------------------------------------------------------

    def do_worker(self, *, once: bool, batch: int, sleep: float, lease: float, **_) -> None:

        if batch < 1 or lease <= 0 or not 0 <= sleep <= MAX_SLEEP:
            raise CommandError(
                f"--batch must be at least 1, --lease positive, --sleep between 0 and {MAX_SLEEP} "
                "(a worker idle for longer would look stopped: its heartbeat is due every minute)."
            )
        stop = {"now": False}

        def request_stop(signum, frame) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        worker = Worker(batch=batch, lease=timedelta(seconds=lease), sleep=sleep)
        # Errors inside a pass are logged and retried by the loop (worker.py); it returns only
        # when asked to stop, or after the one pass of --once.
        ok = worker.run(once=once, should_stop=lambda: stop["now"])
        totals = worker.totals
        self.stdout.write(
            f"worker stopped: {totals.deliveries} deliveries handled, "
            f"{totals.escalations} escalations, {totals.failed_passes} failed passes"
        )
        if not ok:
            raise CommandError(
                "The pass failed (nothing is lost; run it again): " + "; ".join(totals.errors)
            )

    # --- record ---------------------------------------------------------------------------

    def do_verify(
        self,
        *,
        channel: int | None,
        head: list[Path],
        bundle: Path | None,
        public_key: Path | None,
        **_,
    ) -> None:
        if bundle is not None:
            self._verify_bundle(bundle, public_key)
            return

        kept = [self._read_head(path) for path in head]
        channels = Channel.objects.order_by("id")
        if channel is not None:
            channels = channels.filter(pk=channel)
            if not channels.exists():
                raise CommandError(f"No channel with id {channel}.")
        for item in kept:
            if not channels.filter(pk=item["head"]["channel"]["id"]).exists():
                raise CommandError(
                    f"A kept head is of channel {item['head']['channel']['id']}, which is not "
                    "verified here.",
                    returncode=2,
                )
        broken = 0
        for each in channels:
            heads = [k for k in kept if k["head"]["channel"]["id"] == each.pk]
            result = selectors.record_verify(each, kept_heads=heads)
            self.stdout.write(f"channel {each.pk} ({each.name}): {result.describe()}")
            broken += not result.ok
        if broken:
            raise CommandError(f"{broken} channel record(s) failed verification.")

    def _read_head(self, path: Path) -> dict:

        try:
            document = chain.read_bundle(str(path))
            head, signature = chain.parse_head(document, str(path))
        except chain.BundleError as exc:
            raise CommandError(f"MALFORMED: {exc}", returncode=2) from None
        return {"head": head, "head_signature": signature}

    def _verify_bundle(self, bundle: Path, public_key: Path | None) -> None:

        if public_key is None:
            raise CommandError(
                "--bundle needs --public-key FILE (the platform's public key, "
                "obtained separately: the key inside the bundle is not trusted).",
                returncode=2,
            )
        try:
            data = chain.read_bundle(str(bundle))
            key = chain.read_public_key(str(public_key))
            result = chain.verify_bundle(data, key)
        except chain.BundleError as exc:
            raise CommandError(f"MALFORMED: {exc}", returncode=2) from None
        self.stdout.write(
            f"bundle {bundle} (channel {data['head']['channel']['id'] if 'head' in data else '?'}):"
            f" {result.describe()}"
        )
        if not result.ok:
            raise CommandError("The bundle failed verification.")

    def do_export(self, *, channel: int, output: Path, **_) -> None:

        item = (
            Channel.objects.select_related("organisation", "state_a", "state_b")
            .filter(pk=channel)
            .first()
        )
        if item is None:
            raise CommandError(f"No channel with id {channel}.")
        bundle = selectors.channel_record_bundle(item)
        output.write_text(json.dumps(bundle, indent=1, ensure_ascii=False), encoding="utf-8")
        count = len(bundle["entries"])
        self.stdout.write(f"wrote {count} entries of channel {channel} to {output}")

    def do_public_key(self, **_) -> None:

        self.stdout.write(signing.public_key_pem().rstrip("\n"))
