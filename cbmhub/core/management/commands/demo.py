"""`cbmhub demo`: load the demo world (idempotent) and print the demo logins."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app contributes a `demo.load(*, stdout)`; order follows the app dependencies.
DEMO_MODULES = [
    "cbmhub.directory.demo",
    "cbmhub.accounts.demo",
    "cbmhub.hotline.demo",
    "cbmhub.negotiations.demo",
    "cbmhub.exchange.demo",
    "cbmhub.precedent.demo",
    "cbmhub.measures.demo",
    "cbmhub.meetings.demo",
    "cbmhub.exercises.demo",
]


class Command(BaseCommand):
    help = "Load the invented demo world (organisations, states, logins, traffic, texts)."

    def handle(self, *args, **options) -> None:
        logins: list[tuple[str, str]] = []
        with transaction.atomic():
            for name in DEMO_MODULES:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                result = module.load(stdout=self.stdout)
                if name == "cbmhub.accounts.demo":
                    logins = result
        # Imported here, once the loop above found the accounts' demo module: core names no
        # domain app at import time (import-linter's layers allow only this one exception).
        from cbmhub.accounts.demo import DEMO_PASSWORD  # noqa: PLC0415

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Log in at http://127.0.0.1:8000/ with password: {DEMO_PASSWORD}")
        for username, label in logins:
            self.stdout.write(f"  {username:<12} {label}")
