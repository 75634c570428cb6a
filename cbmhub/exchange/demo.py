"""Demo exchange: the KAZ–MNG CERT arrangement (bilateral, under CICA) and the CICA CERT
network (KAZ, MNG, THA), each with shared objects at every TLP level, an incident report filed
by kaz-cert at TLP:AMBER, mng-cert named as the network's TLP:RED recipient, and one
subscription (the network pulling the bilateral collection from this server; it shows the
error state until a CERT gives it an API token). Idempotent: nothing is added when the demo
arrangements exist. Runs after the directory, accounts and hotline demos, through the services."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from cbmhub.accounts.models import User
from cbmhub.core.roles import SYSTEM
from cbmhub.directory.models import Organisation, State

from . import services, tlp
from .models import Arrangement

BILATERAL = "KAZ–MNG CERT arrangement (demo)"
NETWORK = "CICA CERT network (demo)"


def _indicator(value: str, level: str, name: str) -> dict[str, Any]:
    stamp = "2026-03-01T09:00:00.000Z"
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'cbmhub-demo-{value}')}",
        "created": stamp,
        "modified": stamp,
        "name": name,
        "pattern": f"[ipv4-addr:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": stamp,
        "object_marking_refs": [tlp.TLP2_IDS[level]],
    }


def _share_every_level(collection: Any, prefix: str) -> None:
    objects = [
        _indicator(f"{prefix}.{n}", level, f"Demo indicator {tlp.TLP2_NAMES[level]}")
        for n, level in enumerate(tlp.LEVELS, start=10)
    ]
    services.objects_add(actor=SYSTEM, collection=collection, objects=objects)


@transaction.atomic
def load(*, stdout: Any = None) -> None:
    if Arrangement.objects.filter(name__in=[BILATERAL, NETWORK]).exists():
        return
    cica = Organisation.objects.get(acronym="CICA")
    kaz, mng, tha = (State.objects.get(iso3=code) for code in ("KAZ", "MNG", "THA"))
    secretariat = User.objects.get(username="secretariat")
    bilateral = services.arrangement_create(
        actor=secretariat,
        name=BILATERAL,
        kind="bilateral",
        organisation=cica,
        states=[kaz, mng],
        collection_title="KAZ–MNG incidents",
        default_tlp=tlp.AMBER,
    )
    network = services.arrangement_create(
        actor=secretariat,
        name=NETWORK,
        kind="network",
        organisation=cica,
        states=[kaz, mng, tha],
        collection_title="CICA indicators",
        default_tlp=tlp.GREEN,
    )
    services.red_recipients_set(
        actor=secretariat, arrangement=network, users=[User.objects.get(username="mng-cert")]
    )
    _share_every_level(bilateral.collections.get(), "198.51.100")
    _share_every_level(network.collections.get(), "203.0.113")
    services.incident_report_file(
        actor=User.objects.get(username="kaz-cert"),
        collection=bilateral.collections.get(),
        title="Phishing wave against the grid operator (demo)",
        description="Invoices with a macro; the macro calls back to two addresses.",
        severity="high",
        sectors=["energy"],
        indicators_text="192.0.2.44\nupdate-invoice.example.net",
        level=tlp.AMBER,
    )
    services.subscription_create(
        actor=SYSTEM,
        collection=network.collections.get(),
        name="KAZ–MNG incidents, pulled into the network (demo)",
        url=f"http://127.0.0.1:8000/taxii2/api/collections/{bilateral.collections.get().pk}/",
        interval_seconds=600,
    )
    if stdout is not None:
        stdout.write(
            "Exchange: 2 arrangements, shared objects at every TLP level, 1 subscription.\n"
        )
