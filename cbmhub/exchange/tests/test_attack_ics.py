"""MITRE ATT&CK for ICS (../shared/data/stix/attack-ics/: releases 8.0, 9.0 and the current
one) pushed through TAXII by taxii2-client; ``versions`` lists each object's versions."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from taxii2client.v21 import Collection, as_pages

from cbmhub.conftest import api_key_for, shared_path
from cbmhub.exchange import stix, validation
from cbmhub.exchange.models import StixObject

RELEASES = ["ics-attack-8.0.json", "ics-attack-9.0.json", "ics-attack.json"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_attack_ics_ingests_with_versions(live_server, bilateral, anna):
    target = bilateral.collections.get()
    collection = Collection(
        f"{live_server.url}/taxii2/api/collections/{target.pk}/",
        user="anna",
        password=api_key_for(anna),
    )
    versions: dict[str, set[str]] = defaultdict(set)
    total = refused = 0
    for release in RELEASES:
        objects = json.loads(shared_path(f"data/stix/attack-ics/{release}").read_text())["objects"]
        total += len(objects)
        status = collection.add_objects({"objects": objects})
        # A few ATT&CK objects break the STIX 2.1 schema (an external reference's "url" that
        # is not a URI): each is refused with its id and the validator's message, the rest kept.
        assert status.success_count + status.failure_count == len(objects)
        assert status.failure_count < len(objects) / 50
        failed = {(f["id"], f["version"]) for f in status.failures}
        for failure in status.failures:
            assert failure["id"].count("--") == 1 and failure["message"]
        refused += len(failed)
        for obj in objects:
            version = obj.get("modified") or obj["created"]
            if (obj["id"], version) not in failed:
                # one version however its time is written (ATT&CK writes a marking
                # definition's "…00Z" in one release and "…00.000Z" in another)
                versions[obj["id"]].add(stix.version_key(obj))
            else:
                assert not StixObject.objects.filter(stix_id=obj["id"], modified=version).exists()
    assert refused > 0
    distinct = sum(len(v) for v in versions.values())
    assert StixObject.objects.filter(collection=target).count() == distinct < total
    # pushing a release again stores nothing new
    again = json.loads(shared_path("data/stix/attack-ics/ics-attack-9.0.json").read_text())[
        "objects"
    ]
    status = collection.add_objects({"objects": again})
    assert status.success_count + status.failure_count == len(again)
    assert StixObject.objects.filter(collection=target).count() == distinct
    # versions of an object changed between releases
    changed = [i for i, v in versions.items() if len(v) >= 3][:5]
    assert changed
    for object_id in changed:
        listed = collection.object_versions(object_id)["versions"]
        assert [stix.version_key({"modified": v}) for v in listed] == sorted(versions[object_id])
    # the latest of everything, paged, every object valid
    latest = [
        o
        for page in as_pages(collection.get_objects, per_request=1000)
        for o in page.get("objects", [])
    ]
    assert len(latest) == len(versions)
    for obj in latest:
        assert validation.errors(obj) == []
        assert stix.version_key(obj) == max(versions[obj["id"]])
