"""TAXII filters: match[id|type|version|spec_version], added_after, versions, manifest."""

from __future__ import annotations

import pytest

from cbmhub.conftest import api_key_for
from cbmhub.exchange import services

from .conftest import indicator

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def get(client, bilateral, anna):
    collection = bilateral.collections.get()
    key = api_key_for(anna)
    first = indicator("10.9.0.1", modified="2026-01-01T00:00:00.000Z")
    second = {**first, "modified": "2026-02-01T00:00:00.000Z", "name": "second"}
    third = {**first, "modified": "2026-03-01T00:00:00.000Z", "name": "third"}
    other = indicator("10.9.0.2")
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "KZ-CERT",
    }
    # versions arrive out of order: the newest is still "last"
    services.objects_add(actor=anna, collection=collection, objects=[second, other, identity])
    services.objects_add(actor=anna, collection=collection, objects=[third, first])

    def call(path: str, **params):
        response = client.get(
            f"/taxii2/api/collections/{collection.pk}/{path}",
            params,
            HTTP_ACCEPT=TAXII,
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        assert response.status_code == 200, response.content
        return response

    call.ids = (first["id"], other["id"], identity["id"])  # type: ignore[attr-defined]
    return call


def names(response):
    return sorted(o.get("name", "") for o in response.json()["objects"])


@pytest.mark.django_db
def test_version_filters(get):
    first_id = get.ids[0]
    assert names(get(f"objects/{first_id}/")) == ["third"]
    assert names(get(f"objects/{first_id}/", **{"match[version]": "first"})) == ["C2 10.9.0.1"]
    assert len(get(f"objects/{first_id}/", **{"match[version]": "all"}).json()["objects"]) == 3
    assert names(get(f"objects/{first_id}/", **{"match[version]": "2026-02-01T00:00:00.000Z"})) == [
        "second"
    ]
    assert names(get(f"objects/{first_id}/", **{"match[version]": "first,last"})) == [
        "C2 10.9.0.1",
        "third",
    ]
    versions = get(f"objects/{first_id}/versions/").json()["versions"]
    assert versions == [
        "2026-01-01T00:00:00.000Z",
        "2026-02-01T00:00:00.000Z",
        "2026-03-01T00:00:00.000Z",
    ]


@pytest.mark.django_db
def test_type_id_spec_version_and_added_after(get):
    first_id, other_id, identity_id = get.ids
    assert names(get("objects/", **{"match[type]": "identity"})) == ["KZ-CERT"]
    assert names(get("objects/", **{"match[type]": "identity,indicator"})) == [
        "C2 10.9.0.2",
        "KZ-CERT",
        "third",
    ]
    assert names(get("objects/", **{"match[id]": other_id})) == ["C2 10.9.0.2"]
    assert get("objects/", **{"match[spec_version]": "2.0"}).json()["objects"] == []
    page = get("objects/", limit=1)
    assert page.json()["more"] is True
    first_added = page["X-TAXII-Date-Added-First"]
    later = get("objects/", added_after=first_added)
    assert first_added not in [o.get("date_added") for o in later.json()["objects"]]
    assert len(later.json()["objects"]) == 2
    manifest = get("manifest/").json()["objects"]
    assert {m["id"] for m in manifest} == {first_id, other_id, identity_id}
    assert all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest)
