"""Demo measures: an invented CICA catalogue of CBMs (two dimensions, a numbered tree), a plan of
implementation with initiatives (an online workshop held in 2022, another in 2023, a postponed
seminar), two annual reporting cycles with submissions in several states (one nil return, one
state overdue in the earlier cycle), capability records and early-warning thresholds. Invented
for CBM Hub, not taken from any real document. Idempotent: nothing is added when the demo
catalogue exists. Runs after the directory, accounts and negotiations demos, through the
services (as the demo's focal points and secretariat officer, or SYSTEM)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from cbmhub.accounts.models import User
from cbmhub.core.roles import SYSTEM
from cbmhub.directory.models import State
from cbmhub.directory.selectors import organisation_detail
from cbmhub.negotiations.models import Document

from . import services
from .models import Catalogue

CODE = "cica-demo-cbm"

ITEMS = [
    ("1", "", "military_political", "Military-political dimension"),
    (
        "1.1",
        "1",
        "military_political",
        "Exchange of information on armed forces and defence policies",
    ),
    ("1.1.1", "1.1", "military_political", "Voluntary briefings on national defence policies"),
    ("1.1.2", "1.1", "military_political", "Exchange of defence white papers"),
    ("1.2", "1", "military_political", "Notification of military exercises"),
    ("2", "", "new_threats", "New challenges and threats"),
    ("2.1", "2", "new_threats", "Security of and in the use of ICTs"),
    ("2.1.1", "2.1", "new_threats", "National points of contact and communication checks"),
    ("2.2", "2", "new_threats", "Disaster relief capabilities: a voluntary inventory"),
]


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _actors() -> dict[str, Any]:
    names = ["secretariat", "kaz-focal", "mng-focal", "rus-focal"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return {name: users.get(name, SYSTEM) for name in names}


@transaction.atomic
def load(*, stdout: Any = None) -> dict[str, int]:
    cica = organisation_detail(acronym="CICA")
    states = {s.iso3: s for s in State.objects.filter(iso3__in=["KAZ", "MNG", "RUS", "THA"])}
    if cica is None or len(states) < 4:
        _say(stdout, "measures demo: skipped (directory demo data missing)")
        return {}
    if Catalogue.objects.filter(code=CODE).exists():
        _say(stdout, "measures demo: already loaded")
        return {}
    actors = _actors()
    officer = actors["secretariat"]
    concept = Document.objects.filter(organisation=cica).order_by("id").first()
    catalogue = services.catalogue_create(
        actor=officer,
        organisation=cica,
        code=CODE,
        version="2026",
        title="CICA Catalogue of Confidence-Building Measures (demo)",
        adopted_on=dt.date(2024, 10, 1),
        adopted_by=concept,
    )
    services.catalogue_import_items(
        actor=officer,
        catalogue=catalogue,
        items=[services.ItemSpec(code=c, parent=p, dimension=d, text=t) for c, p, d, t in ITEMS],
    )
    measures = {m.code: m for m in catalogue.measures.all()}
    services.coordinator_add(
        actor=officer,
        measure=measures["2.1"],
        state=states["KAZ"],
        role="coordinator",
        from_year=2022,
        to_year=2024,
    )
    services.coordinator_add(
        actor=officer,
        measure=measures["2.1"],
        state=states["RUS"],
        role="co_coordinator",
        from_year=2022,
        to_year=2024,
    )
    plan = services.plan_create(
        actor=officer,
        measure=measures["2.1"],
        title="Plan of implementation on ICT security",
        from_year=2022,
        to_year=2023,
        document=concept,
        objectives="Build the network of points of contact and test it twice a year.",
    )
    for kind, title, year, status, lead, who in (
        (
            "workshop",
            "Online workshop on points of contact",
            2022,
            "held",
            "KAZ",
            ["KAZ", "MNG", "RUS"],
        ),
        (
            "workshop",
            "Online workshop on incident notification",
            2023,
            "held",
            "RUS",
            ["KAZ", "RUS"],
        ),
        ("seminar", "Seminar on national ICT strategies", 2023, "postponed", "KAZ", []),
    ):
        services.initiative_save(
            actor=officer,
            plan=plan,
            kind=kind,
            title=title,
            year=year,
            status=status,
            lead_state=states[lead],
            participants=[states[c] for c in who],
        )
    earlier = services.cycle_create(
        actor=officer,
        catalogue=catalogue,
        instrument="Annual exchange",
        year=2025,
        deadline=dt.date(2025, 4, 15),
    )
    current = services.cycle_create(
        actor=officer,
        catalogue=catalogue,
        instrument="Annual exchange",
        year=2026,
        deadline=dt.date(2026, 12, 15),
    )
    _submissions(actors, states, measures, earlier, current)
    for record in (("KAZ", "C-130 transport aircraft", 2), ("MNG", "Field hospital (50 beds)", 1)):
        iso3, kind, quantity = record
        focal = actors[f"{iso3.lower()}-focal"]
        services.capability_save(
            actor=focal,
            state=states[iso3],
            organisation=cica,
            kind=kind,
            quantity=quantity,
            readiness="ready",
            visibility="members",
            contact=f"Ministry of Defence of {states[iso3].name}, duty officer",
        )
    services.threshold_set(actor=officer, organisation=cica, signal="overdue_submissions", value=3)
    _say(stdout, f"measures demo: {CODE} with a plan, 2 cycles and submissions")
    return {"catalogues": 1, "measures": len(ITEMS), "cycles": 2}


def _submissions(
    actors: dict[str, Any], states: dict, measures: dict, earlier: Any, current: Any
) -> None:
    kaz, mng, rus = actors["kaz-focal"], actors["mng-focal"], actors["rus-focal"]
    filings: list[tuple[Any, str, Any, str, dict[str, Any]]] = [
        (
            kaz,
            "KAZ",
            earlier,
            "1.1.1",
            {
                "kind": "briefing",
                "visibility": "public",
                "title": "Defence policy of Kazakhstan",
                "text": "An invented briefing on national defence policy for the demo.",
            },
        ),
        (
            kaz,
            "KAZ",
            earlier,
            "1.1.2",
            {"kind": "white_paper", "visibility": "members", "text": "White paper summary (demo)."},
        ),
        (
            mng,
            "MNG",
            earlier,
            "1.1.1",
            {"kind": "nil_return", "visibility": "public", "nil_since_year": 2023},
        ),
        (
            rus,
            "RUS",
            earlier,
            "2.1.1",
            {"kind": "sop", "visibility": "secretariat", "text": "Contact procedures (demo)."},
        ),
        (
            kaz,
            "KAZ",
            current,
            "1.1.1",
            {"kind": "briefing", "visibility": "public", "text": "An updated briefing (demo)."},
        ),
        (
            mng,
            "MNG",
            current,
            "2.2",
            {"kind": "capability_inventory", "visibility": "members", "text": "See the inventory."},
        ),
    ]
    for actor, iso3, cycle, code, fields in filings:
        services.submission_save(
            actor=actor,
            cycle=cycle,
            measure=measures[code],
            state=states[iso3],
            submit=True,
            language="en",
            **fields,
        )
