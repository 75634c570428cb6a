from __future__ import annotations

import datetime

from django.apps import AppConfig

# How often the worker's pass also sends due reminders and raises early-warning alerts (both
# idempotent: a reminder is recorded once, an alert updated in place).
MEASURES_STEP_EVERY = datetime.timedelta(minutes=10)


class MeasuresConfig(AppConfig):
    name = "cbmhub.measures"
    label = "measures"
    verbose_name = "Measures"
    _last_step: datetime.datetime | None = None

    def worker_step(self, now: datetime.datetime) -> int:
        """Run by the hotline worker in each pass (core/hooks.py), at most every ten minutes:
        the cycle reminders that are due and the early-warning alerts, so no cron is needed."""
        if self._last_step is not None and now - self._last_step < MEASURES_STEP_EVERY:
            return 0
        from cbmhub.core.roles import SYSTEM  # noqa: PLC0415 - apps.py loads before the models
        from cbmhub.directory.models import Organisation  # noqa: PLC0415 - as above

        from . import reminders, warning  # noqa: PLC0415 - as above

        self._last_step = now
        done = reminders.send_due(actor=SYSTEM, today=now.date())
        for organisation in Organisation.objects.all():
            done += warning.raise_alerts(organisation)
        return done
