"""Fixtures of the API contract tests: one small world in which every API endpoint has
something to show (a channel with a message, a communication check, a negotiation document
with a revision, a body that document belongs to)."""

from __future__ import annotations

import re

import pytest

from cbmhub.conftest import make_poc
from cbmhub.core.roles import SYSTEM

SHORT_TEXT = "PP1. Recalling our commitments;\n\nOP1. Agree to [meet] (+KAZ) (-MNG) again.\n"


@pytest.fixture
def api_world(cica, state_a, state_b, state_c, alice, anna, bob, sam):
    from cbmhub.directory.models import Body
    from cbmhub.hotline import services as hotline
    from cbmhub.hotline.models import Channel
    from cbmhub.negotiations import services as negotiations

    swg = Body.objects.create(
        organisation=cica, name="Special Working Group", acronym="SWG", kind="special_working_group"
    )
    link = Channel.objects.create(
        name="A–B CERT link",
        scope="bilateral",
        level="technical",
        organisation=cica,
        state_a=state_a,
        state_b=state_b,
    )
    message = hotline.message_send(
        actor=alice,
        channel=link,
        kind="request_information",
        priority="urgent",
        subject="Scanning from your address space",
        body="Please look into it.",
        tlp="AMBER",
    ).message
    target_poc = make_poc(state_b, "technical", "MonCIRT")
    check = hotline.check_start(actor=sam, organisation=cica, states=[state_b])
    negotiation = negotiations.negotiation_create(
        actor=SYSTEM, organisation=cica, body=swg, title="Statement on ICT confidence"
    )
    document = negotiations.document_create(
        actor=SYSTEM, negotiation=negotiation, symbol="SWG/OI/9001", title="Draft statement"
    )
    revision = negotiations.revision_import(
        actor=sam, document=document, data=SHORT_TEXT.encode(), kind="rev", number=1
    ).revision
    return {
        **_measures_world(cica, state_a, alice),
        "membership": state_b.memberships.get(organisation=cica),
        "swg": swg,
        "link": link,
        "message": message,
        "check": check,
        "target_poc": target_poc,
        "document": document,
        "revision": revision,
    }


def _measures_world(cica, state_a, alice) -> dict:
    """A catalogue with a plan, an initiative, a cycle, a submission, a capability record and
    an alert, for the measures endpoints."""
    import datetime

    from cbmhub.measures import services as measures

    catalogue = measures.catalogue_create(
        actor=SYSTEM, organisation=cica, code="cica-cbm", title="Catalogue"
    )
    measure = measures.measure_create(actor=SYSTEM, catalogue=catalogue, code="1", text="Measure")
    plan = measures.plan_create(
        actor=SYSTEM, measure=measure, title="Plan", from_year=2022, to_year=2023
    )
    cycle = measures.cycle_create(
        actor=SYSTEM,
        catalogue=catalogue,
        instrument="Annual",
        year=2026,
        deadline=datetime.date(2026, 4, 15),
    )
    return {
        "measures/coordinators": measures.coordinator_add(
            actor=SYSTEM, measure=measure, state=state_a, role="coordinator", from_year=2022
        ),
        "measures/catalogues": catalogue,
        "measures/measures": measure,
        "measures/plans": plan,
        "measures/initiatives": measures.initiative_save(
            actor=SYSTEM, plan=plan, kind="workshop", title="Workshop", year=2022
        ),
        "measures/cycles": cycle,
        "measures/submissions": measures.submission_save(
            actor=alice,
            cycle=cycle,
            measure=measure,
            state=state_a,
            submit=True,
            kind="briefing",
            text="Briefing",
            visibility="members",
        ),
        "measures/capabilities": measures.capability_save(
            actor=alice,
            state=state_a,
            organisation=cica,
            kind="Aircraft",
            quantity=1,
            readiness="ready",
            contact="MoD",
        ),
        "measures/alerts": measures.alert_raise(
            actor=SYSTEM, organisation=cica, signal="escalations", figure=1
        )[0],
    }


def existing_records(path: str, world: dict) -> dict[str, str]:
    """The path parameters of a schema path, naming records of `api_world` (ids differ from
    one database to the other: PostgreSQL does not reset sequences between tests)."""
    ids = {"bodies": "swg", "memberships": "membership", "points-of-contact": "target_poc"}
    values = {
        "acronym": "CICA",
        "iso3": "MNG",
        "message_id": world["message"].pk,
        "channel_id": world["link"].pk,
        "check_id": world["check"].pk,
        "document_id": world["document"].pk,
        "revision_id": world["revision"].pk,
    }
    collection = path.split("/{", 1)[0].rsplit("/", 1)[-1]
    if collection in ids:
        values["id"] = world[ids[collection]].pk
    # measures: records keyed by "measures/<collection>"; a file format in the path.
    prefix = "/".join(path.split("/{", 1)[0].rsplit("/", 2)[-2:])
    if prefix in world:
        values["id"] = world[prefix].pk
        values["code"] = getattr(world[prefix], "code", "")
    values["fmt"] = "csv" if "/export/" in path else "pdf"
    return {name: str(values[name]) for name in re.findall(r"\{(\w+)\}", path)}


def concrete(path: str, world: dict) -> str:
    """A schema path with its parameters filled with records that exist."""
    for name, value in existing_records(path, world).items():
        path = path.replace("{" + name + "}", value)
    return path
