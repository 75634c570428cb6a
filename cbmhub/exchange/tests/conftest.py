"""The exchange's test world, on the shared personas (cbmhub/conftest.py):

- ``bilateral``: the KAZ–MNG CERT arrangement (states A and B), one collection, default AMBER;
- ``network``: the CICA CERT network with A and B as participants (C is a CICA member that is
  not a participant: the community), one collection, default GREEN;
- ``dave``: the CERT of a state outside CICA (a non-member).
- ``anna`` (A) and ``bert`` (B) are their states' CERTs (technical points of contact);
  ``alice`` and ``bob`` are focal points (government contacts, not CERT).
"""

from __future__ import annotations

import uuid

import pytest

from cbmhub.conftest import make_poc, make_user


@pytest.fixture
def bilateral(state_a, state_b, root):
    from cbmhub.exchange import services

    return services.arrangement_create(
        actor=root,
        name="KAZ–MNG CERT arrangement",
        kind="bilateral",
        states=[state_a, state_b],
        collection_title="KAZ–MNG incidents",
        default_tlp="amber",
    )


@pytest.fixture
def network(state_a, state_b, cica, sam):
    from cbmhub.exchange import services

    return services.arrangement_create(
        actor=sam,
        name="CICA CERT network",
        kind="network",
        organisation=cica,
        states=[state_a, state_b],
        collection_title="CICA indicators",
        default_tlp="green",
    )


@pytest.fixture
def state_d(db):
    from cbmhub.directory.models import State

    return State.objects.create(name="Chile", iso2="CL", iso3="CHL")


@pytest.fixture
def dave(state_d):
    user = make_user("dave", role="poc", state=state_d)
    make_poc(state_d, "technical", "CSIRT Chile", user=user)
    return user


def stix_id(kind: str) -> str:
    return f"{kind}--{uuid.uuid4()}"


def indicator(
    value: str = "198.51.100.7",
    *,
    marking: str | None = None,
    modified: str = "2026-01-01T00:00:00.000Z",
    object_id: str | None = None,
    **extra,
):
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": object_id or stix_id("indicator"),
        "created": "2026-01-01T00:00:00.000Z",
        "modified": modified,
        "name": f"C2 {value}",
        "pattern": f"[ipv4-addr:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00.000Z",
        **extra,
    }
    if marking:
        obj["object_marking_refs"] = [marking]
    return obj
