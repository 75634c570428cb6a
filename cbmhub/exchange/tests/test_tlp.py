"""TLP 2.0 normalisation and granular redaction (tlp.py, no database), and the redaction as
served on every surface."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cbmhub.conftest import api_key_for
from cbmhub.exchange import services, tlp

from .conftest import indicator

TLP1_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
TLP1_WHITE = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
OPENCTI_STRICT = "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37"


def test_tlp1_and_opencti_ids_are_normalised():
    obj, level = tlp.normalise(indicator(marking=TLP1_AMBER), default=tlp.RED)
    assert level == tlp.AMBER and obj["object_marking_refs"] == [tlp.TLP2_IDS[tlp.AMBER]]
    obj, level = tlp.normalise(indicator(marking=TLP1_WHITE), default=tlp.RED)
    assert level == tlp.CLEAR
    obj, level = tlp.normalise(indicator(marking=OPENCTI_STRICT), default=tlp.CLEAR)
    assert level == tlp.AMBER_STRICT and obj["object_marking_refs"] == [
        tlp.TLP2_IDS[tlp.AMBER_STRICT]
    ]


def test_a_definition_travelling_with_the_objects_is_recognised_by_its_content():
    custom = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--11111111-2222-4333-8444-555555555555",
        "created": "2022-01-01T00:00:00.000Z",
        "name": "TLP:AMBER+STRICT",
    }
    level = tlp.definition_level(custom)
    assert level == tlp.AMBER_STRICT
    known = {custom["id"]: level}
    obj, level = tlp.normalise(indicator(marking=custom["id"]), default=tlp.CLEAR, known=known)
    assert level == tlp.AMBER_STRICT


def test_strictest_wins_and_missing_takes_the_default():
    obj = indicator()
    obj["object_marking_refs"] = [tlp.TLP2_IDS[tlp.GREEN], tlp.TLP2_IDS[tlp.RED]]
    assert tlp.normalise(obj, default=tlp.CLEAR)[1] == tlp.RED
    bare, level = tlp.normalise(indicator(), default=tlp.AMBER)
    assert level == tlp.AMBER and bare["object_marking_refs"] == [tlp.TLP2_IDS[tlp.AMBER]]


def test_redact_removes_what_is_marked_above_the_reader():
    obj = indicator(
        marking=tlp.TLP2_IDS[tlp.GREEN],
        description="secret source",
        external_references=[
            {"source_name": "a", "url": "https://a.example"},
            {"source_name": "b"},
        ],
        granular_markings=[
            {
                "marking_ref": tlp.TLP2_IDS[tlp.RED],
                "selectors": ["description", "external_references.[0]"],
            },
            {"marking_ref": tlp.TLP2_IDS[tlp.AMBER], "selectors": ["name"]},
        ],
    )
    green = tlp.redact(obj, tlp.GREEN)
    assert "description" not in green and "name" not in green and "granular_markings" not in green
    assert green["external_references"] == [{"source_name": "b"}]
    amber = tlp.redact(obj, tlp.AMBER)
    assert "name" in amber and "description" not in amber
    assert amber["granular_markings"] == [obj["granular_markings"][1]]
    assert tlp.redact(obj, tlp.RED) == obj
    assert "description" not in tlp.redact(obj, None)


@pytest.mark.django_db
def test_granular_redaction_on_every_surface(network, anna, bert, carol, client, api_for):
    collection = network.collections.get()
    obj = indicator(
        marking=tlp.TLP2_IDS[tlp.GREEN],
        description="Seen at the PLANT-7 substation",
        granular_markings=[
            {"marking_ref": tlp.TLP2_IDS[tlp.AMBER_STRICT], "selectors": ["description"]}
        ],
    )
    assert services.objects_add(actor=anna, collection=collection, objects=[obj]).stored == 1
    row = collection.stix_objects.get()
    secret = "PLANT-7"
    for user, sees in ((bert, True), (carol, False)):
        client.force_login(user)
        taxii = client.get(
            f"/taxii2/api/collections/{collection.pk}/objects/",
            HTTP_ACCEPT="application/taxii+json;version=2.1",
            HTTP_AUTHORIZATION=f"Token {api_key_for(user, name='redaction')}",
        )
        page = client.get(f"/exchange/objects/{row.pk}/")
        export = client.get("/exchange/export/", {"ids": [row.pk]})
        api = api_for(user).get("/api/v1/exchange/objects/")
        for response in (taxii, page, export, api):
            assert response.status_code == 200
            assert (secret in response.content.decode()) is sees
        exported = json.loads(export.content)["objects"][0]
        assert ("granular_markings" in exported) is sees


def test_the_faster_validation_says_what_the_validator_says():
    """validation.py builds the validator's schema validators once; the answers are those of
    stix2-validator's own validate_instance, valid or not, message for message."""
    from cbmhub.conftest import shared_path
    from cbmhub.exchange import validation

    objects = json.loads(shared_path("data/stix/attack-ics/ics-attack.json").read_text())["objects"]
    sample = objects[::60] + [
        {"type": "indicator", "id": "indicator--x", "spec_version": "2.1"},
        indicator(pattern="[ipv4-addr:value = ", created="2020-01-01T00:00:00Z"),
    ]
    # The validator's own answers, from a fresh interpreter that never imports validation.py
    # (which changes how the validator module builds its schema validators).
    script = (
        "import json, sys\n"
        "from stix2validator import ValidationOptions, validate_instance\n"
        "options = ValidationOptions(version='2.1')\n"
        "sample = json.load(sys.stdin)\n"
        "print(json.dumps([[str(e.message) for e in validate_instance(o, options).errors]"
        " for o in sample]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(sample),
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(run.stdout)
    assert [validation.errors(o) for o in sample] == expected
    assert sum(bool(e) for e in expected) == 2
