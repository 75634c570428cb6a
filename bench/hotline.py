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
2. the same through the HTTP API: a real server (``cbmhub runserver --noreload``: one process,
   a thread per request) and 8 client processes using urllib with token authentication (POST
   messages, POST acknowledge); the same workers deliver.
3. steady load: 50 messages/s (an open-loop schedule shared by the 8 sender processes) for
   ``--steady-seconds`` through the service layer → p99 send→delivered.

Targets (issue 3): phase 1 at least 10% of the baseline rate; phase 3 p99 under 1 s.
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

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cbm_bench"
SENDERS = 8
ACKERS = 2
WORKERS = 2
STEADY_RATE = 50
TARGET_RATIO = 0.10
TARGET_P99 = 1.0
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


def _acknowledger(index: int, acker, channel, ack, senders_done, deadline, errors) -> None:
    """One acknowledging process: acknowledges every delivered receipt of its share."""
    from django.db import connection

    from cbmhub.hotline.models import Receipt

    try:
        while True:
            pending = [
                pk
                for pk in Receipt.objects.filter(
                    message__channel=channel,
                    delivered_at__isnull=False,
                    acknowledged_at__isnull=True,
                ).values_list("message_id", flat=True)[:200]
                if pk % ACKERS == index
            ]
            for pk in pending:
                ack(acker, pk)
            if not pending:
                if (
                    senders_done.is_set()
                    and not Receipt.objects.filter(
                        message__channel=channel, acknowledged_at__isnull=True
                    ).exists()
                ):
                    return
                time.sleep(0.02)
            if time.monotonic() > deadline.value:
                return
    except Exception as exc:  # noqa: BLE001
        errors.put(f"acknowledger {index}: {type(exc).__name__}: {exc}")
    finally:
        connection.close()


def run_life(*, channel, senders, acker, send, ack, seconds: float, rate: float | None) -> dict:
    """Sender processes for `seconds` (as fast as they can, or `rate` messages/s in all),
    acknowledger processes until every sent message is acknowledged (or 30 s after the senders
    stop). Processes, not threads: 8 threads in one interpreter would share one GIL, while the
    baseline's 8 connections are 8 independent clients."""
    import multiprocessing

    from django.db import connections

    from cbmhub.hotline.models import Message, Receipt

    # Forked children must not share the parent's database socket: each opens its own.
    connections.close_all()
    mp = multiprocessing.get_context("fork")
    stop, senders_done = mp.Event(), mp.Event()
    errors = mp.Queue()
    started = time.monotonic()
    deadline = mp.Value("d", started + seconds + 60)
    sending = [
        mp.Process(target=_sender, args=(i, u, channel, send, started, seconds, rate, stop, errors))
        for i, u in enumerate(senders)
    ]
    acking = [
        mp.Process(
            target=_acknowledger,
            args=(i, acker, channel, ack, senders_done, deadline, errors),
        )
        for i in range(ACKERS)
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
        Receipt.objects.filter(message__channel=channel).values_list(
            "message__sent_at", "delivered_at", "acknowledged_at"
        )
    )
    messages = Message.objects.filter(channel=channel).count()
    done = [r for r in rows if r[2] is not None]
    latencies = sorted((d - s).total_seconds() for s, d, _ in rows if d is not None)
    span = (max(r[2] for r in done) - min(r[0] for r in rows)).total_seconds() if done else 0
    return {
        "sent": messages,
        "acknowledged": len(done),
        "rate": len(done) / span if span else 0.0,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "undelivered": len(rows) - len(latencies),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12, help="length of phases 0-2")
    parser.add_argument("--steady-seconds", type=float, default=20, help="length of phase 3")
    args = parser.parse_args()
    url = configure()

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    org, a, b, senders, acker, tokens = world()
    print(
        f"CBM Hub hotline benchmark — PostgreSQL {urlsplit(url).path.lstrip('/')}, "
        f"{SENDERS} senders, {WORKERS} workers, {ACKERS} acknowledgers, {os.cpu_count()} CPUs"
    )

    base = baseline(url, args.seconds)
    print(f"phase 0 baseline: {base:.0f} single-row INSERT+COMMIT/s ({SENDERS} connections)")
    least = floor(url, args.seconds)
    print(
        f"phase 0b floor: {least:.0f} msgs/s through hand-written SQL, no Django "
        f"({least / base:.1%} of baseline): the most this design can give in Python here"
    )

    workers = [start("hotline", "worker") for _ in range(WORKERS)]
    server = None
    try:
        warm_up(org, a, b, senders[0])
        service = run_life(
            channel=new_channel(org, a, b, "services"),
            senders=senders,
            acker=acker,
            send=send_via_services,
            ack=ack_via_services,
            seconds=args.seconds,
            rate=None,
        )
        report("phase 1 service layer", service, base)

        port = free_port()
        server_log = Path(os.environ["CBMHUB_DATA_DIR"]) / "server.log"
        # runserver starts a thread per request, so persistent connections would pile up
        # until PostgreSQL refuses more: the testing settings close them after each request.
        server = start(
            "runserver", "--noreload", f"127.0.0.1:{port}", log=server_log, CBMHUB_TESTING="1"
        )
        api = Api(f"http://127.0.0.1:{port}", tokens)
        api_result = None
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), 1):
                    break
            except OSError:
                time.sleep(0.1)
        probe = new_channel(org, a, b, "api")
        try:
            api.send(senders[0], probe, -1)
        except urllib.error.HTTPError as exc:
            print(
                f"phase 2 HTTP API: SKIPPED — POST {SEND_PATH} answered HTTP {exc.code}: "
                f"{exc.read()[:200]!r}"
            )
        else:
            api_result = run_life(
                channel=probe,
                senders=senders,
                acker=acker,
                send=api.send,
                ack=api.ack,
                seconds=args.seconds,
                rate=None,
            )
            report("phase 2 HTTP API", api_result, base)
            if api_result["errors"]:
                print("  the server's last traceback:\n" + last_traceback(server_log))

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
    finally:
        stop(workers + ([server] if server else []))

    ratio = service["rate"] / base
    print(
        f"service layer / baseline: {ratio:.1%} (target ≥ {TARGET_RATIO:.0%}; ceiling ~33%) — "
        f"{'PASS' if ratio >= TARGET_RATIO else 'MISS'}"
    )
    print(f"service layer / floor (hand-written SQL): {service['rate'] / least:.1%}")
    if api_result:
        print(f"HTTP API / baseline: {api_result['rate'] / base:.1%}")
    print(
        f"steady {STEADY_RATE} msgs/s p99 send→delivered: {steady['p99'] * 1000:.0f} ms "
        f"(target < {TARGET_P99 * 1000:.0f} ms) — "
        f"{'PASS' if steady['p99'] < TARGET_P99 and not steady['undelivered'] else 'MISS'}"
    )


if __name__ == "__main__":
    main()
