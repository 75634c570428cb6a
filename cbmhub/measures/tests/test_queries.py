"""The matrix page, its API and the submissions list run the same number of queries for
20 states × 30 measures as for 200 × 300."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cbmhub.core.roles import SYSTEM
from cbmhub.directory.models import Membership, Organisation, State
from cbmhub.measures import services
from cbmhub.measures.models import Catalogue, Measure, ReportingCycle, Submission


def build(states: int, measures: int, tag: str):
    """An organisation with ``states`` members, a flat catalogue of ``measures`` leaves, a
    cycle past its deadline and a submission in every third cell (every fifth a nil return)."""
    organisation = Organisation.objects.create(
        acronym=f"O{tag}", name=f"Org {tag}", kind="regional"
    )
    made = State.objects.bulk_create(
        State(
            name=f"S{tag}-{n}",
            iso2=_iso2(tag, n),
            iso3=_iso3(tag, n),
        )
        for n in range(states)
    )
    Membership.objects.bulk_create(
        Membership(state=s, organisation=organisation, status="member") for s in made
    )
    catalogue = Catalogue.objects.create(organisation=organisation, code=f"c-{tag}", title=tag)
    leaves = Measure.objects.bulk_create(
        Measure(catalogue=catalogue, code=str(n + 1), sort_key=f"{n + 1:04d}", text=f"M{n}")
        for n in range(measures)
    )
    cycle = ReportingCycle.objects.create(
        catalogue=catalogue, instrument="I", year=2025, deadline=datetime.date(2025, 4, 15)
    )
    Submission.objects.bulk_create(
        Submission(
            cycle=cycle,
            measure=m,
            state=s,
            kind="nil_return" if (i + j) % 5 == 0 else "briefing",
            nil_since_year=2020,
            text="t",
            status="submitted",
            visibility="public",
        )
        for i, s in enumerate(made)
        for j, m in enumerate(leaves)
        if (i + j) % 3 == 0
    )
    services.cycle_tallies_rebuild(actor=SYSTEM, cycle=cycle)  # rows written in bulk
    return cycle


def _iso3(tag: str, n: int) -> str:
    return tag + chr(65 + n // 26 % 26) + chr(65 + n % 26)


def _iso2(tag: str, n: int) -> str:
    index = (0 if tag == "A" else 20) + n  # unique across both worlds (220 < 26 × 26)
    return chr(65 + index // 26) + chr(65 + index % 26)


def count(client, url: str, params: dict) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response.content


@pytest.fixture
def worlds(db):
    return build(20, 30, "A"), build(200, 300, "B")


def test_the_matrix_page_runs_a_constant_number_of_queries(client_for, root, worlds):
    small, large = worlds
    client = client_for(root)
    url = reverse("measures:matrix")
    count(client, url, {"cycle": small.pk})  # warm (session, content types)
    small_queries, small_page = count(client, url, {"cycle": small.pk})
    large_queries, large_page = count(client, url, {"cycle": large.pk})
    assert small_page.count(b'data-testid="cell"') == 600
    assert large_page.count(b'data-testid="cell"') == 40 * 30  # a page of the 200 × 300
    assert large_queries == small_queries
    # The last page of both: the same queries again.
    last_queries, last_page = count(client, url, {"cycle": large.pk, "sp": "5", "mp": "10"})
    assert last_queries == small_queries
    assert last_page.count(b'data-testid="cell"') == 40 * 30


def test_the_matrix_figures_cover_the_whole_matrix(root, worlds):
    from cbmhub.measures import selectors

    _small, large = worlds
    page = selectors.matrix(root, large, state_page=2, measure_page=3)
    whole = selectors.matrix(root, large)
    assert len(page.cells) == 1200 and len(whole.cells) == 60_000
    assert page.totals == whole.totals and sum(whole.totals.values()) == 60_000
    assert page.filed == whole.filed
    assert dict(whole.totals) == {
        "submitted": sum(1 for v in whole.cells.values() if v == "submitted"),
        "nil": sum(1 for v in whole.cells.values() if v == "nil"),
        "overdue": sum(1 for v in whole.cells.values() if v == "overdue"),
    }


def test_the_matrix_api_runs_a_constant_number_of_queries(api_for, root, worlds):
    small, large = worlds
    api = api_for(root)
    count(api, f"/api/v1/measures/cycles/{small.pk}/matrix/", {})
    small_queries, _ = count(api, f"/api/v1/measures/cycles/{small.pk}/matrix/", {})
    large_queries, body = count(api, f"/api/v1/measures/cycles/{large.pk}/matrix/", {})
    assert large_queries == small_queries
    assert body.count(b'"overdue"') > 0


def test_the_submissions_list_runs_a_constant_number_of_queries(api_for, root, worlds):
    small, large = worlds
    api = api_for(root)
    url = "/api/v1/measures/submissions/"
    count(api, url, {"cycle": small.pk})
    small_queries, _ = count(api, url, {"cycle": small.pk, "limit": 1000})
    large_queries, _ = count(api, url, {"cycle": large.pk, "limit": 1000})
    assert large_queries == small_queries


@pytest.mark.parametrize(
    "path",
    ["catalogues/", "measures/", "plans/", "initiatives/", "cycles/", "capabilities/", "alerts/"],
)
def test_every_api_list_is_bounded(
    api_for, sam, alice, state_a, cica, path, django_assert_max_num_queries
):
    import datetime as dt

    from cbmhub.core.roles import SYSTEM as system
    from cbmhub.measures import services as s

    for n in range(15):
        catalogue = s.catalogue_create(actor=system, organisation=cica, code=f"c{n}", title=f"C{n}")
        measure = s.measure_create(actor=system, catalogue=catalogue, code="1", text="M")
        plan = s.plan_create(actor=system, measure=measure, title="P", from_year=2022, to_year=2023)
        s.initiative_save(
            actor=system, plan=plan, kind="workshop", title="W", year=2022, participants=[state_a]
        )
        s.cycle_create(
            actor=system,
            catalogue=catalogue,
            instrument="I",
            year=2026,
            deadline=dt.date(2026, 4, 15),
        )
        s.capability_save(
            actor=alice,
            state=state_a,
            organisation=cica,
            kind=f"K{n}",
            quantity=1,
            readiness="ready",
            contact="c",
            visibility="named",
            named_states=[state_a],
        )
        s.alert_raise(
            actor=system,
            organisation=cica,
            signal="escalations",
            figure=n,
            state=state_a if n % 2 else None,
        )
    api = api_for(sam)
    api.get(f"/api/v1/measures/{path}")  # warm
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/v1/measures/{path}")
    assert response.status_code == 200 and response.json()["count"] >= 1
