"""An exercise world on the shared personas: CICA; Kazakhstan (A, alice and anna) is the lead
state in whose name injects go out; Mongolia (B, bob and bert) plays; Thailand (C, carol) is a
CICA member that does not take part. sam (CICA secretariat) is the control cell; ella is an
evaluator, olga an observer (named members); sara (ASEAN secretariat) and root as usual."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cbmhub.conftest import make_user
from cbmhub.core.roles import SYSTEM


@pytest.fixture
def ella(db):
    return make_user("ella", role="observer")


@pytest.fixture
def scenario(cica, state_a, state_b, state_c, alice, anna, bob, bert, carol, sam, ella, olga):
    from cbmhub.exercises import services
    from cbmhub.exercises.services import InjectSpec

    scenario = services.scenario_create(
        actor=sam,
        organisation=cica,
        title="Ransomware drill",
        objectives="Test the CERT-to-CERT line.",
        sender_state=state_a,
        states=[state_b],
        members=[(ella, "evaluator"), (olga, "observer")],
    )
    first = services.inject_add(
        actor=sam,
        scenario=scenario,
        spec=InjectSpec(
            offset=timedelta(0),
            kind="incident_notification",
            subject="Ransomware at the power grid operator",
            body="Encrypted hosts since 06:00.",
            translations={"ru": {"subject": "Вымогатель", "body": "Зашифрованы узлы."}},
            expectations=[("acknowledge", timedelta(minutes=15)), ("reply", timedelta(hours=1))],
        ),
    )
    services.inject_add(
        actor=sam,
        scenario=scenario,
        spec=InjectSpec(
            offset=timedelta(minutes=30),
            kind="request_information",
            subject="Which indicators do you see?",
            body="Please share what you see.",
            after=first,
            wait_for="acknowledged",
            expectations=[("share_indicators", timedelta(hours=1))],
        ),
    )
    return scenario


@pytest.fixture
def system():
    return SYSTEM
