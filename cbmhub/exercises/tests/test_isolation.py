"""Exercise traffic is kept apart from real traffic: it never reaches a state that does not
play, never counts in the real inbox counter or the real communication-check figures, is
never escalated unless the scenario says so, and stays on a record that verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cbmhub.core.roles import SYSTEM
from cbmhub.exercises import services
from cbmhub.exercises.services import InjectSpec
from cbmhub.hotline import selectors as hotline_selectors
from cbmhub.hotline import services as hotline
from cbmhub.hotline.models import CheckTarget, CommunicationCheck, Delivery, Message, Receipt
from cbmhub.hotline.record import record_verify

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _run(scenario, sam, now=T0):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=now)
    services.runs_step(actor=SYSTEM, now=now)
    return run


def test_never_reaches_a_state_that_does_not_play(scenario, sam, carol, state_c):
    _run(scenario, sam)
    assert not Receipt.objects.filter(state=state_c).exists()
    assert not hotline_selectors.visible_messages(carol).exists()
    assert hotline_selectors.inbox_list(carol) == []
    addresses = set(Delivery.objects.values_list("address", flat=True))
    assert not any(a.endswith("tha@example.org") for a in addresses)


def test_not_in_the_real_inbox_counter(scenario, sam, bert, link, alice):
    _run(scenario, sam)
    assert hotline_selectors.unacknowledged_count(bert) == 0
    # ... while the player still finds it in the inbox to acknowledge, marked EXERCISE.
    items = hotline_selectors.inbox_list(bert)
    assert [i.message.subject[:11] for i in items] == ["[EXERCISE] "]
    # A real message is counted as before.
    hotline.message_send(
        actor=alice,
        channel=link,
        kind="incident_notification",
        priority="urgent",
        subject="Real",
        body="Real incident.",
    )
    assert hotline_selectors.unacknowledged_count(bert) == 1


def test_not_in_the_real_check_figures(scenario, sam, cica, bert, state_b):
    services.inject_add(
        actor=sam,
        scenario=scenario,
        spec=InjectSpec(
            offset=timedelta(0),
            kind="communication_check",
            subject="Ping",
            expectations=[("acknowledge", timedelta(minutes=10))],
        ),
    )
    _run(scenario, sam)
    check = CommunicationCheck.objects.get()
    assert check.is_exercise and check.note.startswith("EXERCISE")
    assert {t.state_id for t in CheckTarget.objects.all()} == {state_b.pk}
    assert hotline_selectors.check_history(cica) == []
    real = hotline.check_start(actor=sam, organisation=cica, now=T0)
    assert [c for c, _figures in hotline_selectors.check_history(cica)] == [real]


def test_escalated_only_when_the_scenario_says_so(scenario, sam):
    _run(scenario, sam)
    receipt = Receipt.objects.get()
    assert receipt.next_escalation_at is None
    assert hotline.escalations_run(actor=SYSTEM, now=T0 + timedelta(days=3)) == 0
    scenario.escalation_allowed = True
    scenario.save()
    second = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=second, now=T0)
    services.runs_step(actor=SYSTEM, now=T0)
    assert Receipt.objects.filter(next_escalation_at__isnull=False).count() == 1


def test_the_exercise_record_verifies_and_says_exercise(scenario, sam):
    _run(scenario, sam)
    message = Message.objects.get()
    assert record_verify(message.channel).ok
    assert '"exercise":true' in message.events.get(kind="sent").payload
    # Turning an exercise message into real traffic is caught by the record.
    Message.objects.filter(pk=message.pk).update(is_exercise=False)
    assert not record_verify(message.channel).ok
