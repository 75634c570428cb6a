from datetime import datetime

from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "cbmhub.exercises"
    label = "exercises"
    verbose_name = "Exercises"

    def worker_step(self, now: datetime) -> int:
        """Called by the hotline worker in every pass (hotline/worker.py: app_worker_steps):
        send the injects that are due in running exercise runs."""
        from cbmhub.core.roles import SYSTEM  # noqa: PLC0415 - apps load before models

        from .services import runs_step  # noqa: PLC0415 - apps.py loads before the models

        return runs_step(actor=SYSTEM, now=now)
