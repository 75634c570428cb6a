"""Early warning (ADMM 3.1.3): signals the platform already owns, per organisation.

- hotline receipts **unacknowledged** past their acknowledgement deadline and **unanswered**
  past their reply deadline, and **escalations**, over the window (by the message's time);
- the **communication-check response rate** (targets that answered in time) of each check;
- **overdue submissions**: cells of the organisation's cycles past their deadline with nothing
  filed;
- **incident severity**: incidents rated high or critical shared in the organisation's
  exchange arrangements over the window, counted per sharing state (the exchange's
  ``severe_incidents_by_state``: latest versions, TLP:CLEAR to TLP:AMBER only).

Hotline traffic of exercises (``Message.is_exercise``, ``CommunicationCheck.is_exercise``) and
the exchange's exercise collections are never counted. A state sees aggregate figures and its
own; figures by named state are for the secretariat (``permissions.sees_state_figures``). Each
figure is read by one grouped query.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from cbmhub.core import roles
from cbmhub.core.roles import SYSTEM
from cbmhub.directory.models import Organisation, State
from cbmhub.exchange import selectors as exchange_selectors
from cbmhub.hotline.models import CheckTarget, Receipt

from . import permissions, selectors, services
from .choices import Signal
from .models import ReportingCycle

WINDOW_DAYS = 90
TIMELINE_WEEKS = 12
# Default thresholds until the secretariat sets its own (check response: alert below it, %).
DEFAULT_THRESHOLDS = {
    Signal.UNACKNOWLEDGED: 1,
    Signal.UNANSWERED: 1,
    Signal.ESCALATIONS: 1,
    Signal.CHECK_RESPONSE: 80,
    Signal.OVERDUE_SUBMISSIONS: 1,
    Signal.INCIDENT_SEVERITY: 1,
}


def _real_receipts(organisation_id: int, since: datetime.datetime) -> Any:
    return Receipt.objects.filter(
        message__channel__organisation_id=organisation_id,
        message__is_exercise=False,
        message__sent_at__gte=since,
    )


def _by_state(rows: Any) -> dict[int | None, int]:
    return {state_id: count for state_id, count in rows}


def hotline_figures(
    organisation_id: int, now: datetime.datetime
) -> dict[str, dict[int | None, int]]:
    since = now - datetime.timedelta(days=WINDOW_DAYS)
    receipts = _real_receipts(organisation_id, since)
    grouped = receipts.values("state_id").annotate(
        unacknowledged=Count("id", filter=Q(acknowledged_at__isnull=True, ack_due_at__lt=now)),
        unanswered=Count("id", filter=Q(replied_at__isnull=True, reply_due_at__lt=now)),
        escalations=Count("id", filter=Q(escalation_count__gt=0)),
    )
    figures: dict[str, dict[int | None, int]] = defaultdict(dict)
    for row in grouped:
        for signal in (Signal.UNACKNOWLEDGED, Signal.UNANSWERED, Signal.ESCALATIONS):
            if row[signal.value]:
                figures[signal][row["state_id"]] = row[signal.value]
    return figures


@dataclass(frozen=True)
class CheckRate:
    check_id: int
    started_at: datetime.datetime
    asked: int
    in_time: int

    @property
    def rate(self) -> int:
        return round(100 * self.in_time / self.asked) if self.asked else 100


def check_rates(
    organisation_id: int, since: datetime.datetime, *, state_id: int | None = None
) -> list[CheckRate]:
    """The response rate of each real (not exercise) communication check, oldest first."""
    targets = CheckTarget.objects.filter(
        communication_check__organisation_id=organisation_id,
        communication_check__is_exercise=False,
        communication_check__started_at__gte=since,
    )
    if state_id is not None:
        targets = targets.filter(state_id=state_id)
    rows = (
        targets.values("communication_check_id", "communication_check__started_at")
        .annotate(
            asked=Count("id"),
            answered_in_time=Count(
                "id",
                filter=Q(
                    answered_at__isnull=False,
                    answered_at__lte=F("communication_check__deadline"),
                ),
            ),
        )
        .order_by("communication_check__started_at")
    )
    return [
        CheckRate(
            r["communication_check_id"],
            r["communication_check__started_at"],
            r["asked"],
            r["answered_in_time"],
        )
        for r in rows
    ]


def overdue_by_state(organisation_id: int, today: datetime.date) -> dict[int | None, int]:
    """Cells of the organisation's cycles past their deadline (within the window) that have
    nothing filed, per state."""
    counts: Counter = Counter()
    since = today - datetime.timedelta(days=WINDOW_DAYS * 4)
    for cycle in ReportingCycle.objects.filter(
        catalogue__organisation_id=organisation_id, deadline__lt=today, deadline__gte=since
    ).select_related("catalogue"):
        counts.update(selectors.overdue_counts(cycle))
    return dict(counts)


@dataclass
class Dashboard:
    organisation: Organisation
    thresholds: dict[str, int]
    totals: dict[str, int]
    own: dict[str, int] | None
    by_state: list[tuple[State, dict[str, int]]]
    checks: list[CheckRate]
    timeline: list[dict[str, Any]] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)

    @property
    def check_falling(self) -> bool:
        """Whether the last check's response rate is below the one before it."""
        return len(self.checks) >= 2 and self.checks[-1].rate < self.checks[-2].rate


def _figures(
    organisation: Organisation, now: datetime.datetime
) -> dict[str, dict[int | None, int]]:
    figures = hotline_figures(organisation.pk, now)
    for hotline_signal in (Signal.UNACKNOWLEDGED, Signal.UNANSWERED, Signal.ESCALATIONS):
        figures.setdefault(hotline_signal, {})  # shown as 0, not left out
    figures[Signal.OVERDUE_SUBMISSIONS] = overdue_by_state(organisation.pk, now.date())
    since = now - datetime.timedelta(days=WINDOW_DAYS)
    figures[Signal.INCIDENT_SEVERITY] = exchange_selectors.severe_incidents_by_state(
        organisation.pk, since
    )
    return figures


def _breaches(
    totals: dict[str, int], thresholds: dict[str, int], checks: list[CheckRate]
) -> list[str]:
    breached = [
        signal
        for signal, value in totals.items()
        if signal != Signal.CHECK_RESPONSE and value >= thresholds.get(signal, 1)
    ]
    if checks and checks[-1].rate < thresholds[Signal.CHECK_RESPONSE]:
        breached.append(Signal.CHECK_RESPONSE)
    return breached


def dashboard(
    user: Any, organisation: Organisation, *, now: datetime.datetime | None = None
) -> Dashboard:
    """The figures a user may see: by named state for the secretariat, else the aggregate
    figures and the user's own state's."""
    permissions.require_matrix(user, organisation.pk)
    named = permissions.sees_state_figures(user, organisation.pk)
    return _board(
        organisation, now or timezone.now(), named=named, state_id=roles.state_id_of(user)
    )


def _board(
    organisation: Organisation, now: datetime.datetime, *, named: bool, state_id: int | None
) -> Dashboard:
    thresholds = {k.value: v for k, v in DEFAULT_THRESHOLDS.items()}
    thresholds.update(selectors.threshold_values(organisation.pk))
    figures = _figures(organisation, now)
    totals = {signal: sum(values.values()) for signal, values in figures.items()}
    checks = check_rates(organisation.pk, now - datetime.timedelta(days=WINDOW_DAYS))
    by_state: list[tuple[State, dict[str, int]]] = []
    own = None
    if named:
        state_ids = {s for values in figures.values() for s in values if s is not None}
        for state in State.objects.filter(pk__in=state_ids).order_by("name"):
            by_state.append((state, {sig: v.get(state.pk, 0) for sig, v in figures.items()}))
    else:
        own = {sig: v.get(state_id, 0) for sig, v in figures.items()}
    board = Dashboard(organisation, thresholds, totals, own, by_state, checks)
    board.timeline = timeline(organisation.pk, now)
    board.breaches = _breaches(totals, thresholds, checks)
    return board


def timeline(organisation_id: int, now: datetime.datetime) -> list[dict[str, Any]]:
    """Per week (oldest first): receipts acknowledged late or not at all, and escalations."""
    start = now - datetime.timedelta(weeks=TIMELINE_WEEKS)
    weeks: list[dict[str, Any]] = [
        {"start": (start + datetime.timedelta(weeks=n)).date(), "late": 0, "escalations": 0}
        for n in range(TIMELINE_WEEKS)
    ]
    rows = _real_receipts(organisation_id, start).values_list(
        "message__sent_at", "ack_due_at", "acknowledged_at", "escalation_count"
    )
    for sent_at, ack_due, acked, escalations in rows:
        index = min(int((sent_at - start).days // 7), TIMELINE_WEEKS - 1)
        late = ack_due is not None and ((acked or now) > ack_due) and ack_due < now
        weeks[index]["late"] += int(late)
        weeks[index]["escalations"] += int(escalations > 0)
    return weeks


def raise_alerts(organisation: Organisation, *, now: datetime.datetime | None = None) -> int:
    """Open (or update) an alert for each signal past its threshold, for the organisation as
    a whole; returns how many are open for it. Run by ``cbmhub measures warn``."""
    board = _board(organisation, now or timezone.now(), named=True, state_id=None)
    for signal in board.breaches:
        figure = board.checks[-1].rate if signal == Signal.CHECK_RESPONSE else board.totals[signal]
        services.alert_raise(actor=SYSTEM, organisation=organisation, signal=signal, figure=figure)
    return len(board.breaches)
