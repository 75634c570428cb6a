"""Thin background tasks. The worker command (``cbmhub hotline worker``) is the primary runner;
these let a deployment that already runs a django-tasks worker drive the same services."""

from __future__ import annotations

from django_tasks import task


@task()
def process_outbox(batch: int = 50) -> int:
    from .worker import deliveries_process

    return deliveries_process(batch=batch)


@task()
def run_escalations() -> int:
    from .services import escalations_run

    return escalations_run()
