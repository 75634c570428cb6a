"""Fan-out (issue 17): a message or a check to a whole organisation is written in bulk, and the
HTTP API costs the same number of queries however many states it reaches."""

from __future__ import annotations

import itertools
import json
import string
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbmhub.conftest import make_poc, make_user
from cbmhub.directory.models import Membership, Organisation, State
from cbmhub.hotline import services, worker
from cbmhub.hotline.choices import DeliveryKind, DeliveryStatus, EventKind, Scope
from cbmhub.hotline.models import (
    Channel,
    CheckTarget,
    Delivery,
    Event,
    Message,
    Receipt,
    Webhook,
)
from cbmhub.hotline.permissions import SYSTEM

URL = "/api/v1/hotline/"


# Statements per request on a multilateral channel (the savepoint pair of the test's
# transaction included; docs/hotline.md lists them). Send: the token, the channel with the
# caller's memberships as a subquery, the member states, 2 inserts, webhooks, points of contact
# and their contact channels, the outbox insert, the chain's head lock, entry and head update.
# Acknowledge: the token, the message with its channel, the receipt locked and updated, the chain.
API_SEND_QUERIES = 14
API_ACK_QUERIES = 9
API_REPLY_QUERIES = 22
# A bilateral channel is read with its two states: no query for the member states.
API_BILATERAL_SEND_QUERIES = 13


def organisation_of(acronym: str, sender_state, count: int, *, pocs: int = 2) -> Organisation:
    """An organisation of `sender_state` and `count` other states, each with `pocs` technical
    points of contact (with an e-mail address) and one webhook."""
    org = Organisation.objects.create(acronym=acronym, name=acronym, kind="regional")
    Membership.objects.create(state=sender_state, organisation=org, status="member")
    taken = set(State.objects.values_list("iso2", flat=True))
    codes = ("".join(p) for p in itertools.product(string.ascii_uppercase, repeat=2))
    for code in itertools.islice((c for c in codes if c not in taken), count):
        state = State.objects.create(name=f"Fan-out {code}", iso2=code, iso3="Q" + code)
        Membership.objects.create(state=state, organisation=org, status="member")
        for n in range(pocs):
            make_poc(state, "technical", f"CERT {n}", email=f"cert{n}@{code.lower()}.example.org")
        Webhook.objects.create(state=state, url=f"https://{code.lower()}.example.org/hook")
    return org


def network_of(org: Organisation) -> Channel:
    return Channel.objects.create(
        name=f"{org.acronym} network", scope=Scope.MULTILATERAL, level="technical", organisation=org
    )


def _payload(channel: Channel, n: int) -> dict:
    return {
        "channel": channel.pk,
        "kind": "incident_notification",
        "priority": "flash",
        "subject": f"Flash {n}",
        "body": "Indicators attached.",
        "tlp": "AMBER",
    }


def _queries(call: Callable[[], Any]) -> tuple[int, Any]:
    """Statements run by `call`, a bulk INSERT counted once: SQLite caps a statement at 999
    parameters, so Django splits one bulk_create into several INSERTs there (PostgreSQL sends
    one); what must not grow is the number of separate reads and writes."""
    with CaptureQueriesContext(connection) as captured:
        result = call()
    statements = [q["sql"] for q in captured.captured_queries]
    count = sum(
        1
        for n, sql in enumerate(statements)
        if not (n and sql.startswith("INSERT") and _table(sql) == _table(statements[n - 1]))
    )
    return count, result


def _table(sql: str) -> str:
    return sql.split("(", 1)[0]


@pytest.fixture
def small_and_large(world, state_a):
    small = network_of(organisation_of("SMALL", state_a, 2))
    large = network_of(organisation_of("LARGE", state_a, 40))
    return small, large


def test_api_send_costs_the_same_queries_for_2_and_40_recipient_states(
    api_for, anna, small_and_large
):
    small, large = small_and_large
    api = api_for(anna)
    assert api.post(URL + "messages/", _payload(small, 0), format="json").status_code == 201
    counts = {}
    for channel in (small, large):
        count, response = _queries(
            partial(api.post, URL + "messages/", _payload(channel, 1), format="json")
        )
        assert response.status_code == 201, response.content
        assert len(response.json()["receipts"]) == (2 if channel is small else 40)
        counts[channel.pk] = count
    assert counts[small.pk] == counts[large.pk], counts
    assert counts[small.pk] == API_SEND_QUERIES, counts
    # And what the queries wrote: 40 receipts, 40 inbox rows, 80 e-mails, 40 webhook calls.
    message = Message.objects.filter(channel=large).get()
    rows = Delivery.objects.filter(message=message)
    assert Receipt.objects.filter(message=message).count() == 40
    assert rows.filter(kind=DeliveryKind.INBOX).count() == 40
    assert rows.filter(kind=DeliveryKind.EMAIL).count() == 80
    assert rows.filter(kind=DeliveryKind.WEBHOOK).count() == 40


def test_api_acknowledge_and_reply_cost_the_same_queries_for_2_and_40_recipients(
    api_for, anna, small_and_large
):
    small, large = small_and_large
    sent = {}
    for channel in (small, large):
        body = api_for(anna).post(URL + "messages/", _payload(channel, 0), format="json").json()
        sent[channel.pk] = body["id"]
    acks, replies = {}, {}
    for channel in (small, large):
        # A point of contact of the first recipient state (ordered by name) answers.
        receipt = Receipt.objects.filter(message_id=sent[channel.pk]).order_by("state__name")[0]
        who = make_user(f"poc-{receipt.state.iso3}", role="poc", state=receipt.state)
        api = api_for(who)
        path = f"{URL}messages/{sent[channel.pk]}/"
        api.get(path)  # warms per-process caches for this user
        acks[channel.pk], response = _queries(partial(api.post, path + "acknowledge/"))
        assert response.status_code == 200, response.content
        replies[channel.pk], response = _queries(
            partial(api.post, path + "reply/", {"body": "Seen."}, format="json")
        )
        assert response.status_code == 201, response.content
    assert acks[small.pk] == acks[large.pk], acks
    assert replies[small.pk] == replies[large.pk], replies
    assert acks[small.pk] == API_ACK_QUERIES, acks
    assert replies[small.pk] == API_REPLY_QUERIES, replies


def test_api_bilateral_send_and_acknowledge_queries(api_for, anna, bert, link):
    sender, recipient = api_for(anna), api_for(bert)
    assert sender.post(URL + "messages/", _payload(link, 0), format="json").status_code == 201
    count, response = _queries(
        partial(sender.post, URL + "messages/", _payload(link, 1), format="json")
    )
    assert response.status_code == 201, response.content
    assert count == API_BILATERAL_SEND_QUERIES
    message_id = response.json()["id"]
    # The response still carries what a read gives: receipts, the content, no re-read.
    assert response.json()["content_withheld"] is False
    assert [r["state"] for r in response.json()["receipts"]] == ["MNG"]
    assert response.json() == {**sender.get(f"{URL}messages/{message_id}/").json()}
    count, response = _queries(partial(recipient.post, f"{URL}messages/{message_id}/acknowledge/"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "acknowledged"
    assert count == API_ACK_QUERIES


def test_service_send_queries_do_not_grow_with_recipients(anna, small_and_large, send):
    small, large = small_and_large
    send(anna, small)
    counts = [_queries(partial(send, anna, c))[0] for c in (small, large)]
    assert counts[0] == counts[1], counts


def test_fan_out_record_is_one_sent_entry_and_verifies(anna, small_and_large, send):
    from cbmhub.hotline import selectors

    _, large = small_and_large
    result = send(anna, large)
    entries = Event.objects.filter(channel=large)
    assert list(entries.values_list("kind", flat=True)) == [EventKind.SENT]
    assert len(json.loads(entries.get().payload)["data"]["recipients"]) == 40
    Delivery.objects.filter(kind=DeliveryKind.WEBHOOK).delete()  # no webhook server here
    while worker.deliveries_process(batch=50):
        pass
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    delivered = Event.objects.filter(channel=large, kind=EventKind.DELIVERED)
    assert delivered.count() == 40  # one per recipient state, however many rows reached it
    assert not Receipt.objects.filter(message=result.message, delivered_at__isnull=True).exists()
    verification = selectors.record_verify(large)
    assert verification.ok, verification.describe()


def test_check_of_every_point_of_contact_is_written_in_bulk(world, state_a, sam):
    small = organisation_of("SMALLC", state_a, 2, pocs=3)
    large = organisation_of("LARGEC", state_a, 40, pocs=3)
    sam.organisation = small
    sam.save()
    services.check_start(actor=sam, organisation=small)  # warms up
    small_count, _ = _queries(lambda: services.check_start(actor=sam, organisation=small))
    sam.organisation = large
    sam.save()
    services.check_start(actor=sam, organisation=large)
    large_count, check = _queries(lambda: services.check_start(actor=sam, organisation=large))
    assert small_count == large_count
    assert CheckTarget.objects.filter(communication_check=check).count() == 120 + 2  # + A's 2
    assert Delivery.objects.filter(check_target__communication_check=check).count() == 122


def test_worker_batch_queries_do_not_grow_per_inbox_row(anna, small_and_large, send):
    """The inbox rows of a batch are recorded together: a batch of 2 and one of 40 inbox rows
    cost the same queries (e-mails and webhooks are recorded one by one, right after each send,
    so that a crash resends at most the row in flight)."""
    small, large = small_and_large
    counts = []
    for channel in (small, large):
        send(anna, channel)
        Delivery.objects.exclude(kind=DeliveryKind.INBOX).delete()
        counts.append(_queries(lambda: worker.deliveries_process(batch=100))[0])
        assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
    assert counts[0] == counts[1], counts


def test_email_rows_of_a_delivered_receipt_cost_one_query_each(anna, small_and_large, send):
    _, large = small_and_large
    send(anna, large)
    claimed = services.deliveries_claim(actor=SYSTEM, batch=1000)
    inbox = [d for d in claimed if d.kind == DeliveryKind.INBOX]
    services.inbox_mark_sent(inbox, actor=SYSTEM)
    emails = [d for d in claimed if d.kind == DeliveryKind.EMAIL]
    for d in emails:
        assert d.receipt is not None
        d.receipt.delivered_at = Receipt.objects.get(pk=d.receipt.pk).delivered_at
    count, _ = _queries(lambda: [services.delivery_mark_sent(d, actor=SYSTEM) for d in emails])
    assert count == len(emails) == 80
