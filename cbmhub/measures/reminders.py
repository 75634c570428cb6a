"""Reminders of reporting cycles: before the deadline ("due") and after it ("overdue"), to each
state that has not filed every measure of the cycle.

A reminder is a hotline message (kind free text, routine, TLP:GREEN) sent by ``SYSTEM`` in
the name of the cycle's organisation on its active diplomatic-level multilateral channel (else
high-level, else technical: ``hotline.selectors.organisation_channel``), ONE message per cycle
and kind to exactly the states reminded that day (``recipient_states``): the hotline does the
delivery (in-app inbox, e-mail to the points of contact at the channel's level, webhooks), the
receipts and the escalation. A state
that does not take part in that channel, or every state when the organisation has no such
channel, gets the e-mail of before instead (the same mail settings and points of contact the
hotline's e-mail delivery uses: ``directory.selectors.points_of_contact_for``), and the log says
why. Each reminder is recorded (``Reminder``, with the message that carried it), in the same
transaction as the message, so the command run every day (and the worker) sends each at most
once; the fallback e-mails leave after the commit."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM, is_system
from cbmhub.directory.choices import Level
from cbmhub.directory.models import State
from cbmhub.directory.selectors import points_of_contact_for
from cbmhub.hotline import selectors as hotline_selectors
from cbmhub.hotline import services as hotline_services
from cbmhub.hotline.choices import MessageKind, Priority, Tlp
from cbmhub.hotline.models import Channel, Message
from cbmhub.hotline.permissions import participant_states

from . import selectors
from .choices import SubmissionStatus
from .models import Reminder, ReportingCycle, Submission

log = logging.getLogger(__name__)

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


def _message_text(cycle: ReportingCycle, kind: str) -> tuple[str, str]:
    """The subject and body of the hotline message (one for every state reminded)."""
    when = cycle.deadline.isoformat()
    if kind == "overdue":
        subject = f"Overdue: {cycle.instrument} {cycle.year} (deadline {when})"
        first = f"Your submissions to {cycle.instrument} {cycle.year} were due on {when}."
    else:
        subject = f"Due on {when}: {cycle.instrument} {cycle.year}"
        first = f"Your submissions to {cycle.instrument} {cycle.year} are due on {when}."
    body = "\n".join(
        [
            first,
            'A nil return ("nothing new since" a year) counts as a submission.',
            "File them on CBM Hub under Measures.",
        ]
    )
    return subject, body


def send_due(*, actor: Any, today: datetime.date | None = None, days: int = 14) -> int:
    """Send every reminder that is due today; returns how many were recorded (one per state)."""
    if not is_system(actor):
        raise Forbidden("Reminders are sent by the system.")
    today = today or timezone.localdate()
    sent = 0
    window = (
        today - datetime.timedelta(days=LATE_WINDOW_DAYS),
        today + datetime.timedelta(days=days),
    )
    cycles = ReportingCycle.objects.filter(deadline__range=window).select_related(
        "catalogue__organisation"
    )
    for cycle in cycles:
        kind = _kind(cycle, today, days)
        if not kind:
            continue
        done = set(
            Reminder.objects.filter(cycle=cycle, kind=kind).values_list("state_id", flat=True)
        )
        states = [s for s in _missing_states(cycle) if s.pk not in done]
        if states:
            sent += _remind(cycle, states, kind)
    return sent


@transaction.atomic
def _remind(cycle: ReportingCycle, states: Sequence[State], kind: str) -> int:
    """Record and send the reminders of `states` (none reminded of `kind` yet): one hotline
    message to those on the organisation's diplomatic channel, an e-mail to each other one."""
    organisation = cycle.catalogue.organisation
    channel = _channel(organisation.pk)
    on_channel: set[int] = set()
    if channel is None:
        log.info(
            "%s has no active multilateral hotline channel: the %s reminders of cycle %s go "
            "by e-mail.",
            organisation.acronym,
            kind,
            cycle.pk,
        )
    else:
        on_channel = set(participant_states(channel))
    recorded: list[Reminder] = []
    for state in states:
        level = channel.level if channel is not None and state.pk in on_channel else "diplomatic"
        pocs = points_of_contact_for(state=state, level=level, organisation=organisation)
        addresses = sorted({a for poc in pocs if (a := poc.primary_email)})
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    cycle=cycle,
                    state=state,
                    kind=kind,
                    sent_at=timezone.now(),
                    recipients=len(addresses),
                )
        except IntegrityError:  # another run recorded it first
            continue
        recorded.append(reminder)
        if state.pk in on_channel:
            continue
        if channel is not None:
            log.info(
                "%s does not take part in %s's channel %s: its %s reminder of cycle %s goes "
                "by e-mail.",
                state.iso3,
                organisation.acronym,
                channel.pk,
                kind,
                cycle.pk,
            )
        if addresses:
            transaction.on_commit(_mailer(_email(cycle, state, kind, addresses)))
    hotline_states = [r.state for r in recorded if r.state_id in on_channel]
    if channel is not None and hotline_states:
        sent = _send(channel, cycle, kind, hotline_states)
        Reminder.objects.filter(pk__in=[r.pk for r in recorded if r.state_id in on_channel]).update(
            message=sent
        )
    return len(recorded)


def _mailer(message: EmailMessage) -> Callable[[], None]:
    """What sends `message` after the commit."""

    def send() -> None:
        get_connection().send_messages([message])

    return send


def _channel(organisation_id: int) -> Channel | None:
    """The organisation's active multilateral channel the reminders go on: the diplomatic-level
    one, else the high-level one, else the technical one; None when it has none."""
    for level in (Level.DIPLOMATIC, Level.HIGH_LEVEL, Level.TECHNICAL):
        channel = hotline_selectors.organisation_channel(
            organisation_id=organisation_id, level=level
        )
        if channel is not None:
            return channel
    return None


def _send(channel: Channel, cycle: ReportingCycle, kind: str, states: list[State]) -> Message:
    subject, body = _message_text(cycle, kind)
    result = hotline_services.message_send(
        actor=SYSTEM,
        channel=channel,
        kind=MessageKind.FREE_TEXT,
        priority=Priority.ROUTINE,
        subject=subject,
        body=body,
        tlp=Tlp.GREEN,  # nothing confidential: the body goes in the e-mail, as before
        recipient_states=states,
    )
    return result.message
