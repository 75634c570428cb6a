"""Reads of the measures app, scoped by need-to-know (``permissions.py``): a record outside the
user's view is a 404. The implementation matrix and the lists run a fixed number of queries
whatever the number of states and measures."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date as Date
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cbmhub.core import roles
from cbmhub.directory.models import Organisation, State
from cbmhub.directory.selectors import participating_memberships

from . import permissions
from .choices import CellStatus, SubmissionKind, SubmissionStatus
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
    Threshold,
)


def catalogue_list(user: Any, *, organisation_id: int | None = None) -> QuerySet[Catalogue]:
    if not permissions.may_read_catalogue(user):
        return Catalogue.objects.none()
    catalogues = Catalogue.objects.select_related("organisation").annotate(
        measure_count=Count("measures", distinct=True)
    )
    if organisation_id is not None:
        catalogues = catalogues.filter(organisation_id=organisation_id)
    return catalogues


def catalogue_detail(user: Any, *, code: str) -> Catalogue:
    catalogue = catalogue_list(user).filter(code=code).first()
    if catalogue is None:
        raise Http404("No such catalogue.")
    return catalogue


def measure_list(catalogue: Catalogue, *, dimension: str = "") -> QuerySet[Measure]:
    measures = Measure.objects.filter(catalogue=catalogue).select_related("parent")
    if dimension:
        measures = measures.filter(dimension=dimension)
    return measures.order_by("sort_key")


def measure_detail(user: Any, *, pk: int) -> Measure:
    if not permissions.may_read_catalogue(user):
        raise Http404("No such measure.")
    measure = (
        Measure.objects.select_related("catalogue__organisation", "parent")
        .prefetch_related("coordinators__state", "plans")
        .filter(pk=pk)
        .first()
    )
    if measure is None:
        raise Http404("No such measure.")
    return measure


def plan_list(user: Any, *, catalogue: Catalogue | None = None) -> QuerySet[Plan]:
    if not permissions.may_read_catalogue(user):
        return Plan.objects.none()
    plans = Plan.objects.select_related("measure__catalogue", "document")
    if catalogue is not None:
        plans = plans.filter(measure__catalogue=catalogue)
    return plans


def plan_detail(user: Any, *, pk: int) -> Plan:
    plan = (
        plan_list(user)
        .prefetch_related(
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.select_related("lead_state").prefetch_related(
                    "participants"
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    return plan


def cycle_list(user: Any, *, catalogue: Catalogue | None = None) -> QuerySet[ReportingCycle]:
    if not permissions.may_read_catalogue(user):
        return ReportingCycle.objects.none()
    cycles = ReportingCycle.objects.select_related("catalogue__organisation")
    if catalogue is not None:
        cycles = cycles.filter(catalogue=catalogue)
    return cycles


def cycle_detail(user: Any, *, pk: int) -> ReportingCycle:
    cycle = cycle_list(user).filter(pk=pk).first()
    if cycle is None:
        raise Http404("No such reporting cycle.")
    return cycle


def submission_list(
    user: Any,
    *,
    cycle: ReportingCycle | None = None,
    state_id: int | None = None,
    measure_id: int | None = None,
) -> QuerySet[Submission]:
    submissions = (
        Submission.objects.filter(permissions.visible_filter(user, Submission))
        .select_related("cycle__catalogue", "measure", "state")
        .prefetch_related("named_states", "attachments")
    )
    if cycle is not None:
        submissions = submissions.filter(cycle=cycle)
    if state_id is not None:
        submissions = submissions.filter(state_id=state_id)
    if measure_id is not None:
        submissions = submissions.filter(measure_id=measure_id)
    return submissions


def submission_detail(user: Any, *, pk: int) -> Submission:
    submission = submission_list(user).prefetch_related("versions").filter(pk=pk).first()
    if submission is None:
        raise Http404("No such submission.")
    return submission


def capability_list(
    user: Any, *, query: str = "", state_id: int | None = None, readiness: str = ""
) -> QuerySet[Capability]:
    capabilities = (
        Capability.objects.filter(permissions.visible_filter(user, Capability))
        .select_related("state", "organisation")
        .prefetch_related("named_states")
    )
    if query:
        capabilities = capabilities.filter(
            Q(kind__icontains=query) | Q(notes__icontains=query) | Q(contact__icontains=query)
        )
    if state_id is not None:
        capabilities = capabilities.filter(state_id=state_id)
    if readiness:
        capabilities = capabilities.filter(readiness=readiness)
    return capabilities


def capability_detail(user: Any, *, pk: int) -> Capability:
    capability = capability_list(user).filter(pk=pk).first()
    if capability is None:
        raise Http404("No such capability record.")
    return capability


# --- the implementation matrix ----------------------------------------------------------------


def participating_states(organisation_id: int, on: Date | None = None) -> list[State]:
    state_ids = participating_memberships(on).filter(organisation_id=organisation_id)
    return list(State.objects.filter(pk__in=state_ids.values("state_id")).order_by("name"))


def cycle_measures(cycle: ReportingCycle, *, dimension: str = "") -> list[Measure]:
    """The measures a cycle asks about: those chosen for it, else the catalogue's leaves."""
    measures = Measure.objects.filter(catalogue_id=cycle.catalogue_id)
    chosen = cycle.measures.all()
    if chosen.exists():
        measures = measures.filter(pk__in=chosen.values("pk"))
    else:
        measures = measures.filter(children__isnull=True)
    if dimension:
        measures = measures.filter(dimension=dimension)
    return list(measures.order_by("sort_key"))


def cell_status(kind: str | None, status: str | None, *, overdue: bool) -> str:
    if status in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACKNOWLEDGED):
        return CellStatus.NIL if kind == SubmissionKind.NIL_RETURN else CellStatus.SUBMITTED
    return CellStatus.OVERDUE if overdue else CellStatus.NONE


STATES_PER_PAGE = 40
MEASURES_PER_PAGE = 30
FILED = [SubmissionStatus.SUBMITTED, SubmissionStatus.ACKNOWLEDGED]


@dataclass
class Matrix:
    """A page of the matrix (``states`` × ``measures``, all of them when not paged) with the
    figures of the whole matrix: ``totals`` per status and ``filed`` per state."""

    cycle: ReportingCycle
    states: list[State]
    measures: list[Measure]
    cells: dict[tuple[int, int], str]
    totals: Counter = field(default_factory=Counter)
    filed: dict[int, int] = field(default_factory=dict)
    state_count: int = 0
    measure_count: int = 0
    state_page: int = 1
    measure_page: int = 1

    def rows(self) -> list[tuple[State, list[str], int]]:
        return [
            (
                state,
                [self.cells[(state.pk, m.pk)] for m in self.measures],
                self.filed.get(state.pk, 0),
            )
            for state in self.states
        ]

    def rate(self) -> int:
        cells = self.state_count * self.measure_count
        done = self.totals[CellStatus.SUBMITTED] + self.totals[CellStatus.NIL]
        return round(100 * done / cells) if cells else 0

    @property
    def state_pages(self) -> range:
        return range(1, max(1, -(-self.state_count // STATES_PER_PAGE)) + 1)

    @property
    def measure_pages(self) -> range:
        return range(1, max(1, -(-self.measure_count // MEASURES_PER_PAGE)) + 1)


def matrix(
    user: Any,
    cycle: ReportingCycle,
    *,
    dimension: str = "",
    today: Date | None = None,
    state_page: int | None = None,
    measure_page: int | None = None,
) -> Matrix:
    """States × measures of a cycle, each cell's status, in a fixed number of queries whatever
    the size (a page of 50 states × 40 measures when paged, as the page is)."""
    permissions.require_matrix(user, cycle.catalogue.organisation_id)
    return matrix_of(
        cycle, dimension=dimension, today=today, state_page=state_page, measure_page=measure_page
    )


def _page(items: list, page: int | None, size: int) -> tuple[list, int]:
    if page is None:
        return items, 1
    last = max(1, -(-len(items) // size))
    page = min(max(page, 1), last)
    return items[(page - 1) * size : page * size], page


def _filed_counts(
    cycle: ReportingCycle, in_matrix: QuerySet[Submission], states: list[State], *, by_tally: bool
) -> tuple[Counter, dict[int, int]]:
    """Cells filed (submitted, nil) in the whole matrix and per state: from the tallies (one
    row per state) when every measure of the cycle is shown, else counted."""
    totals: Counter = Counter()
    filed: dict[int, int] = defaultdict(int)
    if by_tally:
        rows = CycleTally.objects.filter(
            cycle=cycle, state_id__in=[s.pk for s in states]
        ).values_list("state_id", "filed", "nil")
        for state_id, count, nil in rows:
            totals[CellStatus.SUBMITTED] += count - nil
            totals[CellStatus.NIL] += nil
            filed[state_id] = count
        return totals, dict(filed)
    grouped = (
        in_matrix.filter(status__in=FILED).values_list("state_id", "kind").annotate(n=Count("id"))
    )
    for state_id, kind, count in grouped:
        totals[CellStatus.NIL if kind == SubmissionKind.NIL_RETURN else CellStatus.SUBMITTED] += (
            count
        )
        filed[state_id] += count
    return totals, dict(filed)


def matrix_of(
    cycle: ReportingCycle,
    *,
    dimension: str = "",
    today: Date | None = None,
    state_page: int | None = None,
    measure_page: int | None = None,
) -> Matrix:
    """The matrix itself, for callers that have checked access (the early warning)."""
    today = today or timezone.localdate()
    overdue = today > cycle.deadline
    all_states = participating_states(cycle.catalogue.organisation_id)
    all_measures = cycle_measures(cycle, dimension=dimension)
    states, state_page = _page(all_states, state_page, STATES_PER_PAGE)
    measures, measure_page = _page(all_measures, measure_page, MEASURES_PER_PAGE)
    in_matrix = Submission.objects.filter(
        cycle=cycle,
        state_id__in=[s.pk for s in all_states],
        measure_id__in=[m.pk for m in all_measures],
    )
    rows = in_matrix.filter(
        state_id__in=[s.pk for s in states], measure_id__in=[m.pk for m in measures]
    ).values_list("state_id", "measure_id", "kind", "status")
    found = {(state_id, measure_id): (kind, status) for state_id, measure_id, kind, status in rows}
    cells = {
        (state.pk, measure.pk): cell_status(
            *found.get((state.pk, measure.pk), (None, None)), overdue=overdue
        )
        for state in states
        for measure in measures
    }
    totals, filed = _filed_counts(cycle, in_matrix, all_states, by_tally=not dimension)
    open_cells = len(all_states) * len(all_measures) - sum(filed.values())
    totals[CellStatus.OVERDUE if overdue else CellStatus.NONE] += open_cells
    return Matrix(
        cycle=cycle,
        states=states,
        measures=measures,
        cells=cells,
        totals=totals,
        filed=filed,
        state_count=len(all_states),
        measure_count=len(all_measures),
        state_page=state_page,
        measure_page=measure_page,
    )


def overdue_counts(cycle: ReportingCycle) -> dict[int, int]:
    """Per member state, the cells of a cycle it has not filed (read from the tallies)."""
    states = participating_states(cycle.catalogue.organisation_id)
    measure_count = len(cycle_measures(cycle))
    _totals, filed = _filed_counts(cycle, Submission.objects.none(), states, by_tally=True)
    return {
        s.pk: measure_count - filed.get(s.pk, 0)
        for s in states
        if measure_count > filed.get(s.pk, 0)
    }


@dataclass(frozen=True)
class TrendPoint:
    year: int
    instrument: str
    expected: int
    submitted: int
    nil: int

    @property
    def rate(self) -> int:
        return round(100 * (self.submitted + self.nil) / self.expected) if self.expected else 0


def trend(catalogue: Catalogue) -> list[TrendPoint]:
    """Per cycle of the catalogue (by year): cells expected, submitted and nil returns."""
    member_ids = [s.pk for s in participating_states(catalogue.organisation_id)]
    state_count = len(member_ids)
    leaves = Measure.objects.filter(catalogue=catalogue, children__isnull=True).count()
    cycles = list(
        ReportingCycle.objects.filter(catalogue=catalogue)
        .annotate(chosen=Count("measures"))
        .order_by("year", "instrument")
    )
    done: dict[tuple[int, bool], int] = defaultdict(int)
    for cycle_id, count, nil in CycleTally.objects.filter(
        cycle_id__in=[c.pk for c in cycles], state_id__in=member_ids
    ).values_list("cycle_id", "filed", "nil"):
        done[(cycle_id, False)] += count - nil
        done[(cycle_id, True)] += nil
    return [
        TrendPoint(
            year=c.year,
            instrument=c.instrument,
            expected=state_count * (c.chosen or leaves),
            submitted=done[(c.pk, False)],
            nil=done[(c.pk, True)],
        )
        for c in cycles
    ]


@dataclass
class Profile:
    state: State
    submissions: list[Submission]
    coordinating: list[Coordinator]
    initiatives_led: list[Initiative]
    capabilities: list[Capability]
    counts: Counter


def state_profile(user: Any, state: State) -> Profile:
    """A state's record: its submissions the user may read, the measures it coordinates, the
    initiatives it leads and its capability records the user may read."""
    permissions.require_use(user)
    submissions = list(submission_list(user, state_id=state.pk).order_by("-cycle__year"))
    coordinating = list(
        Coordinator.objects.filter(state=state).select_related("measure__catalogue")
    )
    led = list(Initiative.objects.filter(lead_state=state).select_related("plan__measure"))
    capabilities = list(capability_list(user, state_id=state.pk))
    counts = Counter(cell_status(s.kind, s.status, overdue=False) for s in submissions)
    return Profile(state, submissions, coordinating, led, capabilities, counts)


def state_for_iso3(iso3: str) -> State:
    state = State.objects.filter(iso3=iso3.upper()).first()
    if state is None:
        raise Http404("No such state.")
    return state


def threshold_values(organisation_id: int) -> dict[str, int]:
    return dict(
        Threshold.objects.filter(organisation_id=organisation_id).values_list("signal", "value")
    )


def alert_list(user: Any, *, organisation_id: int) -> QuerySet[Alert]:
    """Alerts of an organisation: every one for the secretariat; for a member state the
    aggregate ones and its own."""
    alerts = Alert.objects.filter(organisation_id=organisation_id).select_related("state", "owner")
    if permissions.sees_state_figures(user, organisation_id):
        return alerts
    state_id = roles.state_id_of(user)
    if state_id is None or not permissions.takes_part(state_id, organisation_id):
        return Alert.objects.none()
    return alerts.filter(Q(state__isnull=True) | Q(state_id=state_id))


def default_organisation(user: Any, acronym: str = "") -> Organisation | None:
    """The organisation named by ``acronym``, else the user's own (the secretariat's), else the
    first the user's state takes part in; None when there is none."""
    if acronym:
        return Organisation.objects.filter(acronym=acronym).first()
    if (organisation_id := roles.organisation_id_of(user)) is not None:
        return Organisation.objects.filter(pk=organisation_id).first()
    if (state_id := roles.state_id_of(user)) is not None:
        return Organisation.objects.filter(
            pk__in=permissions.participating_organisation_ids(state_id)
        ).first()
    return None
