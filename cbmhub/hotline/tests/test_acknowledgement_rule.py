"""One rule for what waits for an acknowledgement (issue 10.6): the inbox counter, the rows with
an acknowledgement deadline, the Acknowledge button, the service and the API agree.

The issue's inbox: three requests from A wait for B's acknowledgement, and a Response from A
(to an earlier request of B) expects none — it was counted as a fourth, its receipt said "not
expected" and still offered an Acknowledge button.
"""

from __future__ import annotations

import pytest

from cbmhub.hotline import selectors, services
from cbmhub.hotline.choices import MessageKind
from cbmhub.hotline.models import Receipt
from cbmhub.hotline.permissions import SYSTEM


@pytest.fixture
def inbox_of_b(alice, anna, bob, bert, link, send):
    question = send(bert, link, subject="B asks").message
    response = services.message_reply(actor=anna, message=question, body="Our answer.").message
    requests = [send(anna, link, subject=f"Request {n}").message for n in range(3)]
    return response, requests


def test_counter_rows_and_button_agree(client_for, bert, inbox_of_b):
    response, requests = inbox_of_b
    assert selectors.unacknowledged_count(bert) == 3
    page = client_for(bert).get("/hotline/").content.decode()
    assert "3 messages wait for your acknowledgement." in page
    rows = selectors.inbox_list(bert)
    waiting = [i.message.pk for i in rows if i.action and i.due_kind == "ack"]
    assert sorted(waiting) == sorted(m.pk for m in requests)
    assert page.count('<small class="muted">acknowledgement</small>') == 3
    for message in requests:
        assert selectors.access_message(bert, message.pk).can_acknowledge
    # The response: no deadline, "not expected", and no button.
    access = selectors.access_message(bert, response.pk)
    assert not access.can_acknowledge
    detail = client_for(bert).get(f"/hotline/messages/{response.pk}/").content.decode()
    assert 'data-testid="acknowledge"' not in detail and "not expected" in detail


def test_acknowledging_a_response_is_refused_with_a_clear_error(
    api_for, client_for, bert, inbox_of_b
):
    response, requests = inbox_of_b
    answer = api_for(bert).post(f"/api/v1/hotline/messages/{response.pk}/acknowledge/")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "acknowledgement_not_expected"
    assert "expects no acknowledgement" in answer.json()["error"]["message"]
    assert Receipt.objects.get(message=response).acknowledged_at is None
    # An expected one works, and the counter follows.
    ok = api_for(bert).post(f"/api/v1/hotline/messages/{requests[0].pk}/acknowledge/")
    assert ok.status_code == 200 and selectors.unacknowledged_count(bert) == 2
    page = client_for(bert).get("/hotline/").content.decode()
    assert "2 messages wait for your acknowledgement." in page


@pytest.mark.parametrize("kind", MessageKind.values)
def test_the_rule_and_its_query_agree_for_every_kind(alice, anna, bob, bert, link, send, kind):
    if kind == MessageKind.RESPONSE:
        question = send(bert, link).message
        message = services.message_reply(actor=anna, message=question, body="Answer.").message
    else:
        message = send(anna, link, kind=kind).message
    receipt = message.receipts.get()
    in_query = Receipt.objects.filter(selectors.awaiting_acknowledgement(), pk=receipt.pk).exists()
    assert receipt.awaits_acknowledgement == in_query == (kind != MessageKind.RESPONSE)
    assert selectors.unacknowledged_count(bert) == int(in_query)


def test_the_escalation_follows_the_same_rule(alice, anna, bob, bert, link, send):
    from datetime import timedelta

    question = send(bert, link).message
    response = services.message_reply(actor=anna, message=question, body="Answer.").message
    # Even a receipt scheduled for escalation by hand is not escalated when nothing is awaited.
    Receipt.objects.filter(message=response).update(next_escalation_at=response.sent_at)
    assert services.escalations_run(now=response.sent_at + timedelta(days=30), actor=SYSTEM) == 0
    assert Receipt.objects.get(message=response).escalation_count == 0
