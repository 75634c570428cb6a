"""Cycle reminders through the hotline (issue 12, build item 4): one hotline message from the
organisation, on its diplomatic-level multilateral channel, to exactly the states that have not
filed, delivered once by the hotline's outbox; a second run sends nothing more; exercise traffic
is untouched; without a channel the e-mail of before, and the log says why."""

from __future__ import annotations

import datetime
import logging
from datetime import timedelta

import pytest
from django.core import mail

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.hotline import record, worker
from cbmhub.hotline import services as hotline
from cbmhub.hotline.choices import Scope
from cbmhub.hotline.models import Channel, Delivery, Message, Receipt
from cbmhub.measures import reminders
from cbmhub.measures.models import Reminder

from .conftest import submit


@pytest.fixture
def diplomatic(cica, state_a, state_b, state_c):
    return Channel.objects.create(
        name="CICA diplomatic network",
        scope=Scope.MULTILATERAL,
        level="diplomatic",
        organisation=cica,
    )


@pytest.fixture
def filed_by_a(alice, cycle, state_a):
    for measure in cycle.catalogue.measures.filter(code__in=["1.1", "1.2", "2.1"]):
        submit(alice, cycle, measure, state_a)


def _deliver(message) -> None:
    while worker.deliveries_process(now=message.sent_at + timedelta(minutes=1)):
        pass


def _before(cycle) -> datetime.date:
    return cycle.deadline - timedelta(days=3)


def test_one_hotline_message_to_exactly_the_missing_states_delivered_once(
    filed_by_a,
    bob,
    carol,
    cycle,
    diplomatic,
    state_b,
    state_c,
    cica,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due(actor=SYSTEM, today=_before(cycle)) == 2
    message = Message.objects.get()
    assert message.channel == diplomatic and not message.is_exercise
    assert message.sender_organisation == cica and message.sender_state is None
    assert message.subject == "Due on 2026-04-15: Annual exchange 2026"
    assert {r.state for r in message.receipts.all()} == {state_b, state_c}
    assert set(Reminder.objects.values_list("state__iso3", "kind", "message")) == {
        ("MNG", "due", message.pk),
        ("THA", "due", message.pk),
    }
    assert mail.outbox == []  # the hotline delivers it, not the reminders
    _deliver(message)
    e_mails = [m for m in mail.outbox if m.to == ["diplomatic.mng@example.org"]]
    assert len(e_mails) == 1 and "are due on 2026-04-15" in str(e_mails[0].body)
    assert not Receipt.objects.filter(message=message, delivered_at=None).exists()
    sent = len(mail.outbox)
    deliveries = Delivery.objects.count()
    # A second run (the same day, or the worker again) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due(actor=SYSTEM, today=_before(cycle)) == 0
    _deliver(message)
    assert Message.objects.count() == 1 and Delivery.objects.count() == deliveries
    assert len(mail.outbox) == sent
    assert record.record_verify(diplomatic).ok


def test_overdue_goes_to_those_still_missing(
    filed_by_a, bob, carol, cycle, diplomatic, state_b, state_c, measure
):
    reminders.send_due(actor=SYSTEM, today=_before(cycle))
    for leaf in cycle.catalogue.measures.filter(code__in=["1.1", "1.2", "2.1"]):
        submit(bob, cycle, leaf, state_b)  # B files in time; C does not
    assert reminders.send_due(actor=SYSTEM, today=cycle.deadline + timedelta(days=5)) == 1
    due = Reminder.objects.filter(kind="due").values("message")
    overdue = Message.objects.exclude(pk__in=due).get()
    assert overdue.subject.startswith("Overdue: Annual exchange 2026")
    assert [r.state for r in overdue.receipts.all()] == [state_c]
    assert reminders.send_due(actor=SYSTEM, today=cycle.deadline + timedelta(days=6)) == 0


def test_the_diplomatic_channel_first(filed_by_a, bob, cycle, cica, state_b, state_c):
    technical = Channel.objects.create(
        name="CICA CERT network", scope=Scope.MULTILATERAL, level="technical", organisation=cica
    )
    closed = Channel.objects.create(
        name="Old", scope=Scope.MULTILATERAL, level="diplomatic", organisation=cica, is_active=False
    )
    diplomatic = Channel.objects.create(
        name="CICA diplomatic", scope=Scope.MULTILATERAL, level="diplomatic", organisation=cica
    )
    reminders.send_due(actor=SYSTEM, today=_before(cycle))
    assert Message.objects.get().channel == diplomatic
    assert not Message.objects.filter(channel__in=[technical, closed]).exists()


def test_another_level_when_there_is_no_diplomatic_channel(filed_by_a, cycle, cica, state_b):
    technical = Channel.objects.create(
        name="CICA CERT network", scope=Scope.MULTILATERAL, level="technical", organisation=cica
    )
    reminders.send_due(actor=SYSTEM, today=_before(cycle))
    assert Message.objects.get().channel == technical


def test_exercise_traffic_is_untouched(
    filed_by_a, bob, carol, cycle, diplomatic, state_a, state_b, state_c
):
    drill = hotline.message_send(
        actor=SYSTEM,
        channel=diplomatic,
        kind="free_text",
        priority="routine",
        subject="Drill",
        body="Drill.",
        is_exercise=True,
        sender_state=state_a,
        escalate=False,
    ).message
    before = (drill.subject, drill.body, drill.receipts.count())
    reminders.send_due(actor=SYSTEM, today=_before(cycle))
    reminder = Message.objects.get(is_exercise=False)
    assert "EXERCISE" not in reminder.subject and "EXERCISE" not in reminder.body
    drill.refresh_from_db()
    assert (drill.subject, drill.body, drill.receipts.count()) == before
    assert Message.objects.filter(is_exercise=True).get() == drill
    assert set(Reminder.objects.values_list("message", flat=True)) == {reminder.pk}


def test_without_a_channel_the_e_mail_and_the_log_says_why(
    filed_by_a, bob, cycle, state_b, state_c, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.INFO, logger="cbmhub.measures.reminders"):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.send_due(actor=SYSTEM, today=_before(cycle)) == 2
    assert "no active multilateral hotline channel" in caplog.text
    assert not Message.objects.exists()
    assert [m.to for m in mail.outbox] == [["diplomatic.mng@example.org"]]  # C has no diplomat
    assert set(Reminder.objects.values_list("message", flat=True)) == {None}


@pytest.mark.parametrize("who", ["alice", "sam", "olga", "root"])
def test_only_the_system_sends_reminders(who, request, filed_by_a, cycle, diplomatic):
    with pytest.raises(Forbidden):
        reminders.send_due(actor=request.getfixturevalue(who), today=_before(cycle))
    assert not Message.objects.exists() and not Reminder.objects.exists()


def test_a_state_outside_the_channel_gets_the_e_mail(
    filed_by_a,
    bob,
    carol,
    cycle,
    diplomatic,
    state_b,
    state_c,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    # Today the channel's participants are the organisation's members, as the cycle's states;
    # should they ever differ, a state outside the channel still gets its reminder, by e-mail.
    real = reminders.participant_states
    monkeypatch.setattr(
        reminders,
        "participant_states",
        lambda ch: {k: v for k, v in real(ch).items() if k != state_b.pk},
    )
    with caplog.at_level(logging.INFO, logger="cbmhub.measures.reminders"):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.send_due(actor=SYSTEM, today=_before(cycle)) == 2
    assert "MNG does not take part" in caplog.text
    assert [r.state for r in Message.objects.get().receipts.all()] == [state_c]
    assert [m.to for m in mail.outbox] == [["diplomatic.mng@example.org"]]
    assert dict(Reminder.objects.values_list("state__iso3", "message")) == {
        "MNG": None,
        "THA": Message.objects.get().pk,
    }
