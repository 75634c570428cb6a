"""Every read of exercises: scoped querysets, access helpers, and the figures of a run read
from the hotline's own records (receipts' delivered / acknowledged / replied times and the
communication checks' answers), never from link clicks."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cbmhub.core import roles
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.choices import Level
from cbmhub.directory.models import Organisation, State
from cbmhub.directory.selectors import point_of_contact_list
from cbmhub.exchange import selectors as exchange_selectors
from cbmhub.hotline.models import CheckTarget, Receipt
from cbmhub.hotline.permissions import member_organisation_ids

from . import permissions
from .choices import ExpectationKind
from .models import Expectation, Inject, Run, RunDelivery, RunInject, Scenario, Score


def _scenarios() -> QuerySet[Scenario]:
    return Scenario.objects.select_related("organisation", "sender_state").prefetch_related(
        "members", "states"
    )


def organisations_for_scenarios(user: Any) -> QuerySet[Organisation]:
    """Where `user` may add a scenario from the page: their organisation (secretariat), the
    organisations their state belongs to (a focal point, as lead state), every one (operator).
    The service checks the rule again with the chosen lead state."""
    if roles.is_operator(user):
        return Organisation.objects.order_by("acronym")
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Organisation.objects.filter(pk=organisation_id)
    state_id = roles.state_id_of(user)
    if state_id is not None and roles.is_focal_point(user):
        return Organisation.objects.filter(pk__in=member_organisation_ids(state_id))
    return Organisation.objects.none()


def scenario_list(user: Any) -> QuerySet[Scenario]:
    return _scenarios().filter(permissions.visible_scenario_filter(user)).distinct()


def access_scenario(user: Any, scenario_id: Any) -> Scenario:
    """The scenario, or 404 when the user may not see it (its existence is not disclosed)."""
    scenario = scenario_list(user).filter(pk=int_or_404(scenario_id)).first()
    if scenario is None:
        raise Http404("No such scenario.")
    return scenario


def scenario_players(scenario: Scenario) -> list[tuple[State, str, list[str]]]:
    """The players by state and level: the active points of contact of each player state in
    the directory (who receives the injects at the scenario's level, and who an escalation
    would reach when the scenario allows one)."""
    players = permissions.player_state_ids(scenario)
    rows: dict[tuple[int, str], list[str]] = defaultdict(list)
    states = {s.pk: s for s in scenario.states.all() if s.pk in players}
    for poc in point_of_contact_list().filter(state_id__in=players).order_by("level", "office"):
        rows[(poc.state_id, poc.level)].append(poc.office)
    order = {level: n for n, level in enumerate(Level.escalation_order())}
    keys = sorted(rows, key=lambda k: (states[k[0]].name, order.get(k[1], 9)))
    return [(states[sid], str(Level(level).label), rows[(sid, level)]) for sid, level in keys]


def scenario_injects(scenario: Scenario) -> list[Inject]:
    return list(
        scenario.injects.select_related("after", "after_state").prefetch_related(
            "recipients", "expectations"
        )
    )


def run_list(user: Any, scenario: Scenario | None = None) -> QuerySet[Run]:
    runs = Run.objects.select_related("scenario__organisation", "scenario__sender_state").filter(
        scenario__in=scenario_list(user)
    )
    if scenario is not None:
        runs = runs.filter(scenario=scenario)
    return runs


def access_run(user: Any, run_id: Any) -> Run:
    run = (
        run_list(user)
        .prefetch_related("scenario__members", "scenario__states")
        .filter(pk=int_or_404(run_id))
        .first()
    )
    if run is None:
        raise Http404("No such run.")
    return run


def access_run_inject(user: Any, run: Run, item_id: Any) -> RunInject:
    """An inject of a run the user controls (the plan: the control cell's and evaluators')."""
    item = (
        RunInject.objects.select_related("run__scenario", "inject")
        .filter(run=run, pk=int_or_404(item_id))
        .first()
    )
    if item is None or not permissions.sees_plan(user, run.scenario):
        raise Http404("No such inject.")
    return item


# --- what happened, from the records ------------------------------------------------------------


@dataclass
class Facts:
    """What the records say of one inject for one state (None: not yet)."""

    state_id: int
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    acknowledged_at: datetime | None = None
    replied_at: datetime | None = None
    level: str = ""  # of the point of contact who acknowledged
    message_id: int | None = None

    @property
    def status(self) -> str:
        if self.replied_at:
            return "answered"
        if self.acknowledged_at:
            return "acknowledged"
        if self.delivered_at:
            return "delivered"
        return "sent" if self.sent_at else "pending"


def _poc_level(user: Any) -> str:
    poc = getattr(user, "point_of_contact", None) if user is not None else None
    return poc.level if poc is not None else ""


def facts_for(deliveries: list[RunDelivery]) -> dict[int, Facts]:
    """Facts per RunDelivery id, in three queries whatever the number of deliveries."""
    message_ids = [d.message_id for d in deliveries if d.message_id]
    receipts = {
        (r.message_id, r.state_id): r
        for r in Receipt.objects.filter(message_id__in=message_ids).select_related(
            "message", "acknowledged_by__point_of_contact"
        )
    }
    check_ids = {d.communication_check_id for d in deliveries if d.communication_check_id}
    targets: dict[tuple[int, int], list[CheckTarget]] = defaultdict(list)
    for t in CheckTarget.objects.filter(communication_check_id__in=check_ids).select_related(
        "communication_check"
    ):
        targets[(t.communication_check_id, t.state_id)].append(t)
    found = {}
    for d in deliveries:
        facts = Facts(state_id=d.state_id, sent_at=d.run_inject.sent_at, message_id=d.message_id)
        receipt = receipts.get((d.message_id, d.state_id)) if d.message_id else None
        if receipt is not None:
            facts.sent_at = receipt.message.sent_at
            facts.delivered_at = receipt.delivered_at
            facts.acknowledged_at = receipt.acknowledged_at
            facts.replied_at = receipt.replied_at
            facts.level = _poc_level(receipt.acknowledged_by)
        if d.communication_check_id:
            _check_facts(facts, targets[(d.communication_check_id, d.state_id)])
        found[d.pk] = facts
    return found


def _check_facts(facts: Facts, targets: list[CheckTarget]) -> None:
    """A check is delivered when started; acknowledged by its first answer from the state."""
    if not targets:
        return
    facts.sent_at = facts.delivered_at = targets[0].communication_check.started_at
    answered = sorted((t.answered_at, t.level) for t in targets if t.answered_at is not None)
    if answered:
        facts.acknowledged_at, facts.level = answered[0]


def _deliveries(run: Run) -> list[RunDelivery]:
    return list(
        RunDelivery.objects.filter(run_inject__run=run).select_related("run_inject", "state")
    )


def dependency_facts(item: RunInject) -> tuple[RunInject | None, list[Facts]]:
    """The run's copy of the inject `item` depends on, and its facts per state."""
    after_id = item.inject.after_id
    before = (
        RunInject.objects.filter(run_id=item.run_id, inject_id=after_id).first()
        if after_id is not None
        else None
    )
    if before is None:
        return None, []
    deliveries = list(RunDelivery.objects.filter(run_inject=before).select_related("run_inject"))
    return before, list(facts_for(deliveries).values())


# --- the live timeline ---------------------------------------------------------------------------


@dataclass
class TimelineRow:
    item: RunInject
    cells: list[Facts | None]  # per state of the run, in order; None: not sent to that state


@dataclass
class Timeline:
    states: list[State]
    rows: list[TimelineRow]
    counts: dict[str, int]


def run_timeline(run: Run, *, state_id: int | None = None) -> Timeline:
    """Per inject and per state: sent, delivered, acknowledged, answered. With `state_id` (a
    player), only that state's column and only what was sent to it."""
    players = sorted(
        (s for s in run.scenario.states.all() if s.pk != run.scenario.sender_state_id),
        key=lambda s: s.name,
    )
    if state_id is not None:
        players = [s for s in players if s.pk == state_id]
    deliveries = _deliveries(run)
    facts = facts_for(deliveries)
    by_item: dict[int, dict[int, Facts]] = defaultdict(dict)
    for d in deliveries:
        by_item[d.run_inject_id][d.state_id] = facts[d.pk]
    items = list(run.run_injects.select_related("inject").order_by("inject__offset", "id"))
    if state_id is not None:
        items = [i for i in items if state_id in by_item[i.pk]]
    rows = [TimelineRow(i, [by_item[i.pk].get(s.pk) for s in players]) for i in items]
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.item.status] += 1
        for cell in row.cells:
            if cell is not None:
                counts[cell.status] += 1
    return Timeline(players, rows, dict(counts))


# --- the results ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One inject as one state handled it, with each expectation met (True), missed (False) or
    waiting for an evaluator's judgement (None)."""

    item: RunInject
    state: State
    facts: Facts
    expectations: list[tuple[Expectation, bool | None]]
    scores: list[Score] = field(default_factory=list)

    def seconds(self, at: datetime | None, speed: int) -> float | None:
        """Time since sending on the run's clock (real seconds × speed)."""
        if at is None or self.facts.sent_at is None:
            return None
        return (at - self.facts.sent_at).total_seconds() * speed

    @property
    def unanswered(self) -> bool:
        return self.facts.acknowledged_at is None and self.facts.replied_at is None


def _met(
    outcome: Outcome, expectation: Expectation, speed: int, judged: Score | None
) -> bool | None:
    facts, within = outcome.facts, expectation.within.total_seconds()
    if expectation.kind == ExpectationKind.ACKNOWLEDGE:
        seconds = outcome.seconds(facts.acknowledged_at, speed)
        return seconds is not None and seconds <= within
    if expectation.kind == ExpectationKind.REPLY:
        seconds = outcome.seconds(facts.replied_at, speed)
        return seconds is not None and seconds <= within
    decided = None
    if expectation.kind == ExpectationKind.SHARE_INDICATORS:
        decided = shared_indicators(outcome.item, outcome.state, expectation.within)
    if decided is not None:
        return decided
    return judged.met if judged is not None else None


def run_arrangement_ids(run: Run) -> list[int]:
    """The exchange arrangements of a run: those its exchange injects were shared in, else the
    one an exchange inject of its scenario would be shared in (every state of it takes part)."""
    shared = (
        RunDelivery.objects.filter(run_inject__run=run, stix_collection__isnull=False)
        .values_list("stix_collection__arrangement_id", flat=True)
        .distinct()
    )
    ids = sorted(set(shared))
    if ids:
        return ids
    scenario = run.scenario
    state_ids = set(permissions.player_state_ids(scenario)) | {scenario.sender_state_id}
    arrangement = exchange_selectors.arrangement_for_states(
        state_ids, organisation_id=scenario.organisation_id
    )
    return [arrangement.pk] if arrangement is not None else []


def shared_indicators(item: RunInject, state: State, within: timedelta) -> bool | None:
    """Whether users of `state` shared an indicator in an arrangement of the run within the
    expectation's time after the inject was sent (on the run's clock), from the exchange's
    records. None when the run has no arrangement in the exchange (an evaluator judges)."""
    if item.sent_at is None:
        return False
    arrangement_ids = run_arrangement_ids(item.run)
    if not arrangement_ids:
        return None
    return exchange_selectors.indicators_shared(
        state_id=state.pk,
        arrangement_ids=arrangement_ids,
        since=item.sent_at,
        until=item.sent_at + within / item.run.speed,
    )


def run_outcomes(run: Run) -> list[Outcome]:
    """Every (inject, state) pair the run sent, with what the records say."""
    deliveries = _deliveries(run)
    facts = facts_for(deliveries)
    expectations: dict[int, list[Expectation]] = defaultdict(list)
    for e in Expectation.objects.filter(inject__scenario=run.scenario_id):
        expectations[e.inject_id].append(e)
    scores: dict[tuple[int, int], list[Score]] = defaultdict(list)
    for s in Score.objects.filter(run_inject__run=run).select_related("evaluator"):
        scores[(s.run_inject_id, s.state_id)].append(s)
    items = {i.pk: i for i in run.run_injects.select_related("inject")}
    outcomes = []
    for d in sorted(deliveries, key=lambda d: (items[d.run_inject_id].inject.offset, d.pk)):
        item = items[d.run_inject_id]
        judged = {s.expectation_id: s for s in scores[(item.pk, d.state_id)]}
        outcome = Outcome(item, d.state, facts[d.pk], [], scores[(item.pk, d.state_id)])
        outcome.expectations = [
            (e, _met(outcome, e, run.speed, judged.get(e.pk))) for e in expectations[item.inject_id]
        ]
        outcomes.append(outcome)
    return outcomes


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


@dataclass
class Figures:
    """Figures of a group of outcomes (a state, a level, a state at a level, the whole run)."""

    injects: int
    acknowledged: int
    replied: int
    median_ack: float | None
    max_ack: float | None
    median_reply: float | None
    met: int
    expected: int
    unanswered: int


def figures(outcomes: list[Outcome], speed: int) -> Figures:
    acks = [s for o in outcomes if (s := o.seconds(o.facts.acknowledged_at, speed)) is not None]
    replies = [s for o in outcomes if (s := o.seconds(o.facts.replied_at, speed)) is not None]
    verdicts = [met for o in outcomes for _e, met in o.expectations]
    return Figures(
        injects=len(outcomes),
        acknowledged=len(acks),
        replied=len(replies),
        median_ack=_median(acks),
        max_ack=max(acks) if acks else None,
        median_reply=_median(replies),
        met=sum(1 for v in verdicts if v is True),
        expected=len(verdicts),
        unanswered=sum(1 for o in outcomes if o.unanswered),
    )


@dataclass
class Results:
    run: Run
    outcomes: list[Outcome]
    overall: Figures
    by_state: list[tuple[State, Figures]]
    by_state_level: list[tuple[State, str, Figures]]


def run_results(run: Run) -> Results:
    """The run's figures per state and per state and level (the level of the point of contact
    who acknowledged; "" when nobody did)."""
    outcomes = run_outcomes(run)
    states: dict[int, State] = {}
    per_state: dict[int, list[Outcome]] = defaultdict(list)
    per_level: dict[tuple[int, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        states[o.state.pk] = o.state
        per_state[o.state.pk].append(o)
        per_level[(o.state.pk, o.facts.level)].append(o)
    ordered = sorted(states.values(), key=lambda s: s.name)
    return Results(
        run=run,
        outcomes=outcomes,
        overall=figures(outcomes, run.speed),
        by_state=[(s, figures(per_state[s.pk], run.speed)) for s in ordered],
        by_state_level=[
            (states[sid], level, figures(group, run.speed))
            for (sid, level), group in sorted(
                per_level.items(), key=lambda kv: (states[kv[0][0]].name, kv[0][1])
            )
        ],
    )


def earlier_runs(run: Run) -> list[tuple[Run, Figures]]:
    """The same scenario's other ended or running runs before this one, oldest first."""
    runs = Run.objects.filter(scenario_id=run.scenario_id, number__lt=run.number).exclude(
        started_at=None
    )
    return [(r, figures(run_outcomes(r), r.speed)) for r in runs.order_by("number")]


def player_injects(user: Any, run: Run) -> Timeline:
    """What a player sees: the injects sent to their own state, nothing of the plan."""
    state_id = getattr(user, "state_id", None)
    if state_id is None or not permissions.is_player(user, run.scenario):
        raise Http404("No such run.")
    return run_timeline(run, state_id=state_id)
