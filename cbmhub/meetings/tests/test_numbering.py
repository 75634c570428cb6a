"""Note numbering under concurrency: 8 processes issue 50 notes each in one series; the 400
numbers are distinct and consecutive. Real processes, each with its own connection, against a
database of the scenario's own (PostgreSQL when DATABASE_URL names one, else a SQLite file):
pytest-django's test database lives in a transaction other processes could not see."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cbmhub.hotline.tests.test_fault import Database, cbmhub

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
PROCESSES = 8
EACH = 50

SETUP = """
import django
django.setup()
from cbmhub.core.roles import SYSTEM
from cbmhub.directory.models import Organisation
from cbmhub.meetings import services
org = Organisation.objects.create(acronym="CICA", name="CICA", kind="regional")
services.series_create(actor=SYSTEM, organisation=org, name="SWG", pattern="SWG/OI/{n}",
                       last_number=1261)
"""

ISSUE = f"""
import datetime, sys
import django
django.setup()
from cbmhub.core.roles import SYSTEM
from cbmhub.meetings import services
from cbmhub.meetings.models import NoteSeries
series = NoteSeries.objects.get()
for n in range({EACH}):
    note = services.note_create(
        actor=SYSTEM, series=series, subject=f"{{sys.argv[1]}}-{{n}}", place="Astana",
        date=datetime.date(2022, 10, 4),
        versions=[services.VersionInput("en", "Text.", "original")],
    )
    services.note_issue(actor=SYSTEM, note=note)
"""


@pytest.fixture
def scenario(tmp_path):
    db = Database(tmp_path)
    db.create()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "cbmhub.settings",
        "CBMHUB_TESTING": "1",
        "CBMHUB_DATA_DIR": str(tmp_path),
        "CBMHUB_LOG_LEVEL": "WARNING",
    }
    if db.postgres:
        env["DATABASE_URL"] = db.url
    try:
        yield db, env
    finally:
        db.drop()


def test_eight_processes_issue_400_consecutive_numbers(scenario):
    db, env = scenario
    cbmhub(env, "migrate", "--noinput")
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, timeout=120)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", ISSUE, str(n)], cwd=ROOT, env=env, stderr=subprocess.PIPE
        )
        for n in range(PROCESSES)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err.decode()[-2000:]
    numbers = [n for (n,) in db.rows("SELECT number FROM meetings_note ORDER BY number")]
    total = PROCESSES * EACH
    assert numbers == list(range(1262, 1262 + total))
    symbols = {s for (s,) in db.rows("SELECT symbol FROM meetings_note")}
    assert len(symbols) == total
    assert db.value("SELECT last_number FROM meetings_noteseries") == 1261 + total
