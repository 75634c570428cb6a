"""The hotline worker runs every app's ``worker_step(now)`` in each pass: a due inject goes out
in the worker's own pass, at the worker's clock, and an app step that fails is logged and
survived like the worker's own steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cbmhub.core.hooks import app_hooks
from cbmhub.exercises import services
from cbmhub.exercises.apps import ExercisesConfig
from cbmhub.hotline.models import Message
from cbmhub.hotline.worker import Worker

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_exercises_is_one_of_the_app_steps(db):
    assert any(
        step.label == "exercises"
        and isinstance(getattr(step.call, "__self__", None), ExercisesConfig)
        for step in app_hooks("worker_step")
    )


def test_a_pass_sends_what_is_due_at_the_workers_clock(scenario, sam):
    run = services.run_create(actor=sam, scenario=scenario, speed=60)
    services.run_start(actor=sam, run=run, now=T0)
    now = [T0 - timedelta(seconds=1)]
    worker = Worker(name="test", clock=lambda: now[0], pause=lambda s, stop: None)
    worker.run_pass()
    assert not Message.objects.exists()  # not yet due
    now[0] = T0
    worker.run_pass()
    assert Message.objects.count() == 1 and worker.totals.errors == []


def test_a_failing_app_step_is_logged_and_survived(scenario, sam, monkeypatch):
    def broken(self, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(ExercisesConfig, "worker_step", broken)
    worker = Worker(name="test", pause=lambda s, stop: None)
    worker.run_pass()
    assert worker.totals.errors == ["exercises: RuntimeError: boom"]
    assert worker.failures == 1
