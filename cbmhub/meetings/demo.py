"""Demo meetings: a past SWG meeting (two days in Astana, one online) whose recommendation
moves the demo negotiation document to the SOC and whose agenda discusses the measures demo's
plan of implementation, a note SWG/OI/… in English, Russian and Kazakh
forwarding it, and upcoming meetings (the SOC, the next SWG, a KAZ–MNG consultation only those
two states see). Idempotent: nothing is added when the demo meeting exists. Runs after the
directory, accounts, negotiations and measures demos, through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from cbmhub.accounts.models import User
from cbmhub.core.roles import SYSTEM
from cbmhub.directory.choices import Level
from cbmhub.directory.models import Body, State
from cbmhub.directory.selectors import organisation_detail
from cbmhub.hotline import selectors as hotline_selectors
from cbmhub.hotline import services as hotline_services
from cbmhub.hotline import worker as hotline_worker
from cbmhub.hotline.choices import Scope
from cbmhub.measures.models import Plan
from cbmhub.negotiations.models import Document

from . import services
from .models import Meeting, Note, NoteSeries
from .services import MemberInput, PartInput, VersionInput

TITLE = "Special Working Group, spring session (demo)"
DEMO_SYMBOL = "SWG/DEMO/2026/7"
DIPLOMATIC_CHANNEL = "CICA diplomatic network"
ASTANA = ZoneInfo("Asia/Almaty")

EN = (
    "The Secretariat of the Conference on Interaction and Confidence Building Measures in Asia "
    "(CICA) presents its compliments to the CICA Member States and has the honour to forward "
    "the draft Ministerial Statement on Confidence and Cooperation in the Use of ICTs as agreed "
    "by the Special Working Group (Rev.2), recommended for approval by the Senior Officials "
    "Committee.\n\nThe Secretariat avails itself of this opportunity to renew to the CICA "
    "Member States the assurances of its highest consideration."
)
RU = (
    "Секретариат Совещания по взаимодействию и мерам доверия в Азии (СВМДА) свидетельствует "
    "свое уважение государствам-членам СВМДА и имеет честь препроводить проект Заявления "
    "министров о доверии и сотрудничестве в сфере использования ИКТ, согласованный "
    "Специальной рабочей группой (Ревизия 2) и рекомендованный для одобрения Комитетом "
    "старших должностных лиц.\n\nСекретариат пользуется случаем, чтобы возобновить "
    "государствам-членам СВМДА уверения в своем самом высоком уважении."
)
KK = (
    "Азиядағы өзара іс-қимыл және сенім шаралары кеңесінің Хатшылығы Азия Кеңесінің мүше "
    "мемлекеттеріне өзінің зор ілтипатын білдіреді және Арнаулы жұмыс тобы келіскен АКТ "
    "пайдалану саласындағы сенім және ынтымақтастық туралы министрлер мәлімдемесінің жобасын "
    "(2-ревизия) жолдауды өзіне мәртебе санайды.\n\nХатшылық осы мүмкіндікті пайдалана "
    "отырып, Азия Кеңесінің мүше мемлекеттеріне өзінің зор ілтипатын тағы да растайды."
)


def _say(stdout: Any, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ASTANA)


def _past_meeting(actor: Any, swg: Body, soc: Body, document: Document | None) -> Meeting:
    parts = [
        PartInput(_at(dt.date(2026, 5, 20), 10), _at(dt.date(2026, 5, 20), 18), venue="Astana"),
        PartInput(_at(dt.date(2026, 5, 21), 10), _at(dt.date(2026, 5, 21), 18), venue="Astana"),
        PartInput(
            _at(dt.date(2026, 6, 3), 10),
            _at(dt.date(2026, 6, 3), 13),
            online_url="https://meet.example.org/swg",
        ),
    ]
    meeting = services.meeting_create(
        actor=actor, body=swg, title=TITLE, kind="session", parts=parts, time_zone="Asia/Almaty"
    )
    services.agenda_item_add(
        actor=actor, meeting=meeting, title="Opening and adoption of the agenda"
    )
    if document is not None:
        item = services.agenda_item_add(
            actor=actor,
            meeting=meeting,
            title=document.title,
            document=document,
            revision=document.revisions.order_by("-date", "-id").first(),
        )
        services.outcome_record(
            actor=actor,
            agenda_item=item,
            kind="recommendation",
            wording="The SWG agreed the draft (Rev.2) and recommended its approval by the SOC.",
            effect="recommend_approval",
            target_body=soc,
        )
    # The measures demo (run before this one) has a plan of implementation of measure 2.1.
    plan = (
        Plan.objects.filter(measure__catalogue__organisation_id=meeting.organisation_id)
        .select_related("measure__catalogue")
        .order_by("id")
        .first()
    )
    if plan is not None:
        services.agenda_item_add(
            actor=actor,
            meeting=meeting,
            title=f"Implementation of measure {plan.measure.code}: {plan.title}",
            plan=plan,
        )
    for iso3, head in (("KAZ", "Aidos Bekov"), ("MNG", "Bataa Dorj")):
        state = State.objects.filter(iso3=iso3).first()
        if state is not None:
            delegation = services.delegation_nominate(
                actor=actor,
                meeting=meeting,
                state=state,
                members=[
                    MemberInput(head, "Head of delegation", is_head=True),
                    MemberInput("Expert", "Ministry of Foreign Affairs"),
                ],
            )
            services.delegation_accept(actor=actor, delegation=delegation)
    services.minutes_write(
        actor=actor, meeting=meeting, text="The SWG met in Astana and online (demo record)."
    )
    services.action_point_add(
        actor=actor, meeting=meeting, text="Circulate Rev.2 to the SOC", owner="Secretariat"
    )
    services.meeting_set_status(actor=actor, meeting=meeting, status="convened")
    services.meeting_set_status(actor=actor, meeting=meeting, status="held")
    return meeting


def _note(actor: Any, cica: Any, meeting: Meeting, document: Document | None) -> Note:
    series = NoteSeries.objects.filter(organisation=cica, pattern="SWG/OI/{n}").first()
    if series is None:
        series = services.series_create(
            actor=actor, organisation=cica, name="SWG", pattern="SWG/OI/{n}", last_number=1400
        )
    note = services.note_create(
        actor=actor,
        series=series,
        subject="Draft Ministerial Statement recommended to the SOC",
        place="Astana",
        date=dt.date(2026, 6, 4),
        meeting=meeting,
        versions=[
            VersionInput("en", EN, "original"),
            VersionInput("ru", RU, "translation"),
            VersionInput("kk", KK, "translation"),
        ],
    )
    if document is not None:
        services.enclosure_add(
            actor=actor,
            note=note,
            title=document.title,
            document=document,
            revision=document.revisions.order_by("-date", "-id").first(),
            pages=4,
        )
    return services.note_issue(actor=actor, note=note)


def _circulate(officer: Any, cica: Any, note: Note) -> bool:
    """Circulate the demo note through the hotline on CICA's diplomatic network (opened here
    when the hotline demo has none), deliver it to the inboxes and have Kazakhstan's focal
    point acknowledge it: the note page shows one addressee that has read it, the others
    delivered. Needs the demo's secretariat officer (the hotline sends in its name only)."""
    if officer is None:
        return False
    channel = hotline_selectors.organisation_channel(
        organisation_id=cica.pk, level=Level.DIPLOMATIC
    )
    if channel is None:
        hotline_services.channel_create(
            actor=officer,
            name=DIPLOMATIC_CHANNEL,
            scope=Scope.MULTILATERAL,
            level=Level.DIPLOMATIC,
            organisation=cica,
        )
    note = services.note_circulate(actor=officer, note=note)
    dummy = get_connection("django.core.mail.backends.dummy.EmailBackend")
    while hotline_worker.deliveries_process(batch=100, connection=dummy):
        pass
    reader = User.objects.filter(username="kaz-focal").first()
    message = note.circulated_message
    if reader is not None and reader.state_id is not None and message is not None:
        if message.receipts.filter(state_id=reader.state_id).exists():
            hotline_services.message_acknowledge(actor=reader, message=message)
    return True


def _upcoming(actor: Any, swg: Body, soc: Body) -> None:
    today = timezone.localdate()
    for body, title, days, venue in (
        (soc, "Senior Officials Committee (demo)", 21, "Astana"),
        (swg, "Special Working Group, autumn session (demo)", 60, "Astana"),
    ):
        day = today + dt.timedelta(days=days)
        services.meeting_create(
            actor=actor,
            body=body,
            title=title,
            kind="session",
            parts=[PartInput(_at(day, 10), _at(day, 18), venue=venue)],
            time_zone="Asia/Almaty",
        )
    states = list(State.objects.filter(iso3__in=["KAZ", "MNG"]))
    if len(states) == 2:
        day = today + dt.timedelta(days=10)
        services.meeting_create(
            actor=actor,
            body=swg,
            title="KAZ–MNG consultation on ICT contacts (demo)",
            kind="consultation",
            parts=[
                PartInput(_at(day, 15), _at(day, 17), online_url="https://meet.example.org/kz-mn")
            ],
            time_zone="Asia/Almaty",
            states=states,
        )


@transaction.atomic
def load(*, stdout: Any = None) -> dict[str, int]:
    cica = organisation_detail(acronym="CICA")
    if cica is None:
        _say(stdout, "meetings demo: skipped (directory demo data missing)")
        return {}
    if Meeting.objects.filter(organisation=cica, title=TITLE).exists():
        _say(stdout, "meetings demo: already loaded")
        return {}
    officer = User.objects.filter(username="secretariat", organisation=cica).first()
    actor = officer or SYSTEM
    swg = Body.objects.filter(organisation=cica, acronym="SWG").first()
    soc = Body.objects.filter(organisation=cica, acronym="SOC").first()
    if swg is None or soc is None:
        _say(stdout, "meetings demo: skipped (no SWG or SOC in the directory)")
        return {}
    document = Document.objects.filter(organisation=cica, symbol=DEMO_SYMBOL).first()
    meeting = _past_meeting(actor, swg, soc, document)
    note = _note(actor, cica, meeting, document)
    circulated = _circulate(officer, cica, note)
    _upcoming(actor, swg, soc)
    _say(
        stdout,
        "meetings demo: a past SWG meeting, a note in three languages"
        + (" (circulated through the hotline)" if circulated else "")
        + ", 3 upcoming",
    )
    return {"meetings": 4, "notes": 1}
