"""Benchmark: how many hotline messages per second live through send → delivered →
acknowledged on PostgreSQL, against the database's own single-row commit rate.

    .venv/bin/python bench/hotline.py [--seconds 12] [--steady-seconds 20]

Phases (8 concurrent senders throughout; everything on loopback, about two minutes in all).
What runs where: this script's process only sets up, starts the others and reads the results
from the database; every client is its own OS process (forked), so no two share a GIL:

0. baseline: 8 processes, each one raw psycopg connection doing single-row INSERT + COMMIT
   into a scratch table → rows/s. A message's life needs at least three commits (send,
   deliver, acknowledge), so a third of this is the ceiling for messages/s.
0b. floor: the same 8 processes live messages through hand-written SQL on scratch tables of
   the message's shape, with no Django: per message one transaction each for send (message,
   receipt, two outbox rows, SENT entry), delivery (outbox rows done, receipt delivered,
   DELIVERED entry) and acknowledgement (receipt, ACKNOWLEDGED entry); each entry appended
   to its channel's chain and signed with the production code (``hotline/chain.py``). Each
   client has its own channel and delivers and acknowledges its own messages: no permission
   checks, no worker, no lock waits. What no implementation of this design in Python can
   beat on this machine, so the ceiling that phase 1 is measured against in practice.
1. service layer: 8 sender processes call ``services.message_send``; ``WORKERS`` separate
   ``cbmhub hotline worker`` processes (the production command, default settings) deliver;
   2 acknowledger processes call ``services.message_acknowledge`` for every delivered receipt
   → messages/s end to end and p50/p99 send→delivered latency (``Receipt.delivered_at -
   Message.sent_at``, from the database).
2. the same through the HTTP API served as in production: ``scripts/serve.sh`` (gunicorn,
   its default worker count, 2 × CPUs + 1 sync workers) and 8 client processes using urllib
   with token authentication (POST messages, POST acknowledge): 8 sender/recipient pairs, as
   Synapse's — each sender on its own A–B channel (as each Synapse sender has its own room)
   and one acknowledger process per channel (as each room has its own reader); the same
   workers deliver → also p50/p99 send→acknowledged. Run in rounds alternating with phase 5's.
3. steady load: 50 messages/s (an open-loop schedule shared by the 8 sender processes) for
   ``--steady-seconds`` through the service layer → p99 send→delivered.
4. fan-out (bench/hotline_fanout.py): a flash message on a multilateral channel to 50, 200
   and 1,000 points of contact (5 per state), and a communication check of 1,000, each
   ``--fanout-repeats`` times, the same workers delivering → per recipient p50/p99 of the
   time until it has the message, the time until all have it, the ratio 1,000 / 50.
5. the peer (bench/synapse_peer.py): Matrix Synapse (pinned, installed by the bench into
   ``.bench-venv/synapse``, its own database on the same PostgreSQL, loopback only, started
   and stopped here; ``--rounds`` rounds alternating with phase 2's, both servers up, so that
   the shared machine's load falls on both alike), 8 sender processes each
   sending into its own room shared with its own recipient; 8 recipient processes, one per
   room (like phase 2's 8 acknowledgers), post a read receipt for each message → receipts/s
   and p50/p99 send→receipt, against phase 2 (send → delivered → acknowledged, HTTP API).

Targets: issue 3: phase 1 at least 10% of the baseline rate (retired by issue 17: the floor
showed it measures the machine); phase 3 p99 under 1 s. Issue 17: phase 2's rate at least
Synapse's; fan-out to 1,000 delivered within 12× the time of 50; p99 under 1 s for 200.
Each recipient has the in-app inbox and one e-mail address, so each message makes two outbox
rows; e-mail goes to Django's dummy backend (the SMTP transport is not what is measured).

DATABASE_URL must name PostgreSQL; default ``postgres://postgres@127.0.0.1:5432/cbm_bench``,
created if missing. Data from earlier runs stays (each run uses fresh channels).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cbm_bench"
SENDERS = 8
ACKERS = 2
WORKERS = 2
STEADY_RATE = 50
TARGET_RATIO = 0.10
TARGET_P99 = 1.0
TARGET_FANOUT_RATIO = 12.0  # time to 1,000 recipients / time to 50
TARGET_FANOUT_P99 = 1.0  # seconds, 200 recipients
SEND_PATH = "/api/v1/hotline/messages/"
ACK_PATH = "/api/v1/hotline/messages/{id}/acknowledge/"


# --- setup ------------------------------------------------------------------------------------


def configure() -> str:
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/hotline.py measures PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(url)
    data = tempfile.mkdtemp(prefix="cbmhub-hotline-bench-")
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    # Production-like settings (persistent connections, DEBUG off), a throw-away signing key,
    # the dummy e-mail backend, plain HTTP on loopback.
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cbmhub.settings",
            "SECRET_KEY": "bench-only-" + "x" * 40,
            "CBMHUB_DATA_DIR": data,
            "CBMHUB_HTTPS": "0",
            "CBMHUB_REQUIRE_2FA": "0",
            "CBMHUB_LOG_LEVEL": "WARNING",
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
    )
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    return url


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def bench_api_key(user) -> str:
    """A fresh API token of ``user`` (the previous run's is revoked): keys are shown once."""
    from cbmhub.accounts import services
    from cbmhub.accounts.choices import TokenRevocation

    services.api_tokens_revoke_all(user=user, actor=None, reason=TokenRevocation.BY_OPERATOR)
    return services.api_token_issue(user=user, name="bench")[1]


def world():
    """Two states, a bilateral technical channel per phase, 8 sending users of A, one
    acknowledging user of B, and B's technical point of contact with an e-mail address."""
    from cbmhub.accounts.models import User
    from cbmhub.directory.models import (
        ContactChannel,
        Membership,
        Organisation,
        PointOfContact,
        State,
    )

    org, _ = Organisation.objects.get_or_create(
        acronym="HLBENCH", defaults={"name": "Hotline benchmark forum", "kind": "regional"}
    )
    # User-assigned ISO codes (XA, XB): never a real state's.
    a, _ = State.objects.get_or_create(iso3="XXA", defaults={"name": "Bench A", "iso2": "XA"})
    b, _ = State.objects.get_or_create(iso3="XXB", defaults={"name": "Bench B", "iso2": "XB"})
    for state in (a, b):
        Membership.objects.get_or_create(state=state, organisation=org, status="member")
    poc, created = PointOfContact.objects.get_or_create(
        state=b, level="technical", office="Bench B CERT", defaults={"time_zone": "UTC"}
    )
    if created:
        ContactChannel.objects.create(
            point_of_contact=poc, kind="email", is_primary=True, value="cert@b.bench.invalid"
        )
    senders = [
        User.objects.get_or_create(
            username=f"bench-sender-{n}", defaults={"role": "poc", "state": a}
        )[0]
        for n in range(SENDERS)
    ]
    acker = User.objects.get_or_create(username="bench-ack", defaults={"role": "poc", "state": b})[
        0
    ]
    tokens = {u.pk: bench_api_key(u) for u in [*senders, acker]}
    return org, a, b, senders, acker, tokens


def new_channel(org, a, b, label: str):
    from cbmhub.hotline.models import Channel

    # No escalation: an unacknowledged leftover of an earlier run must not add work here.
    return Channel.objects.create(
        name=f"bench {label} {time.strftime('%H:%M:%S')}",
        scope="bilateral",
        level="technical",
        organisation=org,
        state_a=a,
        state_b=b,
        escalation_max_count=0,
    )


def warm_up(org, a, b, user) -> None:
    """Wait until the workers deliver: their start-up (imports, first connection) must not be
    counted as send→delivered latency of phase 1."""
    from cbmhub.hotline.models import Receipt

    channel = new_channel(org, a, b, "warm-up")
    for n in range(WORKERS * 2):
        send_via_services(user, channel, n)
    limit = time.monotonic() + 60
    while Receipt.objects.filter(message__channel=channel, delivered_at__isnull=True).exists():
        if time.monotonic() > limit:
            sys.exit("the hotline workers did not deliver within 60 s")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(*args: str, log: Path | None = None, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cbmhub.cli", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log.open("w") if log else subprocess.DEVNULL,
    )


def serve(port: int, log: Path) -> subprocess.Popen:
    """The production app server, ``scripts/serve.sh`` (gunicorn, its default worker count),
    without its own hotline workers (the bench runs them), its setup steps or an access log; its own
    process group, so that stopping it stops every gunicorn worker."""
    data = Path(os.environ["CBMHUB_DATA_DIR"])
    return subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve.sh"), f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={
            **os.environ,
            "CBMHUB_VENV": str(Path(sys.executable).parent.parent),
            "CBMHUB_HOTLINE_WORKERS": "0",
            # The bench migrated already; the API needs no collected static files (and
            # collectstatic compresses every file: a minute and more on a small machine).
            "CBMHUB_SKIP_SETUP": "1",
            "CBMHUB_ACCESS_LOG": "",
            "STATIC_ROOT": str(data / "static"),
        },
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )


def stop_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def web_workers() -> int:
    """What scripts/serve.sh starts (CBMHUB_WEB_WORKERS, by default 2 × CPUs + 1)."""
    return int(os.environ.get("CBMHUB_WEB_WORKERS") or 2 * (os.cpu_count() or 1) + 1)


def last_traceback(log: Path) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    start = text.rfind("Traceback (most recent call last)")
    return text[start:][-1500:] if start >= 0 else ""


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


# --- phase 0: the database's own commit rate --------------------------------------------------


def _insert_rows(url: str, n: int, start_at: float, end_at: float, counts) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        time.sleep(max(0.0, start_at - time.monotonic()))
        done = 0
        while time.monotonic() < end_at:
            conn.execute("INSERT INTO bench_scratch (v) VALUES (%s)", [f"row {n}"])
            conn.commit()
            done += 1
        counts[n] = done


def baseline(url: str, seconds: float) -> float:
    """8 client processes (like the senders), each one psycopg connection doing single-row
    INSERT + COMMIT as fast as it can."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_scratch (id bigserial PRIMARY KEY, v text)")
        conn.execute("TRUNCATE bench_scratch")
    return _run_clients(_insert_rows, url, seconds)


def _run_clients(target, url: str, seconds: float) -> float:
    """SENDERS forked processes run ``target(url, n, start_at, end_at, counts)`` for
    ``seconds``; the sum of their counts per second."""
    import multiprocessing

    mp = multiprocessing.get_context("fork")
    counts = mp.Array("q", SENDERS)
    start_at = time.monotonic() + 1.0  # every client connected before the clock starts
    clients = [
        mp.Process(target=target, args=(url, n, start_at, start_at + seconds, counts))
        for n in range(SENDERS)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    if any(client.exitcode for client in clients):
        raise SystemExit(f"a client of {target.__name__} failed (see its traceback above)")
    return sum(counts) / seconds


# --- phase 0b: the floor: the same message life in hand-written SQL ---------------------------

FLOOR_SCHEMA = """
DROP TABLE IF EXISTS bench_floor_event, bench_floor_delivery, bench_floor_receipt,
    bench_floor_message, bench_floor_channel;
CREATE TABLE bench_floor_channel (id int PRIMARY KEY, last_seq int NOT NULL,
    last_hash text NOT NULL);
CREATE TABLE bench_floor_message (id bigserial PRIMARY KEY,
    channel_id int NOT NULL REFERENCES bench_floor_channel, kind text NOT NULL,
    priority text NOT NULL, subject text NOT NULL, body text NOT NULL, tlp text NOT NULL,
    sent_at timestamptz NOT NULL);
CREATE TABLE bench_floor_receipt (id bigserial PRIMARY KEY,
    message_id bigint NOT NULL REFERENCES bench_floor_message, state text NOT NULL,
    ack_due_at timestamptz NOT NULL, delivered_at timestamptz, acknowledged_at timestamptz);
CREATE INDEX ON bench_floor_receipt (message_id);
CREATE TABLE bench_floor_delivery (id bigserial PRIMARY KEY,
    receipt_id bigint NOT NULL REFERENCES bench_floor_receipt, kind text NOT NULL,
    address text NOT NULL, sent_at timestamptz);
CREATE INDEX ON bench_floor_delivery (receipt_id);
CREATE TABLE bench_floor_event (id bigserial PRIMARY KEY, channel_id int NOT NULL,
    seq int NOT NULL, kind text NOT NULL, payload text NOT NULL, prev_hash text NOT NULL,
    hash text NOT NULL UNIQUE, signature text NOT NULL, UNIQUE (channel_id, seq));
"""


def _floor_life(url: str, n: int, start_at: float, end_at: float, counts) -> None:
    """One client of phase 0b: send, deliver and acknowledge its own messages, one transaction
    per step, on its own channel ``n``."""
    from datetime import UTC, datetime, timedelta

    import psycopg
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from cbmhub.hotline import chain

    key = Ed25519PrivateKey.generate()

    def append(cur, kind: str, at: datetime, data: dict) -> None:
        seq, prev_hash = cur.execute(
            "SELECT last_seq, last_hash FROM bench_floor_channel WHERE id = %s FOR UPDATE", [n]
        ).fetchone()
        seq += 1
        payload = chain.make_entry(
            channel=n, seq=seq, kind=kind, at=at.isoformat(), prev_hash=prev_hash, data=data
        )
        digest = chain.entry_hash(payload)
        cur.execute(
            "INSERT INTO bench_floor_event (channel_id, seq, kind, payload, prev_hash, hash,"
            " signature) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [n, seq, kind, payload, prev_hash, digest, chain.sign_hash(key, digest)],
        )
        cur.execute(
            "UPDATE bench_floor_channel SET last_seq = %s, last_hash = %s WHERE id = %s",
            [seq, digest, n],
        )

    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO bench_floor_channel VALUES (%s, 0, %s)", [n, chain.GENESIS])
        conn.commit()
        time.sleep(max(0.0, start_at - time.monotonic()))
        done = 0
        while time.monotonic() < end_at:
            now = datetime.now(UTC)
            with conn.transaction():
                cur = conn.cursor()
                (message,) = cur.execute(
                    "INSERT INTO bench_floor_message (channel_id, kind, priority, subject, body,"
                    " tlp, sent_at) VALUES (%s, 'incident_notification', 'urgent', %s, %s,"
                    " 'AMBER', %s) RETURNING id",
                    [n, f"Bench incident {done}", "Indicators and timeline.", now],
                ).fetchone()
                (receipt,) = cur.execute(
                    "INSERT INTO bench_floor_receipt (message_id, state, ack_due_at)"
                    " VALUES (%s, 'MNG', %s) RETURNING id",
                    [message, now + timedelta(minutes=30)],
                ).fetchone()
                cur.execute(
                    "INSERT INTO bench_floor_delivery (receipt_id, kind, address) VALUES"
                    " (%s, 'inbox', ''), (%s, 'email', 'poc@example.org')",
                    [receipt, receipt],
                )
                append(cur, "sent", now, {"message": message, "to": ["MNG"]})
            with conn.transaction():
                cur = conn.cursor()
                now = datetime.now(UTC)
                cur.execute(
                    "UPDATE bench_floor_delivery SET sent_at = %s WHERE receipt_id = %s",
                    [now, receipt],
                )
                cur.execute(
                    "UPDATE bench_floor_receipt SET delivered_at = %s WHERE id = %s",
                    [now, receipt],
                )
                append(cur, "delivered", now, {"message": message, "state": "MNG"})
            with conn.transaction():
                cur = conn.cursor()
                now = datetime.now(UTC)
                cur.execute(
                    "UPDATE bench_floor_receipt SET acknowledged_at = %s WHERE id = %s",
                    [now, receipt],
                )
                append(cur, "acknowledged", now, {"message": message, "state": "MNG"})
            done += 1
        counts[n] = done


def floor(url: str, seconds: float) -> float:
    """Phase 0b: messages/s through the message life in hand-written SQL (see the module
    docstring)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(FLOOR_SCHEMA)
    return _run_clients(_floor_life, url, seconds)


# --- phases 1-3: the message life -------------------------------------------------------------


def send_via_services(user, channel, n: int) -> None:
    from cbmhub.hotline import services

    services.message_send(
        actor=user,
        channel=channel,
        kind="incident_notification",
        priority="urgent",
        subject=f"Bench incident {n}",
        body="Indicators and timeline of a benchmark incident.",
        tlp="AMBER",
    )


def ack_via_services(acker, message_id: int) -> None:
    from cbmhub.hotline import services
    from cbmhub.hotline.models import Message

    services.message_acknowledge(actor=acker, message=Message.objects.get(pk=message_id))


class Api:
    """The hotline API over HTTP (urllib, token authentication)."""

    def __init__(self, base: str, tokens: dict[int, str]):
        self.base, self.tokens = base, tokens

    def post(self, user, path: str, payload: dict) -> dict:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={
                "Authorization": f"Token {self.tokens[user.pk]}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"{}")

    def send(self, user, channel, n: int) -> None:
        self.post(
            user,
            SEND_PATH,
            {
                "channel": channel.pk,
                "kind": "incident_notification",
                "priority": "urgent",
                "subject": f"Bench incident {n}",
                "body": "Indicators and timeline of a benchmark incident.",
                "tlp": "AMBER",
            },
        )

    def ack(self, acker, message_id: int) -> None:
        self.post(acker, ACK_PATH.format(id=message_id), {})


def _sender(index: int, user, channel, send, started: float, seconds: float, rate, stop, errors):
    """One sending process: as fast as it can, or on its share of an open-loop schedule."""
    from django.db import connection

    try:
        n = 0
        while not stop.is_set():
            if rate:  # open loop: each sender keeps its own schedule
                due = started + (n * SENDERS + index) / rate
                if due > started + seconds:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
            send(user, channel, n)
            n += 1
    except Exception as exc:  # noqa: BLE001 - reported, the phase goes on
        errors.put(f"sender {index}: {type(exc).__name__}: {exc}")
    finally:
        connection.close()


def _acknowledger(
    index: int, share: int, idle: float, acker, channels, ack, senders_done, deadline, errors
) -> None:
    """One acknowledging process: acknowledges every delivered receipt of its share — the
    messages whose id is ``index`` modulo ``share`` (``share`` 1: all of `channels`); polls
    every `idle` seconds when it finds none."""
    from django.db import connection

    from cbmhub.hotline.models import Receipt

    try:
        while True:
            pending = [
                pk
                for pk in Receipt.objects.filter(
                    message__channel__in=channels,
                    delivered_at__isnull=False,
                    acknowledged_at__isnull=True,
                ).values_list("message_id", flat=True)[:200]
                if pk % share == index
            ]
            for pk in pending:
                ack(acker, pk)
            if not pending:
                if (
                    senders_done.is_set()
                    and not Receipt.objects.filter(
                        message__channel__in=channels, acknowledged_at__isnull=True
                    ).exists()
                ):
                    return
                time.sleep(idle)
            if time.monotonic() > deadline.value:
                return
    except Exception as exc:  # noqa: BLE001
        errors.put(f"acknowledger {index}: {type(exc).__name__}: {exc}")
    finally:
        connection.close()


def run_life(
    *,
    channel,
    senders,
    acker,
    send,
    ack,
    seconds: float,
    rate: float | None,
    channels=None,
    pairs: bool = False,
) -> dict:
    """Sender processes for `seconds` (as fast as they can, or `rate` messages/s in all),
    acknowledger processes until every sent message is acknowledged (or 30 s after the senders
    stop). Processes, not threads: 8 threads in one interpreter would share one GIL, while the
    baseline's 8 connections are 8 independent clients. With `channels`, sender i sends on
    ``channels[i % len(channels)]`` (its own chain head, as each Synapse sender has its own
    room); else all on `channel`. `pairs` (phase 2, Synapse's shape): one acknowledger per
    channel, acknowledging that channel's messages only, as each Synapse room has its own
    reader; else ``ACKERS`` acknowledgers share every channel's messages."""
    import multiprocessing

    from django.db import connections

    channels = channels or [channel]

    from cbmhub.hotline.models import Message, Receipt

    # Forked children must not share the parent's database socket: each opens its own.
    connections.close_all()
    mp = multiprocessing.get_context("fork")
    stop, senders_done = mp.Event(), mp.Event()
    errors = mp.Queue()
    started = time.monotonic()
    deadline = mp.Value("d", started + seconds + 60)
    sending = [
        mp.Process(
            target=_sender,
            args=(i, u, channels[i % len(channels)], send, started, seconds, rate, stop, errors),
        )
        for i, u in enumerate(senders)
    ]
    if pairs:
        shares = [(0, 1, [c]) for c in channels]
    else:
        shares = [(i, ACKERS, channels) for i in range(ACKERS)]
    # The same total polling of the receipts table however many acknowledgers: 2 polling every
    # 20 ms when idle, or 8 every 80 ms (idle polls are CPU the senders do not get).
    idle = 0.02 * len(shares) / ACKERS
    acking = [
        mp.Process(
            target=_acknowledger,
            args=(i, share, idle, acker, mine, ack, senders_done, deadline, errors),
        )
        for i, share, mine in shares
    ]
    for process in sending + acking:
        process.start()
    time.sleep(max(0.0, started + seconds - time.monotonic()))
    stop.set()
    for process in sending:
        process.join()
    senders_done.set()
    deadline.value = time.monotonic() + 30
    for process in acking:
        process.join()
    found: list[str] = []
    while not errors.empty():
        found.append(errors.get())

    rows = list(
        Receipt.objects.filter(message__channel__in=channels).values_list(
            "message__sent_at", "delivered_at", "acknowledged_at"
        )
    )
    messages = Message.objects.filter(channel__in=channels).count()
    done = [r for r in rows if r[2] is not None]
    latencies = sorted((d - s).total_seconds() for s, d, _ in rows if d is not None)
    to_ack = sorted((k - s).total_seconds() for s, _, k in rows if k is not None)
    span = (max(r[2] for r in done) - min(r[0] for r in rows)).total_seconds() if done else 0
    return {
        "sent": messages,
        "acknowledged": len(done),
        "rate": len(done) / span if span else 0.0,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "undelivered": len(rows) - len(latencies),
        "ack_p50": percentile(to_ack, 50),
        "ack_p99": percentile(to_ack, 99),
        "to_ack": to_ack,
        "span": span,
        "errors": found,
    }


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def report(name: str, result: dict, base: float | None = None) -> None:
    line = (
        f"{name}: {result['sent']} sent, {result['acknowledged']} acknowledged, "
        f"{result['rate']:.1f} msgs/s end to end; send→delivered p50 {result['p50'] * 1000:.0f} ms"
        f", p99 {result['p99'] * 1000:.0f} ms"
    )
    if base:
        line += f"; {result['rate'] / base:.1%} of baseline"
    print(line)
    if result["undelivered"]:
        print(f"  {result['undelivered']} receipt(s) not delivered by the end")
    for error in result["errors"][:5]:
        print(f"  error: {error}")


def start_server(org, a, b, senders, tokens):
    """scripts/serve.sh on a free port, answering a first send; (process, Api, log) or None
    with the reason printed."""
    port = free_port()
    server_log = Path(os.environ["CBMHUB_DATA_DIR"]) / "server.log"
    server = serve(port, server_log)
    api = Api(f"http://127.0.0.1:{port}", tokens)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{SEND_PATH}", timeout=2):
                break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            time.sleep(0.1)
    try:
        api.send(senders[0], new_channel(org, a, b, "api probe"), -1)
    except (urllib.error.HTTPError, OSError) as exc:
        detail = exc.read()[:200] if isinstance(exc, urllib.error.HTTPError) else exc
        print(f"phase 2 HTTP API: SKIPPED — POST {SEND_PATH} failed: {detail!r}")
        print(last_traceback(server_log) or server_log.read_text()[-1500:])
        stop_group(server)
        return None
    return server, api, server_log


def api_round(org, a, b, senders, acker, api, seconds: float) -> dict:
    """Synapse's job: 8 sender/recipient pairs. Each sender on its own channel to B (its own
    chain head, as each Synapse sender has its own room), one acknowledger of B per channel
    (as each room has its own reader posting a read receipt per message)."""
    return run_life(
        channel=None,
        channels=[new_channel(org, a, b, f"api {n}") for n in range(len(senders))],
        senders=senders,
        acker=acker,
        send=api.send,
        ack=api.ack,
        seconds=seconds,
        rate=None,
        pairs=True,
    )


def start_peer(url: str):
    """Synapse started with its rooms (bench/synapse_peer.py), or None with the reason."""
    import synapse_peer

    directory = Path(os.environ["CBMHUB_DATA_DIR"]) / "synapse"
    directory.mkdir(exist_ok=True)
    try:
        return synapse_peer.Peer.start(url, directory, free_port(), SENDERS, SENDERS)
    except (synapse_peer.Unavailable, OSError) as exc:
        print(f"phase 5 Synapse {synapse_peer.SYNAPSE_VERSION}: NOT MEASURED — {exc}")
        return None


def pooled(rounds: list[dict]) -> dict:
    """Rounds added up: acknowledged / the sum of their spans, latencies pooled."""
    latencies = sorted(x for r in rounds for x in r["latencies"])
    span = sum(r["span"] for r in rounds)
    return {
        "sent": sum(r["sent"] for r in rounds),
        "acknowledged": sum(r["acknowledged"] for r in rounds),
        "rate": sum(r["acknowledged"] for r in rounds) / span if span else 0.0,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
    }


def paired_phase(org, a, b, senders, acker, tokens, url: str, args, phases) -> tuple:
    """Phases 2 and 5 in alternating rounds (CBM Hub's HTTP API, then Synapse, ``--rounds``
    times), both servers up throughout, so that a change in the machine's load (it is shared)
    falls on both alike. Returns (api, peer) pooled results, None where not run."""
    started = start_server(org, a, b, senders, tokens)
    if started is None:
        return None, None
    server, api, server_log = started
    peer = start_peer(url) if "5" in phases else None
    ours: list[dict] = []
    theirs: list[dict] = []
    try:
        for _ in range(args.rounds):
            result = api_round(org, a, b, senders, acker, api, args.seconds)
            result["latencies"] = result["to_ack"]
            ours.append(result)
            for error in result["errors"][:3]:
                print(f"  HTTP API error: {error}\n{last_traceback(server_log)}")
            if peer is not None:
                theirs.append(peer.round(args.seconds))
    finally:
        stop_group(server)
        if peer is not None:
            peer.stop()
    return _paired_report(ours, theirs, peer)


def _paired_report(ours: list[dict], theirs: list[dict], peer) -> tuple:
    api_result = pooled(ours)
    api_result["delivered_p99"] = max(r["p99"] for r in ours)
    print(
        f"phase 2 HTTP API (scripts/serve.sh: gunicorn, {web_workers()} workers), "
        f"{len(ours)} rounds: {api_result['sent']} sent, {api_result['acknowledged']} acknowledged,"
        f" {api_result['rate']:.1f} msgs/s end to end; send→acknowledged "
        f"p50 {api_result['p50'] * 1000:.0f} ms, p99 {api_result['p99'] * 1000:.0f} ms"
    )
    if peer is None:
        return api_result, None
    peer_result = pooled(theirs)
    print(
        f"phase 5 Synapse (started in {peer.startup:.0f} s), {len(theirs)} rounds alternating "
        f"with phase 2's: {peer_result['sent']} sent, {peer_result['acknowledged']} read receipts,"
        f" {peer_result['rate']:.1f} msgs/s end to end; send→receipt "
        f"p50 {peer_result['p50'] * 1000:.0f} ms, p99 {peer_result['p99'] * 1000:.0f} ms"
    )
    return api_result, peer_result


def fanout_phase(a, sender, repeats: int) -> dict:
    """Phase 4 (bench/hotline_fanout.py)."""
    import hotline_fanout

    results = hotline_fanout.run(a, sender, repeats, percentile)
    for label, r in results.items():
        print(
            f"phase 4 {label} points of contact: every one has it after {r['all'] * 1000:.0f} ms"
            f" (median of {repeats}); per recipient p50 {r['p50'] * 1000:.0f} ms, "
            f"p99 {r['p99'] * 1000:.0f} ms"
        )
    return results


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def conclude(base, least, service, api_result, steady, fanout, peer) -> None:
    if service and base:
        ratio = service["rate"] / base
        print(
            f"service layer / baseline: {ratio:.1%} (issue 3's target ≥ {TARGET_RATIO:.0%}, "
            f"retired; ceiling ~33%) — {verdict(ratio >= TARGET_RATIO)}"
        )
        print(f"service layer / floor (hand-written SQL): {service['rate'] / least:.1%}")
    if api_result and base:
        print(f"HTTP API / baseline: {api_result['rate'] / base:.1%}")
    if steady:
        ok = steady["p99"] < TARGET_P99 and not steady["undelivered"]
        print(
            f"steady {STEADY_RATE} msgs/s p99 send→delivered: {steady['p99'] * 1000:.0f} ms "
            f"(target < {TARGET_P99 * 1000:.0f} ms) — {verdict(ok)}"
        )
    if fanout:
        small, mid, large = (fanout[f"flash message to {n}"] for n in (50, 200, 1000))
        ratio = large["all"] / small["all"]
        print(
            f"fan-out 1,000 / 50: {ratio:.1f}× the time for 20× the recipients "
            f"(target ≤ {TARGET_FANOUT_RATIO:.0f}×) — {verdict(ratio <= TARGET_FANOUT_RATIO)}"
        )
        print(
            f"fan-out to 200 p99: {mid['p99'] * 1000:.0f} ms (target < "
            f"{TARGET_FANOUT_P99 * 1000:.0f} ms) — {verdict(mid['p99'] < TARGET_FANOUT_P99)}"
        )
    if api_result and peer:
        ratio = api_result["rate"] / peer["rate"] if peer["rate"] else float("inf")
        print(
            f"CBM Hub HTTP API / Synapse, send + acknowledgement, {SENDERS} senders: "
            f"{api_result['rate']:.1f} / {peer['rate']:.1f} msgs/s = {ratio:.2f}× "
            f"(target ≥ 1) — {verdict(ratio >= 1)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12, help="phases 0, 1; a round of 2, 5")
    parser.add_argument("--steady-seconds", type=float, default=20, help="length of phase 3")
    parser.add_argument("--fanout-repeats", type=int, default=3, help="runs of each fan-out")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of 2 and 5")
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help="hotline worker processes (default 2)"
    )
    parser.add_argument(
        "--phases", default="0,1,2,3,4,5", help="comma-separated phases to run (0 includes 0b)"
    )
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    url = configure()

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    org, a, b, senders, acker, tokens = world()
    print(
        f"CBM Hub hotline benchmark — PostgreSQL {urlsplit(url).path.lstrip('/')}, "
        f"{SENDERS} senders, {args.workers} workers, {ACKERS} acknowledgers (phase 2: "
        f"{SENDERS}, one per channel), {os.cpu_count()} CPUs"
    )
    base = least = 0.0
    if "0" in phases:
        base = baseline(url, args.seconds)
        print(f"phase 0 baseline: {base:.0f} single-row INSERT+COMMIT/s ({SENDERS} connections)")
        least = floor(url, args.seconds)
        print(
            f"phase 0b floor: {least:.0f} msgs/s through hand-written SQL, no Django "
            f"({least / base:.1%} of baseline): the most this design can give in Python here"
        )
    service = api_result = steady = fanout = peer = None
    workers = [start("hotline", "worker") for _ in range(args.workers)]
    try:
        warm_up(org, a, b, senders[0])
        if "1" in phases:
            service = run_life(
                channel=new_channel(org, a, b, "services"),
                senders=senders,
                acker=acker,
                send=send_via_services,
                ack=ack_via_services,
                seconds=args.seconds,
                rate=None,
            )
            report("phase 1 service layer", service, base or None)
        if "3" in phases:
            steady = run_life(
                channel=new_channel(org, a, b, "steady"),
                senders=senders,
                acker=acker,
                send=send_via_services,
                ack=ack_via_services,
                seconds=args.steady_seconds,
                rate=STEADY_RATE,
            )
            report(f"phase 3 steady {STEADY_RATE} msgs/s", steady)
        if "4" in phases:
            fanout = fanout_phase(a, senders[0], args.fanout_repeats)
        if phases & {"2", "5"}:
            api_result, peer = paired_phase(org, a, b, senders, acker, tokens, url, args, phases)
    finally:
        stop(workers)
    conclude(base, least, service, api_result, steady, fanout, peer)


if __name__ == "__main__":
    main()
