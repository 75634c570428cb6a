"""Fault test: 500 messages queued, a worker killed with SIGKILL mid-run, restarted beside a
second worker; every delivery happens and is recorded exactly once.

The scenario runs in real processes against a database of its own (the test database of
pytest-django lives in a transaction the workers could not see):

- PostgreSQL when DATABASE_URL names one (a database ``<name>_fault_<pid>`` is created and dropped),
  else a SQLite file in a temporary folder;
- an SMTP server process (aiosmtpd) that stores every e-mail it accepts;
- ``cbmhub migrate``, a script that queues the messages through ``message_send``, and
  ``cbmhub hotline worker`` processes.

What "exactly once" means here (services/outbox.py's module docstring): the recorded state is
exactly-once — every delivery row ends ``sent``, every receipt is delivered, with exactly one
DELIVERED event each, and the record verifies. The transport is at-least-once for the row a
worker had in flight when it died: that e-mail may arrive twice with the same Message-ID, so
counted by unique Message-ID every e-mail arrives exactly once, to the right address. The test
prints how many raw duplicates the SMTP server saw and bounds them by the number of kills.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from .test_smtp_integration import received, smtp_server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 500
B_TECHNICAL_POCS = 2  # each message: 1 inbox delivery + 2 e-mails
LEASE = 6  # seconds before a dead worker's rows are taken again
HOST = "hub.fault.test"

QUEUE = f"""
import django
django.setup()
from cbmhub.accounts.models import User
from cbmhub.directory.models import ContactChannel, Membership, Organisation, PointOfContact, State
from cbmhub.hotline import services
from cbmhub.hotline.models import Channel

org = Organisation.objects.create(acronym="FLT", name="Fault test forum", kind="regional")
a = State.objects.create(name="State A", iso2="AA", iso3="AAA")
b = State.objects.create(name="State B", iso2="BB", iso3="BBB")
for state in (a, b):
    Membership.objects.create(state=state, organisation=org, status="member")
sender = User.objects.create(username="sender", role="poc", state=a, email="")
for n in range({B_TECHNICAL_POCS}):
    poc = PointOfContact.objects.create(
        state=b, level="technical", office=f"B CERT {{n}}", time_zone="UTC"
    )
    ContactChannel.objects.create(
        point_of_contact=poc, kind="email", is_primary=True, value=f"cert{{n}}@b.example.org"
    )
channel = Channel.objects.create(
    name="A-B", scope="bilateral", level="technical", organisation=org, state_a=a, state_b=b
)
for n in range({MESSAGES}):
    services.message_send(
        actor=sender, channel=channel, kind="incident_notification", priority="urgent",
        subject=f"Incident {{n}}", body="Details in the attached report.", tlp="AMBER",
    )
"""


class Database:
    """The scenario's own database, reachable from the workers and from this test."""

    def __init__(self, tmp_path: Path):
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urlsplit(url)
            # One per test process: the fault tests of several apps run at once under xdist.
            self.name = f"{parts.path.lstrip('/') or 'cbmhub'}_fault_{os.getpid()}"
            self.url = urlunsplit(parts._replace(path="/" + self.name))
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
        else:
            self.path = tmp_path / "cbmhub.sqlite3"  # settings: DATA_DIR / "cbmhub.sqlite3"

    def create(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def rows(self, sql: str) -> list[tuple]:
        if self.postgres:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return list(conn.execute(sql).fetchall())
        with contextlib.closing(sqlite3.connect(self.path, timeout=20)) as conn:
            return list(conn.execute(sql).fetchall())

    def value(self, sql: str):
        return self.rows(sql)[0][0]


@pytest.fixture
def scenario(tmp_path):
    db = Database(tmp_path)
    db.create()
    maildir = tmp_path / "maildir"
    with smtp_server(maildir) as port:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cbmhub.settings",
            "CBMHUB_TESTING": "1",
            "CBMHUB_DATA_DIR": str(tmp_path),
            "CBMHUB_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
            "CBMHUB_LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "SITE_URL": f"https://{HOST}",
        }
        env.pop("DATABASE_URL", None)
        if db.postgres:
            env["DATABASE_URL"] = db.url
        try:
            yield db, maildir, env
        finally:
            db.drop()


def cbmhub(env: dict, *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cbmhub.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"cbmhub {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cbmhub.cli", "hotline", "worker"]
        + ["--batch", "10", "--sleep", "0.1", "--lease", str(LEASE)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def test_sigkill_mid_run_every_delivery_exactly_once(scenario):
    db, maildir, env = scenario
    cbmhub(env, "migrate", "--noinput")
    subprocess.run([sys.executable, "-c", QUEUE], cwd=ROOT, env=env, check=True, timeout=300)
    total = MESSAGES * (1 + B_TECHNICAL_POCS)
    emails = MESSAGES * B_TECHNICAL_POCS
    assert db.value("SELECT count(*) FROM hotline_delivery WHERE status = 'pending'") == total

    victim = start_worker(env)
    # Kill it mid-run: some e-mails out, not all, and a claimed batch in its hands.
    wait_for(lambda: len(received(maildir)) >= emails // 5, timeout=120, what="first e-mails")
    wait_for(
        lambda: db.value("SELECT count(*) FROM hotline_delivery WHERE status = 'sending'") > 0,
        timeout=10,
        what="a claimed batch",
    )
    assert victim.poll() is None, victim.stderr and victim.stderr.read().decode()
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    orphaned = [pk for (pk,) in db.rows("SELECT id FROM hotline_delivery WHERE status = 'sending'")]
    out_at_kill = len(received(maildir))
    assert out_at_kill < emails, "the worker finished before it could be killed"

    # Restart, and run a second worker beside it: they share the queue.
    workers = [start_worker(env), start_worker(env)]
    try:
        wait_for(
            lambda: db.value("SELECT count(*) FROM hotline_delivery WHERE status <> 'sent'") == 0,
            timeout=180,
            what="every delivery to be sent",
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)  # finishes its batch, then exits
        for worker in workers:
            worker.wait(timeout=30)
    assert [w.returncode for w in workers] == [0, 0], [
        w.stderr and w.stderr.read() for w in workers
    ]

    # Recorded state: exactly once.
    assert db.rows("SELECT status, count(*) FROM hotline_delivery GROUP BY status") == [
        ("sent", total)
    ]
    assert db.value("SELECT count(*) FROM hotline_receipt WHERE delivered_at IS NULL") == 0
    assert db.value("SELECT count(*) FROM hotline_receipt") == MESSAGES
    delivered = db.rows(
        "SELECT receipt_id, count(*) FROM hotline_event WHERE kind = 'delivered' "
        "GROUP BY receipt_id"
    )
    assert len(delivered) == MESSAGES and {n for _, n in delivered} == {1}
    if orphaned:  # the dead worker's batch was taken again after its lease
        in_list = ",".join(map(str, orphaned))
        assert db.rows(f"SELECT DISTINCT status FROM hotline_delivery WHERE id IN ({in_list})") == [
            ("sent",)
        ]
        assert db.value(f"SELECT min(attempts) FROM hotline_delivery WHERE id IN ({in_list})") >= 2

    # Transport: every e-mail arrived, to its address; counted by Message-ID, exactly once.
    expected = {
        f"<hotline-delivery-{pk}@{HOST}>": address
        for pk, address in db.rows("SELECT id, address FROM hotline_delivery WHERE kind = 'email'")
    }
    mails = received(maildir)
    by_id = Counter(mail["Message-ID"] for mail in mails)
    assert set(by_id) == set(expected), "an e-mail is missing or unexpected"
    for mail in mails:
        assert mail["X-RcptTo"] == expected[mail["Message-ID"]]
    duplicates = len(mails) - len(by_id)
    print(
        f"\n{'PostgreSQL' if db.postgres else 'SQLite'}: "
        f"{len(mails)} e-mails received, {len(by_id)} unique Message-IDs, "
        f"{duplicates} raw duplicate(s); killed with {out_at_kill} out and "
        f"{len(orphaned)} row(s) claimed"
    )
    # At most the one e-mail the killed worker had in flight can arrive twice.
    assert duplicates <= 1 and max(by_id.values()) <= 2

    # And the signed record of all this verifies.
    assert "BROKEN" not in cbmhub(env, "hotline", "verify")
