"""The engine and the rules of exercises, in-process with a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.exercises import selectors, services
from cbmhub.exercises.models import RunInject
from cbmhub.exercises.services import ExercisesError, InjectSpec
from cbmhub.hotline import services as hotline
from cbmhub.hotline.models import Message, Receipt

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _items(run):
    return list(
        RunInject.objects.filter(run=run).select_related("inject").order_by("inject__offset")
    )


def test_a_run_sends_due_injects_once_through_the_hotline_marked_exercise(scenario, sam, bert):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=T0)
    assert services.runs_step(actor=SYSTEM, now=T0) == 1
    assert services.runs_step(actor=SYSTEM, now=T0) == 0  # once
    message = Message.objects.get()
    assert message.is_exercise
    assert message.subject.startswith("[EXERCISE] ")
    assert message.body.startswith("EXERCISE EXERCISE EXERCISE")
    assert message.body.endswith("EXERCISE EXERCISE EXERCISE")
    assert "Вымогатель" in message.body  # the Russian version travels with it
    assert message.sender_state is not None and message.sender_state.iso3 == "KAZ"
    assert message.sender is None
    assert [r.state.iso3 for r in message.receipts.all()] == ["MNG"]  # never THA
    # Never escalated: the scenario does not allow it.
    assert Receipt.objects.get().next_escalation_at is None


def test_dependency_waits_for_the_acknowledgement_from_the_records(scenario, sam, bert):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=T0)
    services.runs_step(actor=SYSTEM, now=T0)
    later = T0 + timedelta(minutes=45)
    assert services.runs_step(actor=SYSTEM, now=later) == 0  # waits: not acknowledged
    first = Message.objects.get()
    hotline.message_acknowledge(actor=bert, message=first, now=T0 + timedelta(minutes=50))
    assert services.runs_step(actor=SYSTEM, now=T0 + timedelta(minutes=51)) == 1
    assert Message.objects.count() == 2


def test_pause_and_resume_shift_the_rest_of_the_timeline(scenario, sam):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=T0)
    services.run_pause(actor=sam, run=run, now=T0 + timedelta(minutes=10))
    assert services.runs_step(actor=SYSTEM, now=T0 + timedelta(minutes=40)) == 0  # paused
    services.run_resume(actor=sam, run=run, now=T0 + timedelta(minutes=25))
    items = _items(run)
    assert items[0].due_at == T0 + timedelta(minutes=15)
    assert items[1].due_at == T0 + timedelta(minutes=45)
    run.refresh_from_db()
    assert run.paused_total == timedelta(minutes=15)


def test_inject_now_skip_and_end(scenario, sam):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=T0)
    first, second = _items(run)
    services.run_inject_skip(actor=sam, run_inject=first)
    with pytest.raises(ExercisesError):
        services.run_inject_skip(actor=sam, run_inject=first)
    # The second depended on the first: "inject now" overrides the dependency.
    services.run_inject_now(actor=sam, run_inject=second, now=T0 + timedelta(minutes=1))
    second.refresh_from_db()
    assert second.status == "sent" and second.sent_at == T0 + timedelta(minutes=1)
    services.run_end(actor=sam, run=run, now=T0 + timedelta(minutes=2))
    run.refresh_from_db()
    assert run.status == "ended"
    with pytest.raises(ExercisesError):
        services.run_pause(actor=sam, run=run)


def test_a_condition_skips_when_it_does_not_hold(scenario, sam, bert):
    first = scenario.injects.order_by("offset").first()
    services.inject_add(
        actor=sam,
        scenario=scenario,
        spec=InjectSpec(
            offset=timedelta(minutes=20),
            kind="request_assistance",
            subject="Reminder: please acknowledge",
            after=first,
            condition="if_not_acknowledged",
        ),
    )
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=T0)
    services.runs_step(actor=SYSTEM, now=T0)
    hotline.message_acknowledge(actor=bert, message=Message.objects.get(), now=T0)
    services.runs_step(actor=SYSTEM, now=T0 + timedelta(minutes=20))
    reminder = [i for i in _items(run) if i.inject.subject.startswith("Reminder")][0]
    assert reminder.status == "skipped" and "acknowledged" in reminder.note


@pytest.mark.parametrize("who", ["bob", "carol", "olga", "ella", "sara", "alice"])
def test_only_the_control_cell_runs_the_exercise(scenario, sam, who, request):
    run = services.run_create(actor=sam, scenario=scenario)
    user = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        services.run_start(actor=user, run=run, now=T0)
    with pytest.raises(Forbidden):
        services.run_create(actor=user, scenario=scenario)


def test_actor_none_is_refused(scenario, sam):
    with pytest.raises(Forbidden):
        services.run_create(actor=None, scenario=scenario)
    with pytest.raises(Forbidden):
        services.runs_step(actor=sam)


def test_recipients_must_play(scenario, sam, state_c, state_a):
    for state in (state_c, state_a):  # not a participant; the lead state itself
        with pytest.raises(ExercisesError) as caught:
            services.inject_add(
                actor=sam,
                scenario=scenario,
                spec=InjectSpec(
                    offset=timedelta(0), kind="manual", subject="x", recipients=[state]
                ),
            )
        assert caught.value.field == "recipients" and state.iso3 in caught.value.message


def test_the_exchange_kind_needs_an_arrangement(scenario, sam):
    with pytest.raises(ExercisesError) as caught:
        services.inject_add(
            actor=sam,
            scenario=scenario,
            spec=InjectSpec(offset=timedelta(0), kind="exchange", subject="STIX bundle"),
        )
    assert caught.value.field == "kind"


def test_only_system_may_send_in_a_states_name(link, alice, state_b):
    with pytest.raises(PermissionDenied):
        hotline.message_send(
            actor=alice,
            channel=link,
            kind="free_text",
            priority="routine",
            subject="s",
            body="b",
            sender_state=state_b,
            is_exercise=True,
        )


def test_scores_and_feedback(scenario, sam, ella, bert, bob, carol, state_b):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=T0)
    services.runs_step(actor=SYSTEM, now=T0)
    first = _items(run)[0]
    services.score_set(actor=ella, run_inject=first, state=state_b, score=4, comment="Quick.")
    with pytest.raises(Forbidden):
        services.score_set(actor=bert, run_inject=first, state=state_b, score=5)
    services.feedback_submit(actor=bert, run=run, to_improve="Keep the contact list current.")
    with pytest.raises(Forbidden):
        services.feedback_submit(actor=carol, run=run, to_improve="I was not there.")
    assert selectors.run_results(run).outcomes[0].scores[0].score == 4


def test_a_run_scenario_is_changed_through_a_copy(scenario, sam, bob):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=T0)
    spec = InjectSpec(offset=timedelta(hours=2), kind="manual", subject="Late call")
    with pytest.raises(ExercisesError) as caught:
        services.inject_add(actor=sam, scenario=scenario, spec=spec)
    assert caught.value.code == "scenario_run"
    with pytest.raises(Forbidden):
        services.scenario_copy(actor=bob, scenario=scenario)
    copy = services.scenario_copy(actor=sam, scenario=scenario)
    assert copy.title == "Ransomware drill (copy)"
    first, second = copy.injects.order_by("offset")
    assert second.after == first and second.wait_for == "acknowledged"
    assert first.translations["ru"]["subject"] == "Вымогатель"
    assert [(e.kind, e.within) for e in first.expectations.order_by("kind")] == [
        ("acknowledge", timedelta(minutes=15)),
        ("reply", timedelta(hours=1)),
    ]
    assert {m.role for m in copy.members.all()} == {"evaluator", "observer"}
    services.inject_add(actor=sam, scenario=copy, spec=spec)
