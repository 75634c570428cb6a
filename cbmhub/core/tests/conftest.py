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
    }


def existing_records(path: str, world: dict) -> dict[str, str]:
    """The path parameters of a schema path, naming records of `api_world` (ids differ from
    one database to the other: PostgreSQL does not reset sequences between tests)."""
    ids = {
        "bodies": "swg",
        "memberships": "membership",
        "points-of-contact": "target_poc",
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
    }
    collection = path.split("/{", 1)[0].rsplit("/", 1)[-1]
    if collection in ids:
        values["id"] = world[ids[collection]].pk
    return {name: str(values[name]) for name in re.findall(r"\{(\w+)\}", path)}


def concrete(path: str, world: dict) -> str:
    """A schema path with its parameters filled with records that exist."""
    for name, value in existing_records(path, world).items():
        path = path.replace("{" + name + "}", value)
    return path
