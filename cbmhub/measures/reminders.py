"""Reminders of reporting cycles: before the deadline ("due") and after it ("overdue"), to the
diplomatic points of contact of each state that has not filed every measure of the cycle, by
e-mail (the same mail settings and points of contact the hotline's e-mail delivery uses:
``directory.selectors.points_of_contact_for``). Each reminder is recorded (``Reminder``), so
the command run every day sends each at most once; the e-mails leave after the commit."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import is_system
from cbmhub.directory.models import State
from cbmhub.directory.selectors import points_of_contact_for

from . import selectors
from .choices import SubmissionStatus
from .models import Reminder, ReportingCycle, Submission

LATE_WINDOW_DAYS = 60  # an overdue reminder is sent within this many days after the deadline


def _missing_states(cycle: ReportingCycle) -> list[State]:
    states = selectors.participating_states(cycle.catalogue.organisation_id)
    measure_count = len(selectors.cycle_measures(cycle))
    done: dict[int, int] = {}
    for state_id in Submission.objects.filter(
        cycle=cycle, status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACKNOWLEDGED]
    ).values_list("state_id", flat=True):
        done[state_id] = done.get(state_id, 0) + 1
    return [s for s in states if done.get(s.pk, 0) < measure_count]


def _email(cycle: ReportingCycle, state: State, kind: str, addresses: list[str]) -> EmailMessage:
    when = cycle.deadline.isoformat()
    if kind == "overdue":
        subject = f"[CBM Hub] Overdue: {cycle.instrument} {cycle.year} (deadline {when})"
        first = f"The submissions of {state.name} to {cycle.instrument} {cycle.year} "
        first += f"were due on {when}."
    else:
        subject = f"[CBM Hub] Due on {when}: {cycle.instrument} {cycle.year}"
        first = (
            f"The submissions of {state.name} to {cycle.instrument} {cycle.year} are due on {when}."
        )
    body = "\n".join(
        [
            first,
            'A nil return ("nothing new since" a year) counts as a submission.',
            "File them on CBM Hub under Measures.",
        ]
    )
    return EmailMessage(subject=subject, body=body, to=addresses)


def _kind(cycle: ReportingCycle, today: datetime.date, days: int) -> str:
    if today > cycle.deadline:
        late = (today - cycle.deadline).days <= LATE_WINDOW_DAYS
        return "overdue" if late else ""
    return "due" if (cycle.deadline - today).days <= days else ""


def send_due(*, actor: Any, today: datetime.date | None = None, days: int = 14) -> int:
    """Send every reminder that is due today; returns how many were recorded."""
    if not is_system(actor):
        raise Forbidden("Reminders are sent by the system.")
    today = today or timezone.localdate()
    sent = 0
    window = (
        today - datetime.timedelta(days=LATE_WINDOW_DAYS),
        today + datetime.timedelta(days=days),
    )
    cycles = ReportingCycle.objects.filter(deadline__range=window).select_related("catalogue")
    for cycle in cycles:
        kind = _kind(cycle, today, days)
        if kind:
            sent += sum(_remind(cycle, state, kind) for state in _missing_states(cycle))
    return sent


@transaction.atomic
def _remind(cycle: ReportingCycle, state: State, kind: str) -> int:
    if Reminder.objects.filter(cycle=cycle, state=state, kind=kind).exists():
        return 0
    organisation = cycle.catalogue.organisation
    pocs = points_of_contact_for(state=state, level="diplomatic", organisation=organisation)
    addresses = sorted({a for poc in pocs if (a := poc.primary_email)})
    try:
        with transaction.atomic():
            Reminder.objects.create(
                cycle=cycle,
                state=state,
                kind=kind,
                sent_at=timezone.now(),
                recipients=len(addresses),
            )
    except IntegrityError:  # another run recorded it first
        return 0
    if addresses:
        message = _email(cycle, state, kind, addresses)
        transaction.on_commit(lambda: get_connection().send_messages([message]))
    return 1
