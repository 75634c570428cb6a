"""Fixtures of the measures tests: a CICA catalogue with a small tree, a cycle and a plan."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cbmhub.core.roles import SYSTEM
from cbmhub.measures import services


@pytest.fixture
def catalogue(cica):
    catalogue = services.catalogue_create(
        actor=SYSTEM, organisation=cica, code="cica-cbm", title="CICA Catalogue of CBMs"
    )
    items = [
        services.ItemSpec(
            code="1", text="Military-political dimension", dimension="military_political"
        ),
        services.ItemSpec(
            code="1.1", parent="1", text="Exchange of information", dimension="military_political"
        ),
        services.ItemSpec(
            code="1.2", parent="1", text="Defence white papers", dimension="military_political"
        ),
        services.ItemSpec(code="2", text="New challenges and threats", dimension="new_threats"),
        services.ItemSpec(code="2.1", parent="2", text="Security of ICTs", dimension="new_threats"),
    ]
    services.catalogue_import_items(actor=SYSTEM, catalogue=catalogue, items=items)
    return catalogue


@pytest.fixture
def measure(catalogue):
    return catalogue.measures.get(code="1.1")


@pytest.fixture
def cycle(catalogue):
    return services.cycle_create(
        actor=SYSTEM,
        catalogue=catalogue,
        instrument="Annual exchange",
        year=2026,
        deadline=datetime.date(2026, 4, 15),
    )


@pytest.fixture
def plan(measure):
    return services.plan_create(
        actor=SYSTEM, measure=measure, title="Plan of implementation", from_year=2022, to_year=2023
    )


def submit(actor, cycle, measure, state, **fields):
    values: dict[str, Any] = {"kind": "briefing", "text": "Our briefing.", "visibility": "members"}
    values.update(fields)
    return services.submission_save(
        actor=actor, cycle=cycle, measure=measure, state=state, submit=True, **values
    )
