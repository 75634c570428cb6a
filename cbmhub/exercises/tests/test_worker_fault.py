"""Must show: a run of 20 injects to 10 states at an accelerated clock, in real processes, with
the worker killed (SIGKILL) mid-run and restarted: every inject is sent exactly once to each
of its 10 states, never before its offset, and late only by the time no worker was running.

Like hotline/tests/test_fault.py (whose Database helper it reuses): a database of its own
(SQLite file, or PostgreSQL ``<name>_fault_<pid>`` when DATABASE_URL names one), ``cbmhub migrate``,
a script that writes the scenario and starts the run through the services, and ``cbmhub
hotline worker`` processes, which run the exercises' step in every pass."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cbmhub.hotline.tests.test_fault import Database, cbmhub, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
INJECTS = 20
STATES = 10
SPEED = 60  # one scenario minute per real second
SLACK = 5.0  # seconds a busy two-core machine may take to notice a due inject

SETUP = f"""
import django
django.setup()
from datetime import timedelta
from cbmhub.accounts.models import User
from cbmhub.directory.models import ContactChannel, Membership, Organisation, PointOfContact, State
from cbmhub.exercises import services
from cbmhub.exercises.services import InjectSpec

org = Organisation.objects.create(acronym="DRL", name="Drill forum", kind="regional")
states = []
for n in range({STATES} + 1):
    code = chr(65 + n) * 3
    state = State.objects.create(name=f"State {{code}}", iso2=code[:2], iso3=code)
    Membership.objects.create(state=state, organisation=org, status="member")
    poc = PointOfContact.objects.create(
        state=state, level="technical", office=f"CERT {{code}}", time_zone="UTC"
    )
    ContactChannel.objects.create(
        point_of_contact=poc, kind="email", is_primary=True, value=f"cert@{{code.lower()}}.example"
    )
    states.append(state)
control = User.objects.create(username="control", role="secretariat", organisation=org)
scenario = services.scenario_create(
    actor=control, organisation=org, title="Drill", sender_state=states[0], states=states[1:]
)
kinds = ["incident_notification", "request_information", "request_assistance", "note_verbale"]
for n in range({INJECTS}):
    services.inject_add(
        actor=control, scenario=scenario,
        spec=InjectSpec(
            offset=timedelta(minutes=n), kind=kinds[n % 4], subject=f"Inject {{n}}",
            body=f"Step {{n}} of the drill.",
            expectations=[("acknowledge", timedelta(minutes=15))],
        ),
    )
run = services.run_create(actor=control, scenario=scenario, speed={SPEED})
services.run_start(actor=control, run=run)
"""


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cbmhub.cli", "hotline", "worker", "--sleep", "0.1", "--lease", "5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def drill(tmp_path):
    db = Database(tmp_path)
    db.create()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cbmhub.settings",
        "CBMHUB_TESTING": "1",
        "CBMHUB_DATA_DIR": str(tmp_path),
        "CBMHUB_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
        "CBMHUB_LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    env.pop("DATABASE_URL", None)
    if db.postgres:
        env["DATABASE_URL"] = db.url
    try:
        yield db, env
    finally:
        db.drop()


def _sent(db) -> int:
    return db.value("SELECT count(*) FROM exercises_runinject WHERE status = 'sent'")


def _epoch(value) -> float:
    """A timestamp column as seconds (SQLite gives text, PostgreSQL a datetime)."""
    from datetime import datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.timestamp()


def test_every_inject_once_at_its_offset_across_a_killed_worker(drill):
    db, env = drill
    cbmhub(env, "migrate", "--noinput")
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, timeout=300)
    assert db.value("SELECT count(*) FROM exercises_runinject WHERE status = 'pending'") == INJECTS

    victim = start_worker(env)
    wait_for(lambda: _sent(db) >= 6, timeout=120, what="the first injects")
    assert victim.poll() is None, victim.stderr and victim.stderr.read().decode()
    os.kill(victim.pid, signal.SIGKILL)
    killed_at = time.time()
    victim.wait()
    sent_at_kill = _sent(db)
    assert sent_at_kill < INJECTS, "the run finished before the worker could be killed"
    time.sleep(2)  # some injects fall due while no worker runs
    worker = start_worker(env)
    try:
        wait_for(lambda: _sent(db) == INJECTS, timeout=180, what="every inject")
        wait_for(
            lambda: (
                db.value("SELECT count(*) FROM hotline_receipt WHERE delivered_at IS NULL") == 0
            ),
            timeout=60,
            what="every message delivered",
        )
        back_at = _epoch(db.value("SELECT max(started_at) FROM hotline_workerheartbeat"))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert worker.returncode == 0, worker.stderr and worker.stderr.read()

    # Exactly once: one message per inject and state, 200 in all, each with one receipt.
    assert db.value("SELECT count(*) FROM exercises_rundelivery") == INJECTS * STATES
    assert (
        db.value(
            "SELECT count(*) FROM (SELECT run_inject_id, state_id FROM exercises_rundelivery "
            "GROUP BY run_inject_id, state_id HAVING count(*) > 1) AS twice"
        )
        == 0
    )
    assert db.value("SELECT count(*) FROM hotline_message WHERE is_exercise") == INJECTS * STATES
    assert db.value("SELECT count(*) FROM hotline_message WHERE NOT is_exercise") == 0
    assert db.value("SELECT count(*) FROM hotline_receipt") == INJECTS * STATES
    assert db.value("SELECT count(*) FROM hotline_receipt WHERE state_id = 1") == 0  # the lead

    # At its offset: never early; late by at most the time no worker ran (plus slack).
    downtime = back_at - killed_at
    for due, sent in db.rows("SELECT due_at, sent_at FROM exercises_runinject"):
        late = _epoch(sent) - _epoch(due)
        assert late >= 0, "an inject went out before its offset"
        assert late <= downtime + SLACK, f"an inject was {late:.1f} s late"
    offsets = sorted(
        _epoch(due) - _epoch(start)
        for due, start in db.rows(
            "SELECT ri.due_at, r.started_at FROM exercises_runinject ri "
            "JOIN exercises_run r ON r.id = ri.run_id"
        )
    )
    assert [round(o, 3) for o in offsets] == [n * 60 / SPEED for n in range(INJECTS)]
    print(
        f"\n{'PostgreSQL' if db.postgres else 'SQLite'}: {INJECTS} injects x {STATES} states, "
        f"killed with {sent_at_kill} sent, {downtime:.1f} s without a worker"
    )
    assert "BROKEN" not in cbmhub(env, "hotline", "verify")
