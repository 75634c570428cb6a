"""Fault test with fan-out (issue 17): a communication check of 1,000 points of contact and a
flash message to the same 1,000 (200 states × 5), a worker killed with SIGKILL mid-batch,
restarted beside a second worker: every recipient is delivered exactly once.

Real processes on a database of their own, as in test_fault.py (whose scenario, SMTP server
and helpers this reuses): PostgreSQL when DATABASE_URL names one, else a SQLite file.
"Exactly once" as there: every row ends ``sent`` once; every receipt is delivered with exactly
one DELIVERED event; counted by Message-ID every e-mail arrives exactly once at its address; the
raw duplicates (the row in flight when the worker died) are at most one; the record verifies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

import pytest

from . import test_fault
from .test_fault import HOST, ROOT, cbmhub, wait_for
from .test_smtp_integration import received

scenario = test_fault.scenario  # the fixture: its own database, an SMTP server, the settings

pytestmark = pytest.mark.slow

STATES = 200
POCS_PER_STATE = 5
TARGETS = STATES * POCS_PER_STATE  # 1,000
BATCH = 50
LEASE = 6

QUEUE = f"""
import django
django.setup()
from datetime import timedelta
from itertools import product
from string import ascii_uppercase
from cbmhub.accounts.models import User
from cbmhub.directory.models import ContactChannel, Membership, Organisation, PointOfContact, State
from cbmhub.hotline import services
from cbmhub.hotline.models import Channel

org = Organisation.objects.create(acronym="FAN", name="Fan-out fault test", kind="regional")
sender_state = State.objects.create(name="Sender", iso2="ZZ", iso3="ZZZ")
Membership.objects.create(state=sender_state, organisation=org, status="member")
codes = ["".join(p) for p in product(ascii_uppercase, repeat=2)][:{STATES}]
states = State.objects.bulk_create(
    [State(name=f"State {{c}}", iso2=c, iso3="Q" + c) for c in codes]
)
Membership.objects.bulk_create(
    [Membership(state=s, organisation=org, status="member") for s in states]
)
pocs = PointOfContact.objects.bulk_create(
    [
        PointOfContact(state=s, level="technical", office=f"CERT {{n}}", time_zone="UTC")
        for s in states
        for n in range({POCS_PER_STATE})
    ]
)
ContactChannel.objects.bulk_create(
    [
        ContactChannel(
            point_of_contact=p, kind="email", is_primary=True,
            value=f"poc{{p.pk}}@{{p.state.iso3.lower()}}.example.org",
        )
        for p in pocs
    ]
)
sender = User.objects.create(username="sender", role="poc", state=sender_state, email="")
officer = User.objects.create(username="officer", role="secretariat", organisation=org)
channel = Channel.objects.create(
    name="FAN network", scope="multilateral", level="technical", organisation=org
)
services.message_send(
    actor=sender, channel=channel, kind="incident_notification", priority="flash",
    subject="Flash", body="Indicators attached.", tlp="AMBER",
)
services.check_start(actor=officer, organisation=org, deadline=timedelta(hours=1))
"""


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cbmhub.cli", "hotline", "worker"]
        + ["--batch", str(BATCH), "--sleep", "0.1", "--lease", str(LEASE)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stderr_of(process: subprocess.Popen) -> str:
    return process.stderr.read().decode(errors="replace") if process.stderr else ""


def kill_mid_batch(db, maildir, env, emails: int) -> tuple[list[int], int]:
    """Start a worker, SIGKILL it with e-mails out and a claimed batch in its hands; returns
    the rows it held and how many e-mails were out."""
    victim = start_worker(env)
    wait_for(lambda: len(received(maildir)) >= emails // 5, timeout=180, what="first e-mails")
    wait_for(
        lambda: db.value("SELECT count(*) FROM hotline_delivery WHERE status = 'sending'") > 0,
        timeout=10,
        what="a claimed batch",
    )
    assert victim.poll() is None, stderr_of(victim)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    orphaned = [pk for (pk,) in db.rows("SELECT id FROM hotline_delivery WHERE status = 'sending'")]
    out = len(received(maildir))
    assert out < emails, "the worker finished before it could be killed"
    return orphaned, out


def finish(db, env) -> None:
    """Two workers (the restarted one and a second) until every row is sent."""
    workers = [start_worker(env), start_worker(env)]
    try:
        wait_for(
            lambda: db.value("SELECT count(*) FROM hotline_delivery WHERE status <> 'sent'") == 0,
            timeout=300,
            what="every delivery to be sent",
        )
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
    assert [w.returncode for w in workers] == [0, 0], [stderr_of(w) for w in workers]


def test_sigkill_mid_batch_of_a_1000_recipient_fan_out_delivers_each_exactly_once(scenario):
    db, maildir, env = scenario
    cbmhub(env, "migrate", "--noinput")
    subprocess.run([sys.executable, "-c", QUEUE], cwd=ROOT, env=env, check=True, timeout=600)
    emails = 2 * TARGETS  # the message's and the check's
    assert db.value("SELECT count(*) FROM hotline_checktarget") == TARGETS
    assert db.value("SELECT count(*) FROM hotline_delivery WHERE status = 'pending'") == (
        emails + STATES  # + one inbox row per recipient state
    )

    orphaned, out_at_kill = kill_mid_batch(db, maildir, env, emails)
    assert len(orphaned) <= BATCH
    finish(db, env)

    # Recorded state: every row sent once; every receipt delivered with one DELIVERED event.
    assert db.rows("SELECT status, count(*) FROM hotline_delivery GROUP BY status") == [
        ("sent", emails + STATES)
    ]
    assert db.value("SELECT count(*) FROM hotline_receipt WHERE delivered_at IS NULL") == 0
    delivered = db.rows(
        "SELECT receipt_id, count(*) FROM hotline_event WHERE kind = 'delivered' "
        "GROUP BY receipt_id"
    )
    assert len(delivered) == STATES and {n for _, n in delivered} == {1}
    # Every check target has exactly one e-mail row, sent.
    per_target = db.rows(
        "SELECT t.id, count(d.id) FROM hotline_checktarget t LEFT JOIN hotline_delivery d"
        " ON d.check_target_id = t.id AND d.status = 'sent' GROUP BY t.id"
    )
    assert len(per_target) == TARGETS and {n for _, n in per_target} == {1}
    if orphaned:  # the dead worker's batch was taken again after its lease
        in_list = ",".join(map(str, orphaned))
        assert db.value(f"SELECT min(attempts) FROM hotline_delivery WHERE id IN ({in_list})") >= 2

    # Transport: each recipient's e-mails arrived at its address, by Message-ID exactly once.
    expected = {
        f"<hotline-delivery-{pk}@{HOST}>": address
        for pk, address in db.rows("SELECT id, address FROM hotline_delivery WHERE kind = 'email'")
    }
    assert len(set(expected.values())) == TARGETS
    mails = received(maildir)
    by_id = Counter(mail["Message-ID"] for mail in mails)
    assert set(by_id) == set(expected), "an e-mail is missing or unexpected"
    for mail in mails:
        assert mail["X-RcptTo"] == expected[mail["Message-ID"]]
    per_address = Counter(expected[message_id] for message_id in by_id)
    assert set(per_address.values()) == {2}  # the message and the check, each once
    duplicates = len(mails) - len(by_id)
    print(
        f"\n{'PostgreSQL' if db.postgres else 'SQLite'}: {len(mails)} e-mails received, "
        f"{len(by_id)} unique Message-IDs, {duplicates} raw duplicate(s); killed with "
        f"{out_at_kill} out and {len(orphaned)} row(s) claimed"
    )
    assert duplicates <= 1 and max(by_id.values()) <= 2

    assert "BROKEN" not in cbmhub(env, "hotline", "verify")
