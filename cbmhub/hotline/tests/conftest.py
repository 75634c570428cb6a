"""Hotline fixtures: a bilateral A–B channel and a multilateral CICA channel."""

from __future__ import annotations

from typing import Any

import pytest

from cbmhub.hotline import services
from cbmhub.hotline.choices import MessageKind, Priority, Scope, Tlp
from cbmhub.hotline.models import Channel, CommunicationCheck


@pytest.fixture
def world(alice, anna, bob, bert, carol, sam, olga, root):
    """Every persona of cbmhub/conftest.py by name: two points of contact of each of states A
    and B, one of C, the CICA secretariat officer, an observer and an operator."""
    return locals()


@pytest.fixture
def network(cica, state_a, state_b, state_c):
    return Channel.objects.create(
        name="CICA network", scope=Scope.MULTILATERAL, level="technical", organisation=cica
    )


@pytest.fixture
def send():
    """``send(user, channel, **overrides)``: message_send with sensible defaults."""

    def do(user, channel, **overrides):
        fields: dict[str, Any] = {
            "kind": MessageKind.REQUEST_INFORMATION,
            "priority": Priority.URGENT,
            "subject": "Scanning from your address space",
            "body": "Please look into it.",
            "tlp": Tlp.AMBER,
        }
        fields.update(overrides)
        return services.message_send(actor=user, channel=channel, **fields)

    return do


@pytest.fixture
def answered_checks(world, cica):
    """``answered_checks(count)``: start CICA communication checks as sam, each answered by
    anna only (so answers and response times are in the figures), until there are ``count``."""

    def start_until(count):
        while CommunicationCheck.objects.count() < count:
            check = services.check_start(actor=world["sam"], organisation=cica)
            services.check_answer(actor=world["anna"], communication_check=check)

    return start_until


@pytest.fixture
def announced():
    """The kinds of the events ``services.event_recorded`` announced during the test, in order
    (it fires only when a transaction commits: wrap the call in
    ``django_capture_on_commit_callbacks(execute=True)``)."""
    kinds: list[str] = []

    def receive(sender, event, **kwargs):
        kinds.append(event.kind)

    services.event_recorded.connect(receive, weak=False, dispatch_uid="hotline-tests-announced")
    yield kinds
    services.event_recorded.disconnect(dispatch_uid="hotline-tests-announced")
