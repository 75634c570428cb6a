"""One actor convention in the hotline (issue 9): every service takes ``actor=``; the writes only
the platform does (the worker, escalation, the check closer) take the explicit system actor and
refuse anyone else, None included; the system actor is refused where a person must act."""

from __future__ import annotations

import inspect

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from cbmhub.hotline import services, worker
from cbmhub.hotline.models import Delivery
from cbmhub.hotline.permissions import SYSTEM, SystemActor

# Writes a person makes, and writes only the platform makes.
PERSON_SERVICES = [
    "channel_create",
    "channel_update",
    "webhook_create",
    "message_send",
    "message_reply",
    "message_acknowledge",
    "check_start",
    "check_answer",
]
SYSTEM_SERVICES = [
    "escalations_run",
    "checks_close_due",
    "receipt_mark_delivered",
    "receipts_mark_delivered",
    "deliveries_claim",
    "delivery_mark_sent",
    "inbox_mark_sent",
    "delivery_mark_failed",
    "worker_beat",
]


@pytest.mark.parametrize("name", PERSON_SERVICES + SYSTEM_SERVICES)
def test_every_service_takes_a_required_keyword_actor(name):
    parameters = inspect.signature(getattr(services, name)).parameters
    assert "user" not in parameters
    actor = parameters["actor"]
    assert actor.kind is inspect.Parameter.KEYWORD_ONLY
    assert actor.default is inspect.Parameter.empty  # never a silent None


@pytest.fixture
def queued(anna, bob, bert, link, send):
    """A sent message: its receipt and claimed outbox rows."""
    message = send(anna, link).message
    claimed = services.deliveries_claim(actor=SYSTEM)
    return message, claimed


def _system_calls(message, claimed):
    receipt = message.receipts.get()
    email = next(d for d in claimed if d.kind == "email")
    inbox = [d for d in claimed if d.kind == "inbox"]
    return {
        "escalations_run": lambda actor: services.escalations_run(actor=actor),
        "checks_close_due": lambda actor: services.checks_close_due(actor=actor),
        "receipt_mark_delivered": lambda actor: services.receipt_mark_delivered(
            actor=actor, receipt_id=receipt.pk
        ),
        "receipts_mark_delivered": lambda actor: services.receipts_mark_delivered(
            actor=actor, receipt_ids=[receipt.pk]
        ),
        "deliveries_claim": lambda actor: services.deliveries_claim(actor=actor),
        "delivery_mark_sent": lambda actor: services.delivery_mark_sent(email, actor=actor),
        "inbox_mark_sent": lambda actor: services.inbox_mark_sent(inbox, actor=actor),
        "delivery_mark_failed": lambda actor: services.delivery_mark_failed(
            email, actor=actor, error="x"
        ),
        "worker_beat": lambda actor: services.worker_beat(
            actor=actor, name="w", started_at=message.sent_at
        ),
    }


@pytest.mark.parametrize("name", SYSTEM_SERVICES)
@pytest.mark.parametrize("who", ["anna", "root", None])
def test_system_writes_refuse_a_person_and_none(request, queued, name, who):
    calls = _system_calls(*queued)
    assert set(calls) == set(SYSTEM_SERVICES)
    actor = request.getfixturevalue(who) if who else None
    before = list(Delivery.objects.order_by("pk").values_list("pk", "status", "claim"))
    # In a savepoint: receipts_mark_delivered joins its caller's transaction (no savepoint).
    with pytest.raises(PermissionDenied), transaction.atomic():
        calls[name](actor)
    assert list(Delivery.objects.order_by("pk").values_list("pk", "status", "claim")) == before
    assert queued[0].receipts.get().delivered_at is None


@pytest.mark.parametrize("name", SYSTEM_SERVICES)
def test_system_writes_accept_the_system_actor(queued, name):
    _system_calls(*queued)[name](SYSTEM)


def test_the_worker_acts_as_the_system(queued):
    message, _claimed = queued
    Delivery.objects.update(status="pending", claim="")
    assert worker.deliveries_process() == 2
    assert message.receipts.get().delivered_at is not None


def test_the_system_actor_cannot_act_as_a_person(anna, bob, link, cica, state_b):
    assert isinstance(SYSTEM, SystemActor)
    with pytest.raises(PermissionDenied):
        services.message_send(
            actor=SYSTEM,
            channel=link,
            kind="notification",
            priority="routine",
            subject="s",
            body="b",
        )
    with pytest.raises(PermissionDenied):
        services.check_start(actor=SYSTEM, organisation=cica)
    with pytest.raises(PermissionDenied):
        services.channel_create(actor=SYSTEM, name="x", scope="bilateral", state_a=state_b)
    with pytest.raises(PermissionDenied):
        services.webhook_create(actor=SYSTEM, state=state_b, url="https://b.example/hook")
    # An exercise may send as SYSTEM, but only in the name of a state it names, and only as
    # an exercise (the exercises app).
    with pytest.raises(PermissionDenied):
        services.message_send(
            actor=SYSTEM,
            channel=link,
            kind="free_text",
            priority="routine",
            subject="s",
            body="b",
            sender_state=state_b,
        )
