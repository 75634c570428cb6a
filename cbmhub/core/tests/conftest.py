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
    meetings_world = _meetings_world(swg, document, revision, bob)
    paragraph = _precedent_paragraph()
    exercise = _exercise(cica, state_a, state_b, sam, bob)
    from cbmhub.exchange import services as exchange

    arrangement = exchange.arrangement_create(
        actor=sam,
        name="CICA CERT network",
        kind="network",
        organisation=cica,
        states=[state_a, state_b],
    )
    subscription = exchange.subscription_create(
        actor=SYSTEM,
        collection=arrangement.collections.get(),
        name="Partner feed",
        url="https://taxii.example.org/api/collections/x/",
    )
    return {
        **meetings_world,
        **exercise,
        **_measures_world(cica, state_a, alice),
        "arrangement": arrangement,
        "subscription": subscription,
        "membership": state_b.memberships.get(organisation=cica),
        "swg": swg,
        "link": link,
        "message": message,
        "check": check,
        "target_poc": target_poc,
        "document": document,
        "revision": revision,
        "paragraph": paragraph,
    }


def _meetings_world(swg, document, revision, bob) -> dict:
    """A meeting of the SWG with an agenda item on the document and B's delegation, and an
    issued note to all member states (the meetings API's records)."""
    from datetime import UTC, date, datetime

    from cbmhub.meetings import services as meetings

    meeting = meetings.meeting_create(
        actor=SYSTEM,
        body=swg,
        title="SWG meeting",
        kind="session",
        parts=[
            meetings.PartInput(
                datetime(2030, 9, 28, 4, tzinfo=UTC),
                datetime(2030, 9, 28, 12, tzinfo=UTC),
                venue="Astana",
            )
        ],
    )
    item = meetings.agenda_item_add(
        actor=SYSTEM, meeting=meeting, title="Draft statement", revision=revision
    )
    delegation = meetings.delegation_nominate(
        actor=bob,
        meeting=meeting,
        state=bob.state,
        members=[meetings.MemberInput("Bataa", "Ambassador", is_head=True)],
    )
    series = meetings.series_create(
        actor=SYSTEM, organisation=swg.organisation, name="SWG", pattern="SWG/OI/{n}"
    )
    note = meetings.note_create(
        actor=SYSTEM,
        series=series,
        subject="Documents",
        place="Astana",
        date=date(2030, 9, 29),
        versions=[meetings.VersionInput("en", "Text.", "original")],
    )
    meetings.note_issue(actor=SYSTEM, note=note)
    return {"meeting": meeting, "agenda_item": item, "delegation": delegation, "note": note}


def _precedent_paragraph():
    """One public precedent paragraph (a UN resolution's), for /api/v1/precedent/paragraphs/."""
    from cbmhub.precedent import services as precedent
    from cbmhub.precedent.sources import UnParagraph, UnText

    source = precedent.source_ensure(actor=SYSTEM, **precedent.UN_SOURCE)
    text = UnText(
        key="/akn/un/statement/deliberation/unsc/2023-01-09/2672-2023/eng@/",
        symbol="S/RES/2672 (2023)",
        date="2023-01-09",
        language="en",
        body="UN Security Council",
        sha256="0" * 64,
        paragraphs=[UnParagraph("operative", "1.", "Decides to remain seized of the matter.")],
    )
    return precedent.text_index(actor=SYSTEM, source=source, text=text).text.paragraphs.get()


def _exercise(cica, state_a, state_b, sam, bob) -> dict:
    """An exercise scenario with one inject and a started run (the exercises endpoints); bob
    (state B plays) is also its evaluator, so that every exercises read has something to show
    him (a player alone never sees the plan)."""
    from datetime import timedelta

    from cbmhub.exercises import services as exercises

    scenario = exercises.scenario_create(
        actor=sam,
        organisation=cica,
        title="Drill",
        sender_state=state_a,
        states=[state_b],
        members=[(bob, "evaluator")],
    )
    inject = exercises.inject_add(
        actor=sam,
        scenario=scenario,
        spec=exercises.InjectSpec(offset=timedelta(hours=1), kind="manual", subject="Call"),
    )
    run = exercises.run_start(actor=sam, run=exercises.run_create(actor=sam, scenario=scenario))
    return {
        "exercise_scenario": scenario,
        "exercise_inject": inject,
        "exercise_run": run,
        "exercise_item": run.run_injects.get(),
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
    ids = {
        "bodies": "swg",
        "memberships": "membership",
        "points-of-contact": "target_poc",
        "meetings": "meeting",
        "notes": "note",
        "scenarios": "exercise_scenario",
        "injects": "exercise_inject",
        "runs": "exercise_run",
        "arrangements": "arrangement",
        "subscriptions": "subscription",
    }
    values = {
        "acronym": "CICA",
        "iso3": "MNG",
        "message_id": world["message"].pk,
        "channel_id": world["link"].pk,
        "check_id": world["check"].pk,
        "document_id": world["document"].pk,
        "revision_id": world["revision"].pk,
        "meeting_id": world["meeting"].pk,
        # {item_id}: an agenda item under /meetings/, a run's inject under /exercises/
        "item_id": (world["agenda_item"] if "/meetings/" in path else world["exercise_item"]).pk,
        "delegation_id": world["delegation"].pk,
        "note_id": world["note"].pk,
        "paragraph_id": world["paragraph"].pk,
        "scenario_id": world["exercise_scenario"].pk,
        "run_id": world["exercise_run"].pk,
        "action": "skip" if "/injects/" in path else "pause",
    }
    collection = path.split("/{", 1)[0].rsplit("/", 1)[-1]
    if collection in ids:
        values["id"] = world[ids[collection]].pk
    # measures: records keyed by "measures/<collection>"; a file format in the path.
    prefix = "/".join(path.split("/{", 1)[0].rsplit("/", 2)[-2:])
    if prefix in world:
        values["id"] = world[prefix].pk
        values["code"] = getattr(world[prefix], "code", "")
    # a file format in the path: a negotiation text's export has .docx, a catalogue's export
    # CSV, the measures' reports PDF
    if "/negotiations/" in path:
        values["fmt"] = "docx"
    else:
        values["fmt"] = "csv" if "/export/" in path else "pdf"
    return {name: str(values[name]) for name in re.findall(r"\{(\w+)\}", path)}


def concrete(path: str, world: dict) -> str:
    """A schema path with its parameters filled with records that exist."""
    for name, value in existing_records(path, world).items():
        path = path.replace("{" + name + "}", value)
    return path
