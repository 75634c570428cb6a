"""Demo exercise: a CICA regional CERT drill (lead state Kazakhstan, players Mongolia and
Thailand, the CICA secretariat as control cell, the demo observer following), and one finished
run of it played on the real hotline in the past, so that the console, the results and the
after-action report have something to show. Idempotent: nothing is added when the scenario
exists. Runs after the directory, accounts and hotline demos, through the services."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cbmhub.accounts.models import User
from cbmhub.core.roles import SYSTEM
from cbmhub.directory.models import State
from cbmhub.directory.selectors import organisation_detail
from cbmhub.hotline import services as hotline
from cbmhub.hotline.models import Message

from . import services
from .models import Scenario
from .services import InjectSpec

TITLE = "Regional CERT incident drill (demo)"
START = dt.datetime(2026, 2, 10, 6, 0, tzinfo=dt.UTC)


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _at(minutes: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def _injects(mng: State, tha: State) -> list[InjectSpec]:
    minutes = dt.timedelta(minutes=1)
    return [
        InjectSpec(
            offset=0 * minutes,
            kind="incident_notification",
            subject="Ransomware at a regional power-grid operator",
            body="Hosts of the grid operator are encrypted since 05:40 UTC. We ask every CERT "
            "to look for the attached indicators in its constituency.",
            translations={"ru": {"subject": "Программа-вымогатель у оператора энергосети"}},
            recipients=[mng, tha],
            expectations=[
                ("acknowledge", 15 * minutes),
                ("reply", 60 * minutes),
                ("share_indicators", 120 * minutes),
            ],
        ),
        InjectSpec(
            offset=20 * minutes,
            kind="request_information",
            subject="Have you seen this ransomware family?",
            body="Please tell us whether you see the same family and since when.",
            recipients=[mng],
            expectations=[("acknowledge", 15 * minutes), ("reply", 60 * minutes)],
        ),
        InjectSpec(
            offset=45 * minutes,
            kind="communication_check",
            subject="Is the line to every CERT working?",
            expectations=[("acknowledge", 10 * minutes)],
        ),
    ]


def _play(run, users: dict[str, User]) -> None:
    """The run as it went: Mongolia fast, Thailand late and silent on the check."""
    services.run_start(actor=users["secretariat"], run=run, now=START)
    services.runs_step(actor=SYSTEM, now=START)
    first = Message.objects.filter(is_exercise=True, subject__contains="Ransomware at a")
    hotline.message_acknowledge(
        actor=users["mng-cert"], message=first.get(receipts__state__iso3="MNG"), now=_at(6)
    )
    services.runs_step(actor=SYSTEM, now=_at(20))
    hotline.message_reply(
        actor=users["mng-cert"],
        message=first.get(receipts__state__iso3="MNG"),
        body="Assessment: same family seen at two operators since 03:00 UTC; contained.",
        now=_at(38),
    )
    hotline.message_acknowledge(
        actor=users["tha-cert"], message=first.get(receipts__state__iso3="THA"), now=_at(24)
    )
    question = Message.objects.get(is_exercise=True, subject__contains="ransomware family")
    hotline.message_acknowledge(actor=users["mng-cert"], message=question, now=_at(27))
    services.runs_step(actor=SYSTEM, now=_at(45))
    services.feedback_submit(
        actor=users["mng-cert"],
        run=run,
        went_well="The incident notification template had every field we needed.",
        to_improve="Our diplomatic point of contact did not know the drill was on.",
        recommendation="Announce drills to every level a week before.",
    )
    services.run_end(actor=users["secretariat"], run=run, now=_at(90))


@transaction.atomic
def load(*, stdout=None) -> dict[str, int]:
    cica = organisation_detail(acronym="CICA")
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["secretariat", "mng-cert", "tha-cert", "observer"]
        )
    }
    states = {s.iso3: s for s in State.objects.filter(iso3__in=["KAZ", "MNG", "THA"])}
    if cica is None or len(users) < 4 or len(states) < 3:
        _say(stdout, "exercises demo: skipped (directory or accounts demo data missing)")
        return {}
    if Scenario.objects.filter(organisation=cica, title=TITLE).exists():
        _say(stdout, "exercises demo: already loaded")
        return {}
    scenario = services.scenario_create(
        actor=users["secretariat"],
        organisation=cica,
        title=TITLE,
        objectives="Check that every CERT acknowledges an incident notification within 15 "
        "minutes and answers a request for information within an hour.",
        sender_state=states["KAZ"],
        states=[states["MNG"], states["THA"]],
        members=[(users["observer"], "observer")],
    )
    for spec in _injects(states["MNG"], states["THA"]):
        services.inject_add(actor=users["secretariat"], scenario=scenario, spec=spec)
    run = services.run_create(actor=users["secretariat"], scenario=scenario)
    _play(run, users)
    _say(stdout, f"exercises demo: {TITLE} with one finished run")
    return {"scenarios": 1, "runs": 1}
