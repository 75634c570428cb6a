import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from cbmhub.directory.selectors import points_of_contact_for
from cbmhub.hotline import selectors, services, transports, worker
from cbmhub.hotline.choices import DeliveryKind, DeliveryPurpose, DeliveryStatus, EventKind
from cbmhub.hotline.models import Delivery, Event, Webhook
from cbmhub.hotline.permissions import SYSTEM
from cbmhub.hotline.services.outbox import _active_webhooks, receipt_deliveries


@pytest.fixture
def message(alice, anna, bob, bert, link, send):
    return send(anna, link, body="Secret body text.", tlp="RED").message


def test_worker_pass_delivers_and_marks_delivered_once(message):
    assert worker.deliveries_process() == 2
    assert worker.deliveries_process() == 0
    receipt = message.receipts.get()
    assert receipt.delivered_at is not None
    assert Event.objects.filter(kind=EventKind.DELIVERED).count() == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    [email] = mail.outbox
    assert email.to == ["technical.mng@example.org"]
    assert email.extra_headers["Message-ID"].startswith("<hotline-delivery-")
    assert "TLP:RED" in email.body and "Secret body" not in email.body


def test_green_body_travels_in_email(alice, anna, bob, bert, link, send):
    send(anna, link, body="Shareable text.", tlp="GREEN")
    worker.deliveries_process()
    assert "Shareable text." in mail.outbox[0].body


def test_failure_is_retried_with_backoff(message, settings):
    settings.EMAIL_BACKEND = "cbmhub.hotline.tests.test_delivery.BrokenBackend"
    worker.deliveries_process()
    failed = Delivery.objects.get(kind="email")
    assert failed.status == DeliveryStatus.PENDING and "SMTP down" in failed.last_error
    assert failed.available_at > timezone.now()
    # The inbox delivery still succeeded, so the state counts as reached.
    assert message.receipts.get().delivered_at is not None


def test_gives_up_after_max_attempts(message, settings):
    settings.EMAIL_BACKEND = "cbmhub.hotline.tests.test_delivery.BrokenBackend"
    Delivery.objects.filter(kind="email").update(attempts=services.MAX_ATTEMPTS - 1)
    worker.deliveries_process()
    assert Delivery.objects.get(kind="email").status == DeliveryStatus.FAILED


def test_expired_claim_of_a_dead_worker_is_taken_again(message):
    dead = services.deliveries_claim(lease=timedelta(seconds=30), actor=SYSTEM)
    assert len(dead) == 2 and services.deliveries_claim(actor=SYSTEM) == []
    later = timezone.now() + timedelta(seconds=31)
    retaken = services.deliveries_claim(now=later, actor=SYSTEM)
    assert {d.pk for d in retaken} == {d.pk for d in dead}
    # The dead worker's late report is ignored: its claim is gone.
    assert not services.delivery_mark_sent(dead[0], actor=SYSTEM)
    assert all(services.delivery_mark_sent(d, actor=SYSTEM) for d in retaken)
    assert Event.objects.filter(kind=EventKind.DELIVERED).count() == 1


def test_claims_do_not_overlap(alice, anna, bob, bert, link, send):
    for _ in range(5):
        send(anna, link)
    first = services.deliveries_claim(batch=4, actor=SYSTEM)
    second = services.deliveries_claim(batch=100, actor=SYSTEM)
    assert len(first) == 4 and len(second) == 6
    assert not {d.pk for d in first} & {d.pk for d in second}


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")


@pytest.fixture
def webhook_server():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers, body))  # case-insensitive
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


def test_webhook_is_signed_and_carries_no_body(
    alice, anna, bob, bert, link, send, state_b, webhook_server
):
    url, received = webhook_server
    hook = services.webhook_create(actor=bob, state=state_b, url=url, secret="s3cret")
    message = send(anna, link, body="Secret body text.").message
    worker.deliveries_process()
    [(headers, body)] = received
    expected = hmac.new(
        b"s3cret", headers["X-CBMHub-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-CBMHub-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["message"] == message.pk and payload["recipient_state"] == "MNG"
    assert b"Secret body" not in body
    assert Delivery.objects.get(webhook=hook).status == DeliveryStatus.SENT


def test_webhook_refused_to_other_states(bob, carol, state_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.webhook_create(actor=carol, state=state_b, url="https://x.example/h")
    assert not Webhook.objects.exists()


def _worker_pass_queries(django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        return worker.deliveries_process(batch=200)


def test_inbox_batch_is_recorded_in_a_flat_number_of_queries(
    alice, anna, bob, bert, carol, link, network, send, django_assert_max_num_queries
):
    # Both channels, several recipient states: one lock + one INSERT + one head UPDATE per
    # channel, not per receipt. 1 message → 3 receipts on the network channel, 4 on the link.
    send(anna, network)
    for _ in range(4):
        send(anna, link)
    inbox_rows = Delivery.objects.filter(kind="inbox").count()
    other_rows = Delivery.objects.exclude(kind="inbox").count()
    assert inbox_rows == 6
    # claim (3) + inbox batch (~4 + 3 per channel) + one short transaction per e-mail row,
    # whose receipt is already known to be delivered (no receipt query).
    claimed = _worker_pass_queries(django_assert_max_num_queries, 20 + 3 * other_rows)
    assert claimed == inbox_rows + other_rows
    assert Event.objects.filter(kind=EventKind.DELIVERED).count() == 6
    for channel in (link, network):
        assert selectors.record_verify(channel).ok


def test_receipts_mark_delivered_sets_each_receipt_once(alice, anna, bob, bert, link, send):
    receipts = [send(anna, link).message.receipts.get() for _ in range(3)]
    ids = [r.pk for r in receipts]
    first = services.receipts_mark_delivered(receipt_ids=ids[:2], actor=SYSTEM)
    second = services.receipts_mark_delivered(receipt_ids=ids, actor=SYSTEM)
    assert first == set(ids[:2]) and second == {ids[2]}
    assert services.receipts_mark_delivered(receipt_ids=ids, actor=SYSTEM) == set()
    assert Event.objects.filter(kind=EventKind.DELIVERED).count() == 3
    assert selectors.record_verify(link).ok


def test_tasks_drive_the_same_delivery_as_the_worker(message, settings):
    """A deployment that runs a django-tasks worker instead of `cbmhub hotline worker` gets the
    same deliveries through the thin tasks (run here by the immediate backend)."""
    from cbmhub.hotline import tasks

    # django-tasks resets its backends when TASKS changes (setting_changed).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = tasks.process_outbox.enqueue()
    assert result.return_value == 2
    assert message.receipts.get().delivered_at is not None
    assert tasks.run_escalations.enqueue().return_value == 0


def test_every_email_and_webhook_links_to_its_page_on_the_site(
    alice, anna, bob, bert, cica, sam, link, send, state_b, settings
):
    """Each notification carries the absolute address of the page it is about: the message (its
    e-mail, an escalation, the sender's notice, the webhook) or the check's confirmation link."""
    from cbmhub.hotline.choices import DeliveryPurpose

    settings.SITE_URL = "https://hub.example.test/"  # the trailing slash is not doubled
    services.webhook_create(actor=bob, state=state_b, url="https://cert.example/hook", secret="s")
    message = send(anna, link, priority="flash").message
    services.escalations_run(now=message.sent_at + timedelta(minutes=16), actor=SYSTEM)
    check = services.check_start(actor=sam, organisation=cica)
    message_url = f"https://hub.example.test/hotline/messages/{message.pk}/"

    def email_lines(purpose):
        return [
            transports.email_for(d).body.splitlines()
            for d in Delivery.objects.filter(kind="email", purpose=purpose)
        ]

    for purpose in (
        DeliveryPurpose.MESSAGE,
        DeliveryPurpose.ESCALATION,
        DeliveryPurpose.SENDER_NOTICE,
    ):
        bodies = email_lines(purpose)
        assert bodies and all(lines[-1] == message_url for lines in bodies), purpose
    confirm_links = {lines[-1] for lines in email_lines(DeliveryPurpose.CHECK)}
    assert confirm_links == {
        f"https://hub.example.test/hotline/checks/confirm/{target.token}/"
        for target in check.targets.all()
    }
    hooks = Delivery.objects.filter(kind="webhook")  # the message and its escalation
    assert hooks and all(transports.webhook_payload(d)["url"] == message_url for d in hooks)


def test_a_receipts_deliveries_are_built_in_one_place(alice, anna, bob, bert, link, send):
    """outbox.receipt_deliveries builds both a message's and an escalation's rows: the inbox row
    only for the message itself, e-mails to the points of contact given, the state's webhooks."""
    Webhook.objects.create(state=bert.state, url="https://b.example/hook", secret="s")
    receipt = send(anna, link).message.receipts.get()
    pocs = points_of_contact_for(
        state=receipt.state, level=link.level, organisation=link.organisation
    )
    webhooks = _active_webhooks([receipt.state_id])
    now = timezone.now()

    def kinds(purpose):
        rows = receipt_deliveries(receipt, purpose=purpose, pocs=pocs, webhooks=webhooks, now=now)
        assert all(r.receipt is receipt and r.purpose == purpose for r in rows)
        return sorted(r.kind for r in rows)

    # What message_send queued for the receipt is what the one function builds.
    queued = sorted(receipt.deliveries.values_list("kind", flat=True))
    assert kinds(DeliveryPurpose.MESSAGE) == queued
    assert DeliveryKind.EMAIL in queued and DeliveryKind.WEBHOOK in queued
    # An escalation is no new arrival in the inbox.
    assert kinds(DeliveryPurpose.ESCALATION) == [k for k in queued if k != DeliveryKind.INBOX]
