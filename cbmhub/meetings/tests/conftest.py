"""Meetings fixtures: the CICA bodies SWG → SOC → Summit, a document under negotiation with a
revision, an SWG meeting in Astana (two days there, one online), a note series."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cbmhub.conftest import SHARED_DIR
from cbmhub.core.roles import SYSTEM
from cbmhub.meetings import services
from cbmhub.meetings.services import MemberInput, PartInput, VersionInput
from cbmhub.negotiations import services as negotiations

CORPUS_004 = SHARED_DIR / "corpus/004_b9720b24e8ee2ca3.txt"
ASTANA = ZoneInfo("Asia/Almaty")

TEXT = "PP1. Recalling our shared commitments;\n\nOP1. Agree to confirm contacts twice a year.\n"


@pytest.fixture
def corpus_004() -> str:
    if not CORPUS_004.is_file():
        pytest.fail(f"corpus text missing: {CORPUS_004} (expected ../shared beside the repo)")
    return CORPUS_004.read_text(encoding="utf-8")


@pytest.fixture
def summit(swg):
    from cbmhub.directory.models import Body

    top = Body.objects.create(
        organisation=swg.organisation, name="CICA Summit", acronym="Summit", kind="summit"
    )
    soc = swg.parent
    soc.parent = top
    soc.save()
    return top


@pytest.fixture
def soc(swg):
    return swg.parent


@pytest.fixture
def negotiation(cica, swg):
    return negotiations.negotiation_create(
        actor=SYSTEM, organisation=cica, body=swg, title="Statement on ICT confidence"
    )


@pytest.fixture
def document(negotiation, state_a, state_b, state_c):
    return negotiations.document_create(
        actor=SYSTEM, negotiation=negotiation, symbol="SWG/DOC/1", title="Draft statement"
    )


@pytest.fixture
def revision(document):
    return negotiations.revision_import(
        actor=SYSTEM, document=document, data=TEXT, kind="rev", number=3
    ).revision


def astana(day: int, hour: int, month: int = 9) -> datetime:
    return datetime(2022, month, day, hour, 0, tzinfo=ASTANA)


PARTS = [
    PartInput(astana(28, 10), astana(28, 18), venue="Astana, Ministry of Foreign Affairs"),
    PartInput(astana(29, 10), astana(29, 18), venue="Astana, Ministry of Foreign Affairs"),
    PartInput(astana(4, 10, 10), astana(4, 13, 10), online_url="https://meet.example.org/swg"),
]


@pytest.fixture
def meeting(swg, state_a, state_b, state_c):
    return services.meeting_create(
        actor=SYSTEM,
        body=swg,
        title="Special Working Group meeting",
        kind="session",
        parts=PARTS,
        time_zone="Asia/Almaty",
    )


@pytest.fixture
def bilateral(cica, state_a, state_b, state_c):
    from cbmhub.directory.models import Body

    body = Body.objects.create(
        organisation=cica, name="KAZ–MNG working group", kind="bilateral_working_group"
    )
    return services.meeting_create(
        actor=SYSTEM,
        body=body,
        title="Bilateral consultation",
        kind="consultation",
        parts=PARTS[:1],
        time_zone="Asia/Almaty",
        states=[state_a, state_b],
    )


@pytest.fixture
def series(cica):
    return services.series_create(
        actor=SYSTEM, organisation=cica, name="SWG", pattern="SWG/OI/{n}", last_number=1261
    )


@pytest.fixture
def note(series):
    return services.note_create(
        actor=SYSTEM,
        series=series,
        subject="Documents of the SWG meeting",
        place="Astana",
        date=date(2022, 10, 4),
        versions=[
            VersionInput("en", "The documents of the SWG meeting are enclosed.", "original"),
            VersionInput("ru", "Документы заседания СРГ прилагаются.", "translation"),
        ],
    )


HEAD = [MemberInput("Aidos Bekov", "Ambassador", "aidos@example.org", is_head=True)]
