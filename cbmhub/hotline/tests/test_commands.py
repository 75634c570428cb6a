import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command

from cbmhub.hotline import services, signing
from cbmhub.hotline.models import Event, Message, Receipt


@pytest.fixture
def record(alice, anna, bob, bert, link, send):
    message = send(anna, link).message
    call_command("hotline", "worker", "--once", stdout=open(os.devnull, "w"))
    services.message_acknowledge(actor=bert, message=message)
    return message


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("hotline", *args, stdout=out)
    return out.getvalue()


def test_worker_once_delivers(record):
    assert Receipt.objects.get(message=record).delivered_at is not None


def test_verify_ok(record, link):
    assert "OK: 3 entries" in run("verify", "--channel", str(link.pk))


def test_tampered_event_is_named(record, link):
    event = Event.objects.get(channel=link, seq=2)
    Event.objects.filter(pk=event.pk).update(payload=event.payload.replace('"MNG"', '"THA"'))
    out = run_capturing_failure("verify")
    assert f"BROKEN at seq 2 (entry event id {event.pk})" in out


def run_capturing_failure(*args):
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("hotline", *args, stdout=out)
    return out.getvalue()


def test_tampered_message_body_is_detected(record):
    Message.objects.filter(pk=record.pk).update(body="Nothing was asked.")
    assert "content differs" in run_capturing_failure("verify")


def test_tampered_acknowledgement_time_is_detected(record):
    receipt = Receipt.objects.get(message=record)
    Receipt.objects.filter(pk=receipt.pk).update(acknowledged_at=record.sent_at)
    assert "acknowledged time" in run_capturing_failure("verify")


def test_deleted_last_event_is_detected(record, link):
    Event.objects.filter(channel=link, seq=3).delete()
    assert "missing" in run_capturing_failure("verify")


def test_export_and_offline_verify(record, link, tmp_path):
    bundle = tmp_path / "record.json"
    key = tmp_path / "platform.pem"
    run("export", "--channel", str(link.pk), "-o", str(bundle))
    key.write_text(run("public-key"))
    assert "OK: 3 entries" in run("verify", "--bundle", str(bundle), "--public-key", str(key))
    data = json.loads(bundle.read_text())
    assert "Scanning" not in bundle.read_text()
    data["entries"][1]["signature"] = data["entries"][0]["signature"]
    bundle.write_text(json.dumps(data))
    out = run_capturing_failure("verify", "--bundle", str(bundle), "--public-key", str(key))
    assert "BROKEN at seq 2" in out


def test_bundle_needs_a_key(tmp_path):
    with pytest.raises(CommandError, match="public-key"):
        run("verify", "--bundle", str(tmp_path / "x.json"))


def test_signing_key_is_created_private(settings):
    signing.public_key_pem()
    mode = stat.S_IMODE(os.stat(settings.CBMHUB_SIGNING_KEY_FILE).st_mode)
    assert mode == 0o600


@pytest.mark.django_db
def test_demo_is_idempotent_and_verifies():
    from cbmhub.accounts import demo as accounts_demo
    from cbmhub.directory import demo as directory_demo
    from cbmhub.hotline import demo
    from cbmhub.hotline.models import Receipt as R

    directory_demo.load()
    accounts_demo.load()
    assert demo.load()["messages"] >= 5
    assert demo.load() == {}
    statuses = {r.status for r in R.objects.all()}
    assert {"delivered", "acknowledged", "replied"} <= statuses
    assert R.objects.filter(escalation_count__gt=0, acknowledged_at__isnull=True).exists()
    assert "BROKEN" not in run("verify")
