"""The peer of bench/hotline.py: Matrix Synapse doing the same job — send, and a read receipt
from the recipient for each message — on the same PostgreSQL, loopback only.

The bench installs Synapse (pinned, ``SYNAPSE_VERSION``) into its own virtual environment
``.bench-venv/synapse`` (gitignored; created on first use, about a minute), creates a fresh
database ``<bench database>_synapse`` (C collation, as Synapse requires), writes a configuration
in a temporary directory (no federation, no presence, no URL previews, rate limits lifted so that
they are not what is measured), starts ``synapse.app.homeserver``, registers the users through
the admin shared-secret API, and stops it at the end.

Job: ``senders`` processes, each with its own room shared with one of ``receivers`` recipient
users (bench/hotline.py: as many recipients as senders, one per room); each sender PUTs
``m.room.message`` events as fast as it can for ``seconds``; each recipient process long-polls
``/sync`` and POSTs an ``m.read`` receipt for every message it sees. Measured: receipts per
second (first send to last receipt) and send→receipt latency (the event's
``origin_server_ts`` to the receipt's 200), p50/p99. Clients use urllib (a new TCP
connection per request), as the CBM Hub clients of the bench do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SYNAPSE_VERSION = "1.163.2"
ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".bench-venv" / "synapse"
SERVER_NAME = "bench.localhost"
PASSWORD = "bench-" + "p" * 20
SYNC_FILTER = json.dumps(
    {
        "presence": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
        "room": {
            "timeline": {"limit": 1000, "types": ["m.room.message"]},
            "state": {"lazy_load_members": True, "types": []},
            "ephemeral": {"not_types": ["*"]},
            "account_data": {"not_types": ["*"]},
        },
    }
)


class Unavailable(Exception):
    """Synapse could not be installed or started here; the message says why."""


# --- install, configure, start ------------------------------------------------------------------


def install() -> Path:
    """The virtual environment's python with Synapse ``SYNAPSE_VERSION`` in it (installed from
    PyPI with pip on first use)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        _run([sys.executable, "-m", "venv", str(VENV)], "create the virtual environment")
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "from importlib.metadata import version; print(version('matrix-synapse'))",
        ],
        capture_output=True,
        text=True,
    )
    if probe.stdout.strip() != SYNAPSE_VERSION:
        print(f"installing matrix-synapse {SYNAPSE_VERSION} into {VENV} …", flush=True)
        _run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                f"matrix-synapse[postgres]=={SYNAPSE_VERSION}",
            ],
            "pip install matrix-synapse",
        )
    return python


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise Unavailable(f"{what} failed: " + " | ".join(tail))


def create_database(url: str) -> dict:
    """A fresh database for Synapse beside the bench's (dropped first: each run starts clean);
    returns the psycopg2 connection arguments."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_synapse"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(
            f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' "
            "TEMPLATE template0"
        )
    args = {
        "user": parts.username or "postgres",
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "database": name,
        "cp_min": 5,
        "cp_max": 10,
    }
    if parts.password:
        args["password"] = parts.password
    return args


def _lifted(per_second: int = 100_000) -> dict:
    return {"per_second": per_second, "burst_count": per_second}


def write_config(directory: Path, port: int, database: dict) -> tuple[Path, str]:
    """homeserver.yaml (JSON is YAML) and its log configuration; returns the path and the
    registration shared secret."""
    secret = secrets.token_hex(16)
    log_config = directory / "log.yaml"
    log_config.write_text(
        json.dumps(
            {
                "version": 1,
                "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(message)s"}},
                "handlers": {
                    "file": {
                        "class": "logging.FileHandler",
                        "filename": str(directory / "homeserver.log"),
                        "formatter": "plain",
                    }
                },
                "root": {"level": "WARNING", "handlers": ["file"]},
                "disable_existing_loggers": False,
            }
        )
    )
    config = {
        "server_name": SERVER_NAME,
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "psycopg2", "args": database},
        "log_config": str(log_config),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": secret,
        "macaroon_secret_key": secrets.token_hex(32),
        "form_secret": secrets.token_hex(32),
        "report_stats": False,
        "enable_metrics": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "rc_message": _lifted(),
        "rc_registration": _lifted(),
        "rc_login": {
            "address": _lifted(),
            "account": _lifted(),
            "failed_attempts": _lifted(),
        },
        "rc_joins": {"local": _lifted(), "remote": _lifted()},
        "rc_invites": {"per_room": _lifted(), "per_user": _lifted(), "per_issuer": _lifted()},
        "rc_room_creation": _lifted(),
    }
    path = directory / "homeserver.yaml"
    path.write_text(json.dumps(config, indent=1))
    return path, secret


def start(python: Path, config: Path, directory: Path) -> subprocess.Popen:
    """Generate the signing key, then run the homeserver (its own process group)."""
    _run(
        [str(python), "-m", "synapse.app.homeserver", "-c", str(config), "--generate-keys"],
        "synapse --generate-keys",
    )
    return subprocess.Popen(
        [str(python), "-m", "synapse.app.homeserver", "-c", str(config)],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=(directory / "stderr.log").open("w"),
        start_new_session=True,
    )


def wait_ready(base: str, process: subprocess.Popen, directory: Path, limit: float = 180) -> float:
    """Seconds until the client API answers (the first start creates the schema)."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if process.poll() is not None:
            log = (directory / "stderr.log").read_text(errors="replace")[-1500:]
            raise Unavailable(f"synapse exited with status {process.returncode}: {log}")
        try:
            with urllib.request.urlopen(base + "/_matrix/client/versions", timeout=2):
                return time.monotonic() - began
        except OSError:
            time.sleep(0.5)
    raise Unavailable(f"synapse did not answer within {limit:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- the client API -----------------------------------------------------------------------------


def call(base: str, method: str, path: str, body: dict | None = None, token: str = "") -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"{}")


def register(base: str, secret: str, username: str) -> tuple[str, str]:
    """(user id, access token) through the admin shared-secret registration."""
    nonce = call(base, "GET", "/_synapse/admin/v1/register")["nonce"]
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    for part in (nonce, username, PASSWORD):
        mac.update(part.encode() + b"\x00")
    mac.update(b"notadmin")
    body = {
        "nonce": nonce,
        "username": username,
        "password": PASSWORD,
        "admin": False,
        "mac": mac.hexdigest(),
    }
    done = call(base, "POST", "/_synapse/admin/v1/register", body)
    return done["user_id"], done["access_token"]


def rooms(base: str, secret: str, senders: int, receivers: int) -> tuple[list, list]:
    """One room per sender, shared with recipient ``n % receivers``; the recipients joined."""
    receiving = [register(base, secret, f"receiver{n}") for n in range(receivers)]
    sending = []
    for n in range(senders):
        user_id, token = register(base, secret, f"sender{n}")
        receiver_id, receiver_token = receiving[n % receivers]
        room = call(
            base,
            "POST",
            "/_matrix/client/v3/createRoom",
            {"preset": "private_chat", "invite": [receiver_id], "name": f"bench {n}"},
            token,
        )["room_id"]
        call(
            base, "POST", f"/_matrix/client/v3/join/{urllib.parse.quote(room)}", {}, receiver_token
        )
        sending.append((token, room))
    return sending, receiving


# --- the job --------------------------------------------------------------------------------------


def _send_loop(base: str, token: str, room: str, n: int, end_at: float, counts) -> None:
    sent = 0
    quoted = urllib.parse.quote(room)
    while time.monotonic() < end_at:
        call(
            base,
            "PUT",
            f"/_matrix/client/v3/rooms/{quoted}/send/m.room.message/s{n}-{sent}",
            {"msgtype": "m.text", "body": f"Bench incident {sent}"},
            token,
        )
        sent += 1
    counts[n] = sent


def _sync(base: str, token: str, since: str | None, timeout_ms: int) -> dict:
    query = {"filter": SYNC_FILTER, "timeout": str(timeout_ms)}
    if since:
        query["since"] = since
    return call(
        base, "GET", "/_matrix/client/v3/sync?" + urllib.parse.urlencode(query), None, token
    )


def _receive_loop(base: str, user, senders_done, deadline, out) -> None:
    """Sync and post a read receipt for every message; puts (receipts, latencies, last time)."""
    user_id, token = user
    since = _sync(base, token, None, 0)["next_batch"]
    latencies: list[float] = []
    quiet_since = None
    last = 0.0
    while time.time() < deadline.value:
        batch = _sync(base, token, since, 500)
        since = batch["next_batch"]
        seen = 0
        for room, data in batch.get("rooms", {}).get("join", {}).items():
            quoted = urllib.parse.quote(room)
            for event in data.get("timeline", {}).get("events", []):
                if event.get("type") != "m.room.message" or event.get("sender") == user_id:
                    continue
                path = f"/_matrix/client/v3/rooms/{quoted}/receipt/m.read/"
                call(base, "POST", path + urllib.parse.quote(event["event_id"]), {}, token)
                last = time.time()
                latencies.append(last - event["origin_server_ts"] / 1000)
                seen += 1
        if seen:
            quiet_since = None
        elif senders_done.is_set():
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 2:
                break
    out.put((latencies, last))


def run_job(base: str, sending: list, receiving: list, seconds: float) -> dict:
    """The senders for `seconds`, the recipients until every message has its receipt (or 60 s
    after the senders stop)."""
    import multiprocessing

    mp = multiprocessing.get_context("fork")
    counts = mp.Array("q", len(sending))
    senders_done = mp.Event()
    deadline = mp.Value("d", time.time() + seconds + 90)
    out = mp.Queue()
    receivers = [
        mp.Process(target=_receive_loop, args=(base, user, senders_done, deadline, out))
        for user in receiving
    ]
    for process in receivers:
        process.start()
    time.sleep(1.0)  # the recipients' first sync is done
    started_wall = time.time()
    end_at = time.monotonic() + seconds
    senders = [
        mp.Process(target=_send_loop, args=(base, token, room, n, end_at, counts))
        for n, (token, room) in enumerate(sending)
    ]
    for process in senders:
        process.start()
    for process in senders:
        process.join()
    senders_done.set()
    deadline.value = time.time() + 60
    results = [out.get(timeout=180) for _ in receivers]
    for process in receivers:
        process.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    last = max((t for _, t in results), default=0.0)
    span = last - started_wall if last else 0.0
    return {
        "sent": sum(counts),
        "acknowledged": len(latencies),
        "rate": len(latencies) / span if span > 0 else 0.0,
        "span": span,
        "latencies": latencies,
        "failed_senders": sum(1 for p in senders if p.exitcode),
    }


class Peer:
    """A running Synapse with its rooms: ``Peer.start(...)``, ``peer.round(seconds)`` as often
    as wanted, ``peer.stop()``. Raises Unavailable with the reason when it cannot run here."""

    def __init__(self, base: str, process: subprocess.Popen, startup: float, sending, receiving):
        self.base, self.process, self.startup = base, process, startup
        self.sending, self.receiving = sending, receiving

    @classmethod
    def start(cls, url: str, directory: Path, port: int, senders: int, receivers: int) -> Peer:
        python = install()
        config, secret = write_config(directory, port, create_database(url))
        process = start(python, config, directory)
        base = f"http://127.0.0.1:{port}"
        try:
            ready = wait_ready(base, process, directory)
            sending, receiving = rooms(base, secret, senders, receivers)
        except urllib.error.HTTPError as exc:
            stop(process)
            raise Unavailable(f"HTTP {exc.code} from synapse: {exc.read()[:300]!r}") from exc
        except BaseException:
            stop(process)
            raise
        return cls(base, process, ready, sending, receiving)

    def round(self, seconds: float) -> dict:
        return run_job(self.base, self.sending, self.receiving, seconds)

    def stop(self) -> None:
        stop(self.process)
