"""Tampering with the stored record is detected, in the database and in an exported bundle.

Rows are changed with raw SQL, as someone with database access would, bypassing the ORM and
the services. ``cbmhub hotline verify`` must fail and name the first broken entry; a bundle
exported before the change verifies offline (without Django), and fails once its JSON is edited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cbmhub.hotline import chain, services
from cbmhub.hotline.models import Event

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def record(alice, anna, bob, bert, link, send):
    """Two messages A→B, delivered; the first acknowledged: seq 1 sent, 2 sent, 3 and 4
    delivered, 5 acknowledged."""
    first = send(anna, link, subject="First").message
    send(anna, link, subject="Second")
    call_command("hotline", "worker", "--once", stdout=StringIO())
    services.message_acknowledge(user=bert, message=first)
    assert list(Event.objects.filter(channel=link).values_list("seq", "kind")) == [
        (1, "sent"),
        (2, "sent"),
        (3, "delivered"),
        (4, "delivered"),
        (5, "acknowledged"),
    ]
    return first


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        assert cursor.rowcount == 1


def verify(*args: str) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("hotline", "verify", *args, stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def event(channel, seq: int) -> Event:
    return Event.objects.get(channel=channel, seq=seq)


def test_untouched_record_verifies(record, link):
    ok, out = verify()
    assert ok and "OK: 5 entries" in out


def test_edited_event_payload_is_named_first(record, link):
    third, fifth = event(link, 3), event(link, 5)
    for row in (fifth, third):
        sql(
            "UPDATE hotline_event SET payload = REPLACE(payload, %s, %s) WHERE id = %s",
            ['"state":"MNG"', '"state":"THA"', row.pk],
        )
    ok, out = verify("--channel", str(link.pk))
    assert not ok
    assert f"BROKEN at seq 3 (entry event id {third.pk}): hash does not match" in out


def test_rehashed_event_fails_its_signature(record, link):
    """Whoever rewrites an entry and recomputes its hash still cannot sign it."""
    row = event(link, 4)
    payload = row.payload.replace('"kind":"delivered"', '"kind":"acknowledged"')
    sql(
        "UPDATE hotline_event SET payload = %s, hash = %s WHERE id = %s",
        [payload, chain.entry_hash(payload), row.pk],
    )
    ok, out = verify()
    assert not ok and f"BROKEN at seq 4 (entry event id {row.pk})" in out
    assert "signature is not valid" in out


def test_edited_message_row_is_detected(record, link):
    sql("UPDATE hotline_message SET body = %s WHERE id = %s", ["Nothing was asked.", record.pk])
    ok, out = verify()
    sent = event(link, 1)
    assert not ok
    assert f"BROKEN at seq 1 (entry event id {sent.pk}): message {record.pk} content" in out


def test_edited_acknowledgement_time_is_detected(record, link):
    sql(
        "UPDATE hotline_receipt SET acknowledged_at = %s WHERE message_id = %s",
        [record.sent_at, record.pk],
    )
    ok, out = verify()
    assert not ok and "BROKEN at seq 5" in out and "acknowledged time" in out


def test_deleted_last_entry_is_detected(record, link):
    sql("DELETE FROM hotline_event WHERE id = %s", [event(link, 5).pk])
    ok, out = verify()
    assert not ok and "entries are missing after the last one" in out


@pytest.fixture
def bundle(record, link, tmp_path):
    path, key = tmp_path / "record.json", tmp_path / "platform.pem"
    call_command("hotline", "export", "--channel", str(link.pk), "-o", str(path), stdout=StringIO())
    key_out = StringIO()
    call_command("hotline", "public-key", stdout=key_out)
    key.write_text(key_out.getvalue())
    return path, key


def offline(path: Path, key: Path) -> subprocess.CompletedProcess:
    """``python -m cbmhub.hotline.chain``: no Django settings, no database."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "cbmhub.hotline.chain", str(path), str(key)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_exported_bundle_verifies_offline(bundle):
    path, key = bundle
    done = offline(path, key)
    assert done.returncode == 0 and "OK: 5 entries" in done.stdout
    ok, out = verify("--bundle", str(path), "--public-key", str(key))
    assert ok and "OK: 5 entries" in out


def test_edited_bundle_fails_offline(bundle):
    path, key = bundle
    data = json.loads(path.read_text())
    entry = data["entries"][2]  # seq 3: a delivery
    entry["payload"] = entry["payload"].replace('"kind":"delivered"', '"kind":"acknowledged"')
    path.write_text(json.dumps(data))

    done = offline(path, key)
    assert done.returncode == 1
    assert "BROKEN at seq 3 (entry #2): hash does not match" in done.stdout
    ok, out = verify("--bundle", str(path), "--public-key", str(key))
    assert not ok and "BROKEN at seq 3" in out


def test_bundle_with_a_dropped_entry_fails(bundle):
    path, key = bundle
    data = json.loads(path.read_text())
    del data["entries"][1]
    path.write_text(json.dumps(data))
    done = offline(path, key)
    assert done.returncode == 1 and "BROKEN at seq 3 (entry #1)" in done.stdout
