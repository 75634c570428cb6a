"""Writes of the measures app: catalogues and their trees, plans and initiatives, reporting
cycles, submissions (with versions and attachments), capability records, thresholds, alerts and
reminders.

Each function takes ``actor=`` and checks ``permissions.py`` first: a user, or
``core.roles.SYSTEM`` for commands and the demo; ``None`` is refused. A refusal is
``core.errors.Forbidden``; anything else wrong is ``MeasuresError`` naming the input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cbmhub.core import roles
from cbmhub.core.errors import DomainError, Forbidden, full_clean_or_raise
from cbmhub.directory.models import Organisation, State
from cbmhub.negotiations.models import Document

from . import permissions, selectors
from .choices import AlertStatus, Dimension, Signal, SubmissionKind, SubmissionStatus, Visibility
from .models import (
    Alert,
    Capability,
    Catalogue,
    Coordinator,
    CycleTally,
    Initiative,
    Measure,
    Plan,
    ReportingCycle,
    Submission,
    SubmissionAttachment,
    SubmissionVersion,
    Threshold,
)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 10


class MeasuresError(DomainError):
    """A request the measures domain refuses; ``field`` names the input it is about."""


def _validated(instance: Any) -> None:
    full_clean_or_raise(instance, MeasuresError)


def _check_document(document: Document | None, organisation_id: int, field: str) -> None:
    if document is not None and document.organisation_id != organisation_id:
        raise MeasuresError(_("The document is not one of this organisation's."), field=field)


# --- catalogues and measures ------------------------------------------------------------------


@transaction.atomic
def catalogue_create(
    *,
    actor: Any,
    organisation: Organisation,
    code: str,
    title: str,
    version: str = "",
    adopted_on: Date | None = None,
    superseded_on: Date | None = None,
    adopted_by: Document | None = None,
    superseded_by: Document | None = None,
) -> Catalogue:
    permissions.require_manage(actor, organisation.pk)
    _check_document(adopted_by, organisation.pk, "adopted_by")
    _check_document(superseded_by, organisation.pk, "superseded_by")
    catalogue = Catalogue(
        organisation=organisation,
        code=code,
        title=title,
        version=version,
        adopted_on=adopted_on,
        superseded_on=superseded_on,
        adopted_by=adopted_by,
        superseded_by=superseded_by,
    )
    _validated(catalogue)
    catalogue.save()
    return catalogue


def parent_code(code: str) -> str:
    """The code of an item's parent: "3.2.2.4" → "3.2.2"; "" for a top-level item."""
    parts = code.strip(".").split(".")
    return ".".join(parts[:-1])


@dataclass(frozen=True)
class ItemSpec:
    """One measure to create or update by an import (outline, CSV, JSON)."""

    code: str
    text: str
    parent: str = ""
    dimension: str = ""
    place: str = ""  # where it came from, for errors: "line 12", "row 3"


@transaction.atomic
def measure_create(
    *,
    actor: Any,
    catalogue: Catalogue,
    code: str,
    text: str,
    dimension: str = "",
    adopted_on: Date | None = None,
    superseded_on: Date | None = None,
) -> Measure:
    permissions.require_manage(actor, catalogue.organisation_id)
    code = code.strip().strip(".")
    parent = None
    if up := parent_code(code):
        parent = Measure.objects.filter(catalogue=catalogue, code=up).first()
        if parent is None:
            raise MeasuresError(
                _("There is no measure %(code)s to hold %(child)s.") % {"code": up, "child": code},
                field="code",
            )
    measure = Measure(
        catalogue=catalogue,
        parent=parent,
        code=code,
        text=text.strip(),
        dimension=dimension,
        adopted_on=adopted_on,
        superseded_on=superseded_on,
    )
    _validated(measure)
    measure.save()
    return measure


def _check_items(items: Sequence[ItemSpec]) -> list[dict[str, Any]]:
    """Every problem of an import's items, each naming its place and field."""
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    valid_dimensions = {c.value for c in Dimension}
    for item in items:
        place = {"row": item.place} if item.place else {}
        if not item.code or not all(p.isdigit() for p in item.code.split(".")):
            errors.append({**place, "field": "code", "message": _("Not a numbered code.")})
        elif item.code in seen:
            errors.append({**place, "field": "code", "message": _("This code appears twice.")})
        elif item.parent and item.parent not in seen:
            message = _("The parent comes later or is missing.")
            errors.append({**place, "field": "parent", "message": message})
        if not item.text.strip():
            errors.append({**place, "field": "text", "message": _("The text is empty.")})
        if item.dimension and item.dimension not in valid_dimensions:
            errors.append({**place, "field": "dimension", "message": _("Unknown dimension.")})
        seen.add(item.code)
    return errors


@transaction.atomic
def catalogue_import_items(
    *, actor: Any, catalogue: Catalogue, items: Sequence[ItemSpec]
) -> dict[str, int]:
    """Create or update the catalogue's measures from ``items`` (parents before children), all
    or nothing: any error and nothing is written. Returns counts (created, updated)."""
    permissions.require_manage(actor, catalogue.organisation_id)
    if errors := _check_items(items):
        raise MeasuresError(
            _("The import has %(count)d error(s); nothing was changed.") % {"count": len(errors)},
            field="items",
            details=errors,
        )
    existing = {m.code: m for m in Measure.objects.filter(catalogue=catalogue)}
    created = updated = 0
    for item in items:
        measure = existing.get(item.code)
        parent = existing.get(item.parent) if item.parent else None
        if measure is None:
            measure = Measure(catalogue=catalogue, code=item.code)
            created += 1
        elif measure.text == item.text and measure.parent_id == (parent and parent.pk):
            continue
        else:
            updated += 1
        measure.parent = parent
        measure.text = item.text
        measure.dimension = item.dimension or measure.dimension
        measure.save()
        existing[item.code] = measure
    return {"created": created, "updated": updated}


@transaction.atomic
def coordinator_add(
    *,
    actor: Any,
    measure: Measure,
    state: State,
    role: str,
    from_year: int,
    to_year: int | None = None,
) -> Coordinator:
    permissions.require_manage(actor, measure.catalogue.organisation_id)
    coordinator = Coordinator(
        measure=measure, state=state, role=role, from_year=from_year, to_year=to_year
    )
    _validated(coordinator)
    coordinator.save()
    return coordinator


# --- plans and initiatives --------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    measure: Measure,
    title: str,
    from_year: int,
    to_year: int,
    objectives: str = "",
    document: Document | None = None,
) -> Plan:
    organisation_id = measure.catalogue.organisation_id
    permissions.require_manage(actor, organisation_id)
    _check_document(document, organisation_id, "document")
    plan = Plan(
        measure=measure,
        title=title,
        from_year=from_year,
        to_year=to_year,
        objectives=objectives,
        document=document,
    )
    _validated(plan)
    plan.save()
    return plan


INITIATIVE_FIELDS = ("kind", "title", "year", "date", "lead_state", "status", "outcome")


@transaction.atomic
def initiative_save(
    *,
    actor: Any,
    plan: Plan,
    initiative: Initiative | None = None,
    participants: Iterable[State] | None = None,
    **fields: Any,
) -> Initiative:
    """Create (``initiative`` None) or change an initiative of ``plan``."""
    permissions.require_manage(actor, plan.measure.catalogue.organisation_id)
    if initiative is not None and initiative.plan_id != plan.pk:
        raise MeasuresError(_("The initiative is not part of this plan."), field="initiative")
    unknown = set(fields) - set(INITIATIVE_FIELDS)
    if unknown:
        raise MeasuresError(_("Unknown field."), field=sorted(unknown)[0])
    initiative = initiative or Initiative(plan=plan)
    for name, value in fields.items():
        setattr(initiative, name, value)
    if not plan.from_year <= initiative.year <= plan.to_year:
        raise MeasuresError(_("The year is outside the plan's period."), field="year")
    _validated(initiative)
    initiative.save()
    if participants is not None:
        initiative.participants.set(list(participants))
    return initiative


# --- reporting cycles -------------------------------------------------------------------------


@transaction.atomic
def cycle_create(
    *,
    actor: Any,
    catalogue: Catalogue,
    instrument: str,
    year: int,
    deadline: Date,
    measures: Iterable[Measure] = (),
) -> ReportingCycle:
    permissions.require_manage(actor, catalogue.organisation_id)
    cycle = ReportingCycle(catalogue=catalogue, instrument=instrument, year=year, deadline=deadline)
    _validated(cycle)
    cycle.save()
    chosen = list(measures)
    if any(m.catalogue_id != catalogue.pk for m in chosen):
        raise MeasuresError(_("A measure is not in this catalogue."), field="measures")
    cycle.measures.set(chosen)
    return cycle


# --- submissions ------------------------------------------------------------------------------


def _check_submission_fields(
    cycle: ReportingCycle, measure: Measure, state: State, fields: dict[str, Any]
) -> None:
    if measure.catalogue_id != cycle.catalogue_id:
        raise MeasuresError(_("The measure is not in this cycle's catalogue."), field="measure")
    if measure.pk not in {m.pk for m in selectors.cycle_measures(cycle)}:
        raise MeasuresError(_("This cycle does not ask about this measure."), field="measure")
    if not permissions.takes_part(state.pk, cycle.catalogue.organisation_id):
        raise MeasuresError(_("The state does not take part in this organisation."), field="state")
    kind = fields.get("kind")
    if kind == SubmissionKind.NIL_RETURN and not fields.get("nil_since_year"):
        raise MeasuresError(
            _('A nil return says "nothing new since" a year: give the year.'),
            field="nil_since_year",
        )
    if kind != SubmissionKind.NIL_RETURN and not str(fields.get("text", "")).strip():
        raise MeasuresError(_("A submission needs its text."), field="text")
    if fields.get("nil_since_year") and fields["nil_since_year"] > cycle.year:
        raise MeasuresError(_("The year is after the cycle's year."), field="nil_since_year")


SUBMISSION_FIELDS = ("kind", "title", "text", "nil_since_year", "language", "visibility")


def _snapshot(submission: Submission, actor: Any, now: Any) -> None:
    SubmissionVersion.objects.create(
        submission=submission,
        number=submission.version,
        kind=submission.kind,
        title=submission.title,
        text=submission.text,
        nil_since_year=submission.nil_since_year,
        saved_at=now,
        saved_by=roles.user_or_none(actor),
    )


@transaction.atomic
def submission_save(
    *,
    actor: Any,
    cycle: ReportingCycle,
    measure: Measure,
    state: State,
    submit: bool = False,
    named_states: Iterable[State] | None = None,
    now: Any = None,
    **fields: Any,
) -> Submission:
    """File or revise a state's submission for a cell (cycle × measure × state): a state user
    saves a draft, the focal point submits (``submit=True``). A change to a submission that was
    already submitted keeps the previous text as a version and asks for a new acknowledgement."""
    (permissions.require_file if submit else permissions.require_draft)(actor, state.pk)
    unknown = set(fields) - set(SUBMISSION_FIELDS)
    if unknown:
        raise MeasuresError(_("Unknown field."), field=sorted(unknown)[0])
    now = now or timezone.now()
    submission = (
        Submission.objects.select_for_update()
        .filter(cycle=cycle, measure=measure, state=state)
        .first()
    )
    merged = {name: getattr(submission, name) for name in SUBMISSION_FIELDS} if submission else {}
    merged.update(fields)
    _check_submission_fields(cycle, measure, state, merged)
    if submission is None:
        submission = Submission(cycle=cycle, measure=measure, state=state)
    elif submission.status != SubmissionStatus.DRAFT:
        _snapshot(submission, actor, now)
        submission.version += 1
        submission.status = SubmissionStatus.DRAFT
        submission.acknowledged_at = None
        submission.acknowledged_by = None
    for name, value in fields.items():
        setattr(submission, name, value)
    if submission.kind != SubmissionKind.NIL_RETURN:
        submission.nil_since_year = None
    if submit:
        submission.status = SubmissionStatus.SUBMITTED
        submission.submitted_by = roles.user_or_none(actor)
        submission.submitted_at = now
    _validated(submission)
    submission.save()
    if named_states is not None:
        submission.named_states.set(list(named_states))
    if submission.visibility == Visibility.NAMED and not submission.named_states.exists():
        raise MeasuresError(_("Name at least one state that may read it."), field="named_states")
    _retally(cycle.pk, state.pk)
    return submission


FILED = [SubmissionStatus.SUBMITTED, SubmissionStatus.ACKNOWLEDGED]


def _retally(cycle_id: int, state_id: int) -> None:
    """The state's tally of the cycle counted again (its submissions only: a few hundred)."""
    counts = Submission.objects.filter(
        cycle_id=cycle_id, state_id=state_id, status__in=FILED
    ).aggregate(filed=Count("id"), nil=Count("id", filter=Q(kind=SubmissionKind.NIL_RETURN)))
    CycleTally.objects.update_or_create(cycle_id=cycle_id, state_id=state_id, defaults=counts)


@transaction.atomic
def cycle_tallies_rebuild(*, actor: Any, cycle: ReportingCycle) -> int:
    """Every tally of a cycle counted again from its submissions (after rows were written
    without the services: a bulk load, a restore). Returns the number of tallies."""
    permissions.require_manage(actor, cycle.catalogue.organisation_id)
    CycleTally.objects.filter(cycle=cycle).delete()
    grouped = (
        Submission.objects.filter(cycle=cycle, status__in=FILED)
        .values("state_id")
        .annotate(filed=Count("id"), nil=Count("id", filter=Q(kind=SubmissionKind.NIL_RETURN)))
    )
    tallies = CycleTally.objects.bulk_create(
        CycleTally(cycle=cycle, state_id=row["state_id"], filed=row["filed"], nil=row["nil"])
        for row in grouped
    )
    return len(tallies)


@transaction.atomic
def submission_acknowledge(*, actor: Any, submission: Submission, now: Any = None) -> Submission:
    permissions.require_manage(actor, submission.cycle.catalogue.organisation_id)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise MeasuresError(_("Only a submitted submission can be acknowledged."), field="status")
    submission.status = SubmissionStatus.ACKNOWLEDGED
    submission.acknowledged_by = roles.user_or_none(actor)
    submission.acknowledged_at = now or timezone.now()
    submission.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
    return submission


@transaction.atomic
def submission_attach(
    *, actor: Any, submission: Submission, name: str, content: bytes, content_type: str = ""
) -> SubmissionAttachment:
    permissions.require_draft(actor, submission.state_id)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise MeasuresError(_("The file is larger than 20 MB."), field="file")
    if submission.attachments.count() >= MAX_ATTACHMENTS:
        raise MeasuresError(_("A submission has at most 10 files."), field="file")
    digest = hashlib.sha256(content).hexdigest()
    attachment = SubmissionAttachment(
        submission=submission,
        name=(name or "file")[:200],
        content_type=(content_type or "application/octet-stream")[:100],
        size=len(content),
        sha256=digest,
    )
    attachment.file.save(digest[:16], ContentFile(content), save=False)
    attachment.save()
    return attachment


def previous_cycle(cycle: ReportingCycle) -> ReportingCycle | None:
    return (
        ReportingCycle.objects.filter(
            catalogue_id=cycle.catalogue_id, instrument=cycle.instrument, year__lt=cycle.year
        )
        .order_by("-year")
        .first()
    )


@transaction.atomic
def cycle_start_from_previous(*, actor: Any, cycle: ReportingCycle, state: State) -> int:
    """Drafts in ``cycle`` for ``state`` copied from its submissions of the previous cycle of
    the same instrument (cells it has already started are left alone). Returns how many."""
    permissions.require_draft(actor, state.pk)
    previous = previous_cycle(cycle)
    if previous is None:
        raise MeasuresError(_("There is no earlier cycle of this instrument."), field="cycle")
    started = set(
        Submission.objects.filter(cycle=cycle, state=state).values_list("measure_id", flat=True)
    )
    count = 0
    for old in Submission.objects.filter(cycle=previous, state=state).exclude(
        status=SubmissionStatus.DRAFT
    ):
        if old.measure_id in started:
            continue
        copy = Submission.objects.create(
            cycle=cycle,
            measure_id=old.measure_id,
            state=state,
            kind=old.kind,
            title=old.title,
            text=old.text,
            nil_since_year=old.nil_since_year,
            language=old.language,
            visibility=old.visibility,
        )
        copy.named_states.set(old.named_states.all())
        count += 1
    return count


# --- capability inventory ---------------------------------------------------------------------

CAPABILITY_FIELDS = ("kind", "quantity", "readiness", "contact", "notes", "visibility")


@transaction.atomic
def capability_save(
    *,
    actor: Any,
    state: State,
    organisation: Organisation,
    capability: Capability | None = None,
    named_states: Iterable[State] | None = None,
    **fields: Any,
) -> Capability:
    permissions.require_draft(actor, state.pk)
    if capability is not None and capability.state_id != state.pk:
        raise Forbidden(_("You may file only for your own state."))
    if not permissions.takes_part(state.pk, organisation.pk):
        raise MeasuresError(_("The state does not take part in this organisation."), field="state")
    unknown = set(fields) - set(CAPABILITY_FIELDS)
    if unknown:
        raise MeasuresError(_("Unknown field."), field=sorted(unknown)[0])
    capability = capability or Capability(state=state, organisation=organisation)
    for name, value in fields.items():
        setattr(capability, name, value)
    _validated(capability)
    capability.save()
    if named_states is not None:
        capability.named_states.set(list(named_states))
    return capability


@transaction.atomic
def capability_delete(*, actor: Any, capability: Capability) -> None:
    permissions.require_draft(actor, capability.state_id)
    capability.delete()


# --- early warning ----------------------------------------------------------------------------


@transaction.atomic
def threshold_set(*, actor: Any, organisation: Organisation, signal: str, value: int) -> Threshold:
    permissions.require_manage(actor, organisation.pk)
    if signal not in Signal.values:
        raise MeasuresError(_("Unknown signal."), field="signal")
    if signal == Signal.CHECK_RESPONSE and not 0 <= value <= 100:
        raise MeasuresError(_("A rate is between 0 and 100."), field="value")
    threshold, _created = Threshold.objects.update_or_create(
        organisation=organisation, signal=signal, defaults={"value": value}
    )
    return threshold


@transaction.atomic
def alert_raise(
    *, actor: Any, organisation: Organisation, signal: str, figure: int, state: State | None = None
) -> tuple[Alert, bool]:
    """An open alert for the signal (and state); an open one is updated, not repeated."""
    permissions.require_manage(actor, organisation.pk)
    alert = (
        Alert.objects.filter(organisation=organisation, signal=signal, state=state)
        .exclude(status=AlertStatus.CLOSED)
        .first()
    )
    if alert is not None:
        if alert.figure != figure:
            alert.figure = figure
            alert.save(update_fields=["figure", "updated_at"])
        return alert, False
    return (
        Alert.objects.create(organisation=organisation, signal=signal, state=state, figure=figure),
        True,
    )


@transaction.atomic
def alert_update(
    *, actor: Any, alert: Alert, owner: Any = None, status: str = "", next_step: str | None = None
) -> Alert:
    permissions.require_manage(actor, alert.organisation_id)
    if owner is not None:
        if not permissions.can_manage(owner, alert.organisation_id):
            raise MeasuresError(_("The owner must be of the secretariat."), field="owner")
        alert.owner = owner
    if status:
        if status not in AlertStatus.values:
            raise MeasuresError(_("Unknown status."), field="status")
        alert.status = status
    if next_step is not None:
        alert.next_step = next_step
    _validated(alert)
    alert.save()
    return alert
