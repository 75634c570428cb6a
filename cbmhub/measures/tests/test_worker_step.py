"""The hotline worker runs the measures' reminders and alerts through the worker_step hook, at
most every ten minutes."""

from datetime import UTC, datetime, timedelta

from django.apps import apps

from cbmhub.core.hooks import app_hooks
from cbmhub.measures import reminders, warning
from cbmhub.measures.apps import MeasuresConfig


def test_the_worker_runs_reminders_and_alerts_at_most_every_ten_minutes(db, monkeypatch):
    calls: list[dict] = []

    def send_due(**kw) -> int:
        calls.append(kw)
        return 0

    monkeypatch.setattr(reminders, "send_due", send_due)
    monkeypatch.setattr(warning, "raise_alerts", lambda org: 0)
    config = apps.get_app_config("measures")
    assert isinstance(config, MeasuresConfig)
    monkeypatch.setattr(config, "_last_step", None)
    assert any(hook.label == "measures" for hook in app_hooks("worker_step"))
    t0 = datetime(2026, 4, 1, 8, tzinfo=UTC)
    config.worker_step(t0)
    config.worker_step(t0 + timedelta(minutes=5))
    config.worker_step(t0 + timedelta(minutes=11))
    assert [kw["today"] for kw in calls] == [t0.date(), t0.date()]
