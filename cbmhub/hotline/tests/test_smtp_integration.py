"""The hotline's e-mails through a real SMTP server process.

aiosmtpd runs as a separate process (``python -m aiosmtpd``) on a free loopback port and stores
every message it accepts in a maildir, with the envelope recipients in ``X-RcptTo``. Django's
SMTP backend talks to it over the network exactly as it talks to a production relay.

What a hotline e-mail contains (need to know; delivery.email_for):

- always: the priority, the kind, the TLP marking, the sender state, the channel, the
  instrument, the acknowledgement deadline, a link to the message in CBM Hub, and a stable
  ``Message-ID: <hotline-delivery-<delivery id>@<site host>>`` plus ``X-CBMHub-Delivery``;
- the message's subject and body only under TLP:CLEAR and TLP:GREEN. Under AMBER, AMBER+STRICT
  and RED neither travels by e-mail (SMTP relays are outside the parties' control): the
  subject line says "#<id> (TLP:…)" and the reader signs in to read the content.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from django.utils import timezone

from cbmhub.conftest import make_poc
from cbmhub.hotline import services, transports, worker
from cbmhub.hotline.choices import DeliveryKind, DeliveryStatus, EventKind
from cbmhub.hotline.models import Delivery, Event
from cbmhub.hotline.permissions import SYSTEM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_server(maildir: Path, port: int | None = None) -> Iterator[int]:
    """Run aiosmtpd in its own process, storing accepted mail in `maildir`; yields the port."""
    port = port or free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"aiosmtpd exited: {stderr}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("aiosmtpd did not start listening within 15 s")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def received(maildir: Path) -> list[EmailMessage]:
    """Every message the server accepted. Maildir writes to tmp/ and renames into new/, so a
    file in new/ is always complete."""
    folder = maildir / "new"
    if not folder.is_dir():
        return []
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(folder.iterdir())]


def text_of(email: EmailMessage) -> str:
    body = email.get_body(preferencelist=("plain",))
    assert body is not None, "no text/plain part"
    return body.get_content()


@pytest.fixture
def smtp(settings, tmp_path):
    """A live SMTP server process; Django's SMTP backend pointed at it. Yields the maildir."""
    maildir = tmp_path / "maildir"
    with smtp_server(maildir) as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5
        settings.SITE_URL = "https://hub.example.test"
        yield maildir


@pytest.fixture
def parties(alice, anna, bob, bert, state_b):
    # A second technical point of contact of B: the message goes to both, and only to them.
    make_poc(state_b, "technical", "MonCIRT night shift", email="night.mng@example.org")


def test_message_emails_arrive_with_metadata_only(smtp, parties, anna, link, send):
    message = send(
        anna,
        link,
        subject="Beaconing to 203.0.113.7",
        body="Hosts in ministry range contact a known C2 server.",
        tlp="AMBER",
        instrument="OSCE CBM 3",
    ).message

    assert worker.deliveries_process() == 3  # the inbox and two e-mails

    mails = received(smtp)
    emails = {d.address: d for d in Delivery.objects.filter(kind=DeliveryKind.EMAIL)}
    assert sorted(m["X-RcptTo"] for m in mails) == [
        "night.mng@example.org",
        "technical.mng@example.org",
    ]
    for mail in mails:
        row = emails[mail["X-RcptTo"]]
        assert mail["To"] == row.address
        assert mail["Message-ID"] == f"<hotline-delivery-{row.pk}@hub.example.test>"
        assert mail["X-CBMHub-Delivery"] == str(row.pk)
        assert mail["Subject"] == (
            f"[CBM Hub] URGENT Request for information: #{message.pk} (TLP:AMBER)"
        )
        text = text_of(mail)
        assert "TLP:AMBER" in text
        assert "From: Kazakhstan" in text and "Instrument: OSCE CBM 3" in text
        assert f"https://hub.example.test/hotline/messages/{message.pk}/" in text
        # Need to know: neither the subject nor the body crosses SMTP under AMBER.
        assert "Beaconing" not in text + mail["Subject"]
        assert "C2 server" not in text
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert message.receipts.get().delivered_at is not None


def test_green_message_carries_subject_and_body(smtp, parties, anna, link, send):
    message = send(
        anna, link, subject="Exercise notice", body="Shareable exercise details.", tlp="GREEN"
    ).message
    worker.deliveries_process()
    mails = received(smtp)
    assert len(mails) == 2
    for mail in mails:
        assert mail["Subject"] == "[CBM Hub] URGENT Request for information: Exercise notice"
        assert "Shareable exercise details." in text_of(mail)
    assert message.receipts.get().delivered_at is not None


def test_resend_after_a_crash_keeps_the_message_id(smtp, parties, anna, link, send):
    """A worker that dies after the server accepted a mail, before recording it: the row is sent
    again once its lease expires, with the same Message-ID, and recorded once."""
    send(anna, link)
    dead = services.deliveries_claim(lease=timedelta(seconds=30), actor=SYSTEM)
    first = next(d for d in dead if d.kind == DeliveryKind.EMAIL)
    transports.email_for(first).send(fail_silently=False)  # ... and the worker dies here

    assert worker.deliveries_process(now=timezone.now() + timedelta(seconds=31)) == 3

    mails = received(smtp)
    ids = [m["Message-ID"] for m in mails]
    assert len(mails) == 3 and len(set(ids)) == 2  # one raw duplicate ...
    assert ids.count(transports.message_id_for(first)) == 2  # ... the receiver can drop by id
    assert Event.objects.filter(kind=EventKind.DELIVERED).count() == 1
    assert not services.delivery_mark_sent(first, actor=SYSTEM)  # the dead worker's claim is void


def test_smtp_server_down_then_up(settings, tmp_path, parties, anna, link, send):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    send(anna, link)

    worker.deliveries_process()  # nothing listens on the port yet
    failed = Delivery.objects.filter(kind=DeliveryKind.EMAIL)
    assert {d.status for d in failed} == {DeliveryStatus.PENDING}
    assert all("ConnectionRefusedError" in d.last_error for d in failed)

    with smtp_server(tmp_path / "maildir", port=port):
        later = timezone.now() + timedelta(minutes=1)  # past the first back-off (30 s)
        assert worker.deliveries_process(now=later) == 2
        assert len(received(tmp_path / "maildir")) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
