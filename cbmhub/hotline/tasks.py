"""Thin background tasks. The worker command (``cbmhub hotline worker``) is the primary runner;
these let a deployment that already runs a django-tasks worker drive the same services."""

from __future__ import annotations

from django_tasks import task

from . import services
from .permissions import SYSTEM
from .worker import deliveries_process


@task()
def process_outbox(batch: int = 50) -> int:
    return deliveries_process(batch=batch)


@task()
def run_escalations() -> int:
    return services.escalations_run(actor=SYSTEM)
