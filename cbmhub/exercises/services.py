"""Every write of exercises: scenarios and their injects, runs and their clock, the worker's
step that sends due injects, scores and the questionnaire.

Injects go out through the hotline's own services, as ``SYSTEM`` in the name of the scenario's
sending state, marked as exercise (``is_exercise``): EXERCISE in subject and body, on a
bilateral *exercise channel* between the sending state and each player state (so no state that
does not play ever sees it), never escalated unless the scenario allows it, never counted in
real figures.

**Exactly once.** ``runs_step`` (the worker's step, any number of workers) claims a due inject
with a conditional UPDATE (pending → sent) inside the same transaction as the hotline writes
it causes: a worker killed mid-way rolls everything back and the inject is still pending for
the next pass; a second worker's UPDATE matches no row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import DomainError, Forbidden, full_clean_or_raise
from cbmhub.directory.models import Organisation, State
from cbmhub.exchange import selectors as exchange_selectors
from cbmhub.exchange import services as exchange_services
from cbmhub.exchange import stix
from cbmhub.exchange.models import Arrangement
from cbmhub.exchange.models import Collection as ExchangeCollection
from cbmhub.hotline import services as hotline
from cbmhub.hotline.choices import Priority, Scope, Tlp
from cbmhub.hotline.models import Channel
from cbmhub.hotline.permissions import member_state_ids

from . import permissions, plan
from .choices import (
    MESSAGE_KINDS,
    Condition,
    ControlCell,
    ExpectationKind,
    InjectKind,
    InjectStatus,
    MemberRole,
    RunStatus,
    WaitFor,
)
from .models import (
    Expectation,
    Feedback,
    Inject,
    Run,
    RunDelivery,
    RunInject,
    Scenario,
    ScenarioMember,
    Score,
)
from .selectors import dependency_facts

EXERCISE_ARRANGEMENT = "CBM Hub exercises"


class ExercisesError(DomainError):
    """An exercise request that the rules refuse."""

    code = "exercises"


def _invalid(field: str, message: str) -> ExercisesError:
    return ExercisesError(message, code="invalid", field=field)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _require_actor(actor: Any) -> None:
    if actor is None:
        raise Forbidden(_("An actor is required (a user or SYSTEM)."))


def _require_control(actor: Any, scenario: Scenario) -> None:
    _require_actor(actor)
    if not permissions.is_control(actor, scenario):
        raise Forbidden(_("Only the control cell of this exercise may do this."))


# --- scenarios ----------------------------------------------------------------------------------


@transaction.atomic
def scenario_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    sender_state: State,
    states: Iterable[State],
    objectives: str = "",
    control_cell: str = ControlCell.SECRETARIAT,
    level: str = "technical",
    escalation_allowed: bool = False,
    members: Sequence[tuple[Any, str]] = (),
) -> Scenario:
    """A scenario in the library: the participating `states` (the sending state among them),
    its control cell and its named members (``(user, role)``: control, evaluator, observer)."""
    _require_actor(actor)
    if not permissions.may_create_scenario(
        actor, organisation_id=organisation.pk, sender_state_id=sender_state.pk
    ):
        raise Forbidden(_("Only the secretariat or a lead state's focal point may do this."))
    chosen = {s.pk: s for s in states}
    chosen[sender_state.pk] = sender_state
    outside = sorted(s.iso3 for s in chosen.values() if s.pk not in member_state_ids(organisation))
    if outside:
        raise _invalid(
            "states",
            _("These states do not take part in %(organisation)s: %(states)s.")
            % {"organisation": organisation.acronym, "states": ", ".join(outside)},
        )
    if len(chosen) < 2:
        raise _invalid("states", _("An exercise needs at least one state besides the lead state."))
    scenario = Scenario(
        title=(title or "").strip(),
        objectives=(objectives or "").strip(),
        organisation=organisation,
        control_cell=control_cell,
        sender_state=sender_state,
        level=level,
        escalation_allowed=escalation_allowed,
        created_by=roles.user_or_none(actor),
    )
    full_clean_or_raise(scenario, ExercisesError)
    scenario.save()
    scenario.states.set(chosen.values())
    for index, (user, role) in enumerate(members):
        if role not in MemberRole.values:
            raise _invalid(f"members[{index}].role", _("Unknown role %r.") % role)
        ScenarioMember.objects.create(scenario=scenario, user=user, role=role)
    return scenario


@transaction.atomic
def scenario_copy(*, actor: Any, scenario: Scenario, title: str = "") -> Scenario:
    """A new scenario with the same participants, members, injects (dependencies pointing at
    the copies) and expectations: how a plan that has been run is changed, its runs keeping
    the plan they ran."""
    _require_control(actor, scenario)
    copy = scenario_create(
        actor=actor,
        organisation=scenario.organisation,
        title=title or _("%(title)s (copy)") % {"title": scenario.title},
        sender_state=scenario.sender_state,
        states=list(scenario.states.all()),
        objectives=scenario.objectives,
        control_cell=scenario.control_cell,
        level=scenario.level,
        escalation_allowed=scenario.escalation_allowed,
        members=[(m.user, m.role) for m in scenario.members.all()],
    )
    copies: dict[int, Inject] = {}
    for inject in scenario.injects.prefetch_related("recipients", "expectations").order_by(
        "offset", "position", "id"
    ):
        spec = InjectSpec(
            offset=inject.offset,
            kind=inject.kind,
            subject=inject.subject,
            body=inject.body,
            recipients=list(inject.recipients.all()),
            language=inject.language,
            translations=inject.translations,
            after=copies.get(inject.after_id) if inject.after_id else None,
            after_state=inject.after_state,
            wait_for=inject.wait_for,
            condition=inject.condition,
            check_deadline=inject.check_deadline,
            expectations=[(e.kind, e.within) for e in inject.expectations.all()],
            tlp=inject.tlp,
        )
        copies[inject.pk] = inject_add(actor=actor, scenario=copy, spec=spec)
    return copy


@dataclass(frozen=True)
class InjectSpec:
    """An inject as a caller describes it (the form, the API, the import)."""

    offset: timedelta
    kind: str
    subject: str
    body: str = ""
    recipients: Sequence[State] = ()
    language: str = "en"
    translations: dict[str, dict[str, str]] | None = None
    after: Inject | None = None
    after_state: State | None = None
    wait_for: str = WaitFor.NONE
    condition: str = Condition.ALWAYS
    check_deadline: timedelta = timedelta(hours=1)
    expectations: Sequence[tuple[str, timedelta]] = ()
    tlp: str = "green"


@transaction.atomic
def inject_add(*, actor: Any, scenario: Scenario, spec: InjectSpec, field: str = "") -> Inject:
    """Add one inject to a scenario's timeline, with its expectations. `field` prefixes the
    names of wrong inputs (``injects[3].`` in an import)."""
    _require_control(actor, scenario)
    if scenario.runs.exclude(status=RunStatus.READY).exists():
        raise ExercisesError(
            _("This scenario has been run: copy it to change its plan."), code="scenario_run"
        )
    _check_spec(scenario, spec, field)
    inject = Inject(
        scenario=scenario,
        position=scenario.injects.count(),
        offset=spec.offset,
        kind=spec.kind,
        subject=(spec.subject or "").strip(),
        body=(spec.body or "").strip(),
        language=spec.language or "en",
        translations=spec.translations or {},
        after=spec.after,
        after_state=spec.after_state,
        wait_for=spec.wait_for,
        condition=spec.condition,
        check_deadline=spec.check_deadline,
        tlp=spec.tlp,
    )
    full_clean_or_raise(inject, ExercisesError)
    inject.save()
    inject.recipients.set(spec.recipients)
    Expectation.objects.bulk_create(
        [Expectation(inject=inject, kind=k, within=w) for k, w in spec.expectations]
    )
    for run in scenario.runs.filter(status=RunStatus.READY):
        RunInject.objects.create(run=run, inject=inject)
    return inject


def _check_spec(scenario: Scenario, spec: InjectSpec, field: str) -> None:
    if spec.kind not in InjectKind.values:
        raise _invalid(f"{field}kind", _("Unknown inject kind %r.") % spec.kind)
    if spec.kind == InjectKind.EXCHANGE and _exchange_arrangement(scenario) is None:
        raise _invalid(
            f"{field}kind",
            _(
                "No active exchange arrangement has every state of this exercise with the write"
                " right: no STIX inject can be sent."
            ),
        )
    if spec.offset < timedelta(0):
        raise _invalid(f"{field}offset", _("The offset cannot be before the start."))
    players = permissions.player_state_ids(scenario)
    outside = sorted(s.iso3 for s in spec.recipients if s.pk not in players)
    if outside:
        raise _invalid(
            f"{field}recipients",
            _("These states do not play in this exercise: %s.") % ", ".join(outside),
        )
    _check_dependency(scenario, spec, field)
    _check_expectations(spec, field)


def _check_dependency(scenario: Scenario, spec: InjectSpec, field: str) -> None:
    if spec.after is None:
        if spec.wait_for or spec.condition != Condition.ALWAYS or spec.after_state:
            raise _invalid(f"{field}after", _("A dependency or condition names an earlier inject."))
        return
    if spec.after.scenario_id != scenario.pk:
        raise _invalid(f"{field}after", _("The earlier inject is in another scenario."))
    if spec.after.offset > spec.offset:
        raise _invalid(f"{field}after", _("An inject cannot depend on a later one."))
    if spec.wait_for and spec.condition != Condition.ALWAYS:
        raise _invalid(f"{field}condition", _("Wait for the earlier inject, or test it: not both."))
    if spec.after_state is not None and spec.after_state.pk not in permissions.player_state_ids(
        scenario
    ):
        raise _invalid(f"{field}after_state", _("That state does not play in this exercise."))


def _check_expectations(spec: InjectSpec, field: str) -> None:
    seen: set[str] = set()
    for index, (kind, within) in enumerate(spec.expectations):
        where = f"{field}expectations[{index}]"
        if kind not in ExpectationKind.values:
            raise _invalid(f"{where}.kind", _("Unknown expectation %r.") % kind)
        if within <= timedelta(0):
            raise _invalid(f"{where}.within", _("The time must be longer than zero."))
        if kind in seen:
            raise _invalid(f"{where}.kind", _("This expectation is given twice."))
        if spec.kind == InjectKind.COMMUNICATION_CHECK and kind == ExpectationKind.REPLY:
            raise _invalid(f"{where}.kind", _("A communication check is confirmed, not answered."))
        seen.add(kind)


@transaction.atomic
def scenario_import(
    *, actor: Any, scenario: Scenario, rows: list[dict[str, str]], first_row: int = 2
) -> list[Inject]:
    """Add the injects of a spreadsheet's rows (columns offset, kind, recipients, text,
    expectation), all or nothing: every problem is reported by row and column at once."""
    _require_control(actor, scenario)
    result = plan.read_rows(
        rows,
        kinds=set(InjectKind.values),
        expectation_kinds=set(ExpectationKind.values),
        first_row=first_row,
    )
    states = {s.iso3: s for s in scenario.states.all()}
    players = permissions.player_state_ids(scenario)
    for planned in result.rows:
        unknown = [c for c in planned.codes if c not in states or states[c].pk not in players]
        if unknown:
            result.error(
                planned.row,
                "recipients",
                _("These states do not play in this exercise: %s.") % ", ".join(unknown),
            )
    if result.errors:
        raise _import_error(result.errors)
    injects = []
    for planned in result.rows:
        spec = InjectSpec(
            offset=planned.offset,
            kind=planned.kind,
            subject=planned.subject,
            body=planned.body,
            recipients=[states[c] for c in planned.codes],
            expectations=planned.expectations,
        )
        try:
            injects.append(inject_add(actor=actor, scenario=scenario, spec=spec))
        except DomainError as error:
            raise _import_error(
                [{"row": planned.row, "field": _column(error), "message": error.message}]
            ) from error
    return injects


def _column(error: DomainError) -> str:
    name = error.field.split(".")[0].split("[")[0]
    return {"subject": "text", "body": "text", "expectations": "expectation"}.get(name, name)


def _import_error(errors: list[dict[str, Any]]) -> ExercisesError:
    first = errors[0]
    where = _("row %(row)s, column %(field)s") % first if first["row"] else _("the file")
    return ExercisesError(
        _("Nothing was imported: %(count)d problem(s); the first, %(where)s: %(message)s")
        % {"count": len(errors), "where": where, "message": first["message"]},
        code="invalid",
        details=errors,
    )


# --- runs: the clock ----------------------------------------------------------------------------


@transaction.atomic
def run_create(*, actor: Any, scenario: Scenario, speed: int = 1, anonymise: bool = True) -> Run:
    """A new run of the scenario, ready to start; its injects are all pending."""
    _require_control(actor, scenario)
    if speed < 1 or speed > 3600:
        raise _invalid("speed", _("The clock's speed is between 1 and 3600."))
    if not scenario.injects.exists():
        raise ExercisesError(_("This scenario has no injects yet."), code="no_injects")
    Scenario.objects.select_for_update().filter(pk=scenario.pk).first()
    number = (scenario.runs.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    run = Run.objects.create(scenario=scenario, number=number, speed=speed, anonymise=anonymise)
    RunInject.objects.bulk_create([RunInject(run=run, inject=i) for i in scenario.injects.all()])
    return run


def _locked_run(run: Run, *statuses: str) -> Run:
    locked = (
        Run.objects.select_for_update(of=("self",))
        .select_related("scenario")
        .filter(pk=run.pk)
        .first()
    )
    if locked is None:
        raise ExercisesError(_("This run no longer exists."), code="not_found")
    if locked.status not in statuses:
        raise ExercisesError(
            _("This run is %s: that cannot be done now.") % locked.get_status_display(),
            code="wrong_status",
        )
    return locked


@transaction.atomic
def run_start(*, actor: Any, run: Run, now: datetime | None = None) -> Run:
    """Start the clock: every inject is due at ``start + offset / speed``. The exercise
    channels to the player states are opened now, so that a missing one never fails a send."""
    _require_control(actor, run.scenario)
    run = _locked_run(run, RunStatus.READY)
    now = _now(now)
    run.status, run.started_at = RunStatus.RUNNING, now
    run.started_by = roles.user_or_none(actor)
    run.save(update_fields=["status", "started_at", "started_by", "updated_at"])
    for item in run.run_injects.select_related("inject"):
        item.due_at = now + item.inject.offset / run.speed
        item.save(update_fields=["due_at"])
    for state in run.scenario.states.exclude(pk=run.scenario.sender_state_id):
        _exercise_channel(run.scenario, state)
    return run


@transaction.atomic
def run_pause(*, actor: Any, run: Run, now: datetime | None = None) -> Run:
    _require_control(actor, run.scenario)
    run = _locked_run(run, RunStatus.RUNNING)
    run.status, run.paused_at = RunStatus.PAUSED, _now(now)
    run.save(update_fields=["status", "paused_at", "updated_at"])
    return run


@transaction.atomic
def run_resume(*, actor: Any, run: Run, now: datetime | None = None) -> Run:
    """Resume: the rest of the timeline moves by the time the run was paused."""
    _require_control(actor, run.scenario)
    run = _locked_run(run, RunStatus.PAUSED)
    now = _now(now)
    assert run.paused_at is not None
    shift = max(now - run.paused_at, timedelta(0))
    run.status, run.paused_at = RunStatus.RUNNING, None
    run.paused_total += shift
    run.save(update_fields=["status", "paused_at", "paused_total", "updated_at"])
    run.run_injects.filter(status=InjectStatus.PENDING).update(due_at=F("due_at") + shift)
    return run


@transaction.atomic
def run_end(*, actor: Any, run: Run, now: datetime | None = None) -> Run:
    """End the run: what was not sent is marked skipped."""
    _require_control(actor, run.scenario)
    run = _locked_run(run, RunStatus.READY, RunStatus.RUNNING, RunStatus.PAUSED)
    run.status, run.ended_at = RunStatus.ENDED, _now(now)
    run.save(update_fields=["status", "ended_at", "updated_at"])
    run.run_injects.filter(status=InjectStatus.PENDING).update(
        status=InjectStatus.SKIPPED, note="the run ended first"
    )
    return run


@transaction.atomic
def run_inject_skip(*, actor: Any, run_inject: RunInject) -> RunInject:
    _require_control(actor, run_inject.run.scenario)
    _locked_run(run_inject.run, RunStatus.READY, RunStatus.RUNNING, RunStatus.PAUSED)
    updated = RunInject.objects.filter(pk=run_inject.pk, status=InjectStatus.PENDING).update(
        status=InjectStatus.SKIPPED, note="skipped by the control cell"
    )
    if not updated:
        raise ExercisesError(_("This inject is no longer pending."), code="wrong_status")
    run_inject.refresh_from_db()
    return run_inject


@transaction.atomic
def run_inject_now(*, actor: Any, run_inject: RunInject, now: datetime | None = None) -> RunInject:
    """Send a pending inject now, whatever its offset and dependency (the control cell's
    call); the rest of the timeline stays as it is."""
    _require_control(actor, run_inject.run.scenario)
    _locked_run(run_inject.run, RunStatus.RUNNING, RunStatus.PAUSED)
    now = _now(now)
    if not _claim_and_send(run_inject.pk, now, forced=True):
        raise ExercisesError(_("This inject is no longer pending."), code="wrong_status")
    run_inject.refresh_from_db()
    return run_inject


# --- runs: the worker's step --------------------------------------------------------------------


def runs_step(*, actor: Any, now: datetime | None = None, limit: int = 200) -> int:
    """Send every inject that is due in a running run; returns how many were sent or skipped
    by their condition. The worker calls it in every pass (``ExercisesConfig.worker_step``)."""
    if not roles.is_system(actor):
        raise Forbidden(_("Only the system may do this (actor=SYSTEM)."))
    now = _now(now)
    due = list(
        RunInject.objects.filter(
            status=InjectStatus.PENDING, due_at__lte=now, run__status=RunStatus.RUNNING
        )
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if _step_one(pk, now))


@transaction.atomic
def _step_one(pk: int, now: datetime) -> bool:
    return _claim_and_send(pk, now, forced=False)


def _claim_and_send(pk: int, now: datetime, *, forced: bool) -> bool:
    """Inside the caller's transaction: the inject's gate (dependency, condition), then the
    claim (pending → sent, conditional) and the hotline writes, all or nothing."""
    item = (
        RunInject.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("run__scenario__sender_state", "run__scenario__organisation", "inject")
        .filter(pk=pk, status=InjectStatus.PENDING)
        .first()
    )
    if item is None:
        return False
    gate, note = ("go", "") if forced else _gate(item)
    if gate == "wait":
        return False
    status = InjectStatus.SENT if gate == "go" else InjectStatus.SKIPPED
    claimed = RunInject.objects.filter(pk=pk, status=InjectStatus.PENDING).update(
        status=status, sent_at=now if gate == "go" else None, note=note
    )
    if claimed != 1:
        return False
    if gate == "go":
        _deliver(item, now)
    return True


def _gate(item: RunInject) -> tuple[str, str]:
    """ "go", "wait" (a dependency not yet met) or "skip" (a condition not met, or the inject
    it depends on was never sent), with the reason."""
    inject = item.inject
    if inject.after_id is None:
        return "go", ""
    before, facts = dependency_facts(item)
    if before is None or before.status in (InjectStatus.SKIPPED, InjectStatus.FAILED):
        return "skip", "the inject it depends on was not sent"
    if before.status == InjectStatus.PENDING:
        return "wait", ""
    if inject.after_state_id is not None:
        facts = [f for f in facts if f.state_id == inject.after_state_id]
    acknowledged = bool(facts) and all(f.acknowledged_at for f in facts)
    replied = bool(facts) and all(f.replied_at for f in facts)
    if inject.wait_for:
        done = acknowledged if inject.wait_for == WaitFor.ACKNOWLEDGED else replied
        return ("go", "") if done else ("wait", "")
    if inject.condition == Condition.IF_NOT_ACKNOWLEDGED and acknowledged:
        return "skip", "condition not met: the earlier inject was acknowledged"
    if inject.condition == Condition.IF_NOT_REPLIED and replied:
        return "skip", "condition not met: the earlier inject was answered"
    return "go", ""


def inject_recipients(item: RunInject) -> list[State]:
    """The player states an inject goes to: its recipients, or every player; never a state
    that does not play, whatever was stored."""
    scenario = item.run.scenario
    players = permissions.player_state_ids(scenario)
    chosen = list(item.inject.recipients.all()) or list(scenario.states.all())
    return sorted((s for s in chosen if s.pk in players), key=lambda s: s.name)


def _deliver(item: RunInject, now: datetime) -> None:
    """The inject's hotline writes; a refusal by the hotline marks the inject failed (in a
    savepoint, so the claim stands and the worker does not retry it forever)."""
    states = inject_recipients(item)
    try:
        with transaction.atomic():
            _deliver_kind(item, states, now)
    except DomainError as error:
        RunInject.objects.filter(pk=item.pk).update(
            status=InjectStatus.FAILED, sent_at=None, note=error.message[:300]
        )


def _deliver_kind(item: RunInject, states: list[State], now: datetime) -> None:
    kind = item.inject.kind
    if kind in MESSAGE_KINDS:
        for state in states:
            result = _send_message(item, state, now)
            RunDelivery.objects.create(run_inject=item, state=state, message=result.message)
    elif kind == InjectKind.COMMUNICATION_CHECK:
        scenario = item.run.scenario
        check = hotline.check_start(
            actor=roles.SYSTEM,
            organisation=scenario.organisation,
            states=states,
            deadline=item.inject.check_deadline / item.run.speed,
            note=item.inject.subject[:180],
            now=now,
            is_exercise=True,
        )
        RunDelivery.objects.bulk_create(
            [RunDelivery(run_inject=item, state=s, communication_check=check) for s in states]
        )
    elif kind == InjectKind.EXCHANGE:
        collection, report_id = _share_in_exchange(item, states, now)
        RunDelivery.objects.bulk_create(
            [
                RunDelivery(run_inject=item, state=s, stix_collection=collection, stix_id=report_id)
                for s in states
            ]
        )
    # A manual inject is played by the control cell by hand: nothing is sent.


def _exchange_arrangement(scenario: Scenario) -> Arrangement | None:
    """The arrangement an exchange inject is shared in: one where the sending state and every
    player take part with the write right (the scenario's organisation's network first)."""
    state_ids = set(permissions.player_state_ids(scenario)) | {scenario.sender_state_id}
    return exchange_selectors.arrangement_for_states(
        state_ids, organisation_id=scenario.organisation_id
    )


def _share_in_exchange(
    item: RunInject, states: list[State], now: datetime
) -> tuple[ExchangeCollection, str]:
    """Share the inject as a STIX incident with its indicators (the body's lines that are an IP
    address, domain, URL or file hash; the other lines describe it), as the sending state, under
    the inject's TLP, in the run's *exercise collection* of the arrangement: only the states
    that play see it, and the exchange never lists or counts it as real."""
    run, inject = item.run, item.inject
    scenario = run.scenario
    arrangement = _exchange_arrangement(scenario)
    if arrangement is None:
        raise ExercisesError(_("No active exchange arrangement has every state of this exercise."))
    collection = exchange_services.exercise_collection_open(
        actor=roles.SYSTEM,
        arrangement=arrangement,
        title=exercise_collection_title(run),
        states=[scenario.sender_state, *states],
        default_tlp=inject.tlp,
    )
    lines = (inject.body or "").splitlines()
    indicators = [line.strip() for line in lines if stix.detect_kind(line.strip())]
    description = "\n".join(line for line in lines if not stix.detect_kind(line.strip()))
    result = exchange_services.incident_report_file(
        actor=roles.SYSTEM,
        collection=collection,
        title=f"{_('EXERCISE')}: {inject.subject}",
        description=f"{description.strip() or inject.subject}\n\n"
        f"({scenario.title}, run {run.number})",
        severity="medium",
        sectors=[],
        indicators_text="\n".join(indicators),
        level=inject.tlp,
        now=now,
        source_state=scenario.sender_state,
    )
    return collection, result.report_id


def exercise_collection_title(run: Run) -> str:
    return f"EXERCISE — {run.scenario.title} — run {run.number} (#{run.pk})"[:200]


def _send_message(item: RunInject, state: State, now: datetime) -> hotline.SendResult:
    inject, scenario = item.inject, item.run.scenario
    subject = inject.subject
    if inject.kind == InjectKind.NOTE_VERBALE:
        subject = f"{_('Note verbale')}: {subject}"
    return hotline.message_send(
        actor=roles.SYSTEM,
        channel=_exercise_channel(scenario, state),
        kind=MESSAGE_KINDS[InjectKind(inject.kind)],
        priority=Priority.URGENT,
        subject=subject,
        body=_body(inject, scenario, item.run),
        language=inject.language,
        tlp=Tlp.GREEN,
        now=now,
        is_exercise=True,
        sender_state=scenario.sender_state,
        escalate=scenario.escalation_allowed,
    )


def _body(inject: Inject, scenario: Scenario, run: Run) -> str:
    """The inject's text, then each translation under its language code."""
    parts = [inject.body or inject.subject]
    for language, text in sorted((inject.translations or {}).items()):
        parts.append(f"--- [{language}] {text.get('subject', '')}\n{text.get('body', '')}".strip())
    parts.append(f"({scenario.title}, run {run.number})")
    return "\n\n".join(parts)


def _exercise_channel(scenario: Scenario, state: State) -> Channel:
    """The bilateral exercise channel between the sending state and `state` at the scenario's
    level, opened once (as SYSTEM) and reused by every scenario and run. Its escalation policy
    is the hotline's default; whether a message escalates at all is the scenario's
    ``escalation_allowed``, passed with each send."""
    sender = scenario.sender_state
    found = (
        Channel.objects.filter(
            scope=Scope.BILATERAL,
            arrangement=EXERCISE_ARRANGEMENT,
            level=scenario.level,
            is_active=True,
            state_a_id__in=[sender.pk, state.pk],
            state_b_id__in=[sender.pk, state.pk],
        )
        .order_by("id")
        .first()
    )
    if found is not None:
        return found
    return hotline.channel_create(
        actor=roles.SYSTEM,
        name=f"EXERCISE {sender.iso3}–{state.iso3} ({scenario.get_level_display()})",
        scope=Scope.BILATERAL,
        level=scenario.level,
        organisation=scenario.organisation,
        state_a=sender,
        state_b=state,
        arrangement=EXERCISE_ARRANGEMENT,
        is_exercise=True,
    )


# --- judgement and the questionnaire --------------------------------------------------------------


@transaction.atomic
def score_set(
    *,
    actor: Any,
    run_inject: RunInject,
    state: State,
    expectation: Expectation | None = None,
    met: bool | None = None,
    score: int | None = None,
    comment: str = "",
) -> Score:
    """An evaluator's score (0–5), comment and, for an expectation the records cannot decide,
    whether it was met. Setting it again replaces it."""
    _require_actor(actor)
    scenario = run_inject.run.scenario
    if not permissions.may_score(actor, scenario):
        raise Forbidden(_("Only an evaluator of this exercise may score it."))
    if state.pk not in {s.pk for s in inject_recipients(run_inject)}:
        raise _invalid("state", _("This inject did not go to that state."))
    if expectation is not None and expectation.inject_id != run_inject.inject_id:
        raise _invalid("expectation", _("That expectation belongs to another inject."))
    if score is not None and not 0 <= score <= 5:
        raise _invalid("score", _("A score is from 0 to 5."))
    row, _created = Score.objects.select_for_update().get_or_create(
        run_inject=run_inject, state=state, expectation=expectation
    )
    row.met, row.score, row.comment = met, score, (comment or "").strip()
    row.evaluator = actor
    row.save()
    return row


@transaction.atomic
def feedback_submit(
    *, actor: Any, run: Run, went_well: str = "", to_improve: str = "", recommendation: str = ""
) -> Feedback:
    """A participant's answers to the after-action questionnaire (again: replaced)."""
    _require_actor(actor)
    if not permissions.may_see(actor, run.scenario) or not roles.is_signed_in(actor):
        raise Forbidden(_("Only a participant of this exercise may answer its questionnaire."))
    texts = [(went_well or "").strip(), (to_improve or "").strip(), (recommendation or "").strip()]
    if not any(texts):
        raise _invalid("to_improve", _("The questionnaire is empty."))
    row, _created = Feedback.objects.select_for_update().get_or_create(run=run, user=actor)
    row.went_well, row.to_improve, row.recommendation = texts
    row.state_id = roles.state_id_of(actor)
    row.save()
    return row
