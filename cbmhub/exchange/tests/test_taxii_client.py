"""A TAXII client nobody here wrote (taxii2-client 2.3.0) against the live server: every call
of the issue's list, and every object the server returns passes stix2-validator."""

from __future__ import annotations

import json

import pytest
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from cbmhub.conftest import api_key_for
from cbmhub.exchange import tlp, validation
from cbmhub.exchange.models import StixObject

from .conftest import indicator

pytestmark = pytest.mark.django_db(transaction=True)


def assert_valid(objects):
    for obj in objects:
        assert validation.errors(obj) == [], obj


@pytest.fixture
def anna_conn(live_server, anna, bilateral):
    return {"user": "anna", "password": api_key_for(anna)}


def collection_for(live_server, bilateral, auth) -> Collection:
    collection = bilateral.collections.get()
    return Collection(f"{live_server.url}/taxii2/api/collections/{collection.pk}/", **auth)


def test_discovery_api_root_collections(live_server, anna_conn, bilateral):
    server = Server(f"{live_server.url}/taxii2/", **anna_conn)
    assert server.title == "CBM Hub TAXII 2.1"
    root = server.default
    assert isinstance(root, ApiRoot)
    assert root.max_content_length > 0
    assert "application/taxii+json;version=2.1" in root.versions
    [collection] = root.collections
    assert collection.title == "KAZ–MNG incidents"
    assert collection.can_read and collection.can_write


def test_add_get_paging_versions_manifest_delete(live_server, anna_conn, bilateral, bert):
    collection = collection_for(live_server, bilateral, anna_conn)
    first = [indicator(f"198.51.100.{n}", marking=tlp.TLP2_IDS["amber"]) for n in range(1, 8)]
    status = collection.add_objects({"objects": first})
    assert status.status == "complete"
    assert status.success_count == 7 and status.failure_count == 0
    assert {s["id"] for s in status.successes} == {o["id"] for o in first}
    # paged by next: 7 objects in pages of 3
    pages = list(as_pages(collection.get_objects, per_request=3))
    got = [obj for page in pages for obj in page.get("objects", [])]
    assert [o["id"] for o in got] == [o["id"] for o in first]
    assert len(pages) == 3
    assert_valid(got)
    # added_after: only what came after the third
    response = collection.get_objects(limit=3)
    last_added = collection._conn.session.get(
        collection.objects_url,
        params={"limit": 3},
        headers={"Accept": "application/taxii+json;version=2.1"},
    ).headers["X-TAXII-Date-Added-Last"]
    assert len(response["objects"]) == 3
    after = collection.get_objects(added_after=last_added)
    assert [o["id"] for o in after["objects"]] == [o["id"] for o in first[3:]]
    # a newer version of the first object
    newer = {**first[0], "modified": "2026-02-01T00:00:00.000Z", "name": "renamed"}
    collection.add_objects({"objects": [newer]})
    one = collection.get_object(first[0]["id"])
    assert [o["name"] for o in one["objects"]] == ["renamed"]
    assert_valid(one["objects"])
    every = collection.get_object(first[0]["id"], version="all")
    assert len(every["objects"]) == 2
    versions = collection.object_versions(first[0]["id"])
    assert versions["versions"] == ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"]
    manifest = collection.get_manifest()
    assert len(manifest["objects"]) == 7
    assert {m["media_type"] for m in manifest["objects"]} == {"application/stix+json;version=2.1"}
    # the partner reads them
    bert_collection = collection_for(
        live_server, bilateral, {"user": "bert", "password": api_key_for(bert)}
    )
    assert len(bert_collection.get_objects()["objects"]) == 7
    # delete
    collection.delete_object(first[1]["id"])
    assert len(collection.get_objects()["objects"]) == 6
    assert not StixObject.objects.filter(stix_id=first[1]["id"]).exists()


def test_status_is_fetched_again(live_server, anna_conn, bilateral):
    collection = collection_for(live_server, bilateral, anna_conn)
    status = collection.add_objects({"objects": [indicator(), {"type": "indicator", "id": "x"}]})
    assert status.failure_count == 1
    status.refresh()
    assert status.total_count == 2 and status.success_count == 1
    assert status.failures[0]["id"] == "x" and status.failures[0]["message"]


def test_misp_push_flow_chunked_to_max_content_length(live_server, anna_conn, bilateral, settings):
    """MISP's TAXII push (misp-taxii push): envelopes filled up to the server's
    max_content_length, each sent with Collection.add_objects."""
    settings.CBMHUB_TAXII_MAX_CONTENT_LENGTH = 8_000
    root = Server(f"{live_server.url}/taxii2/", **anna_conn).default
    limit = root.max_content_length
    assert limit == 8_000
    collection = root.collections[0]
    objects = [indicator(f"192.0.2.{n}", marking=tlp.TLP2_IDS["green"]) for n in range(1, 60)]
    envelopes: list[list[dict]] = []
    chunk: list[dict] = []
    for obj in objects:
        candidate = [*chunk, obj]
        if len(json.dumps({"objects": candidate}).encode()) > limit:
            envelopes.append(chunk)
            chunk = [obj]
        else:
            chunk = candidate
    envelopes.append(chunk)
    assert len(envelopes) > 3
    for envelope in envelopes:
        status = collection.add_objects({"objects": envelope})
        assert status.failure_count == 0
    got = [
        o
        for page in as_pages(collection.get_objects, per_request=25)
        for o in page.get("objects", [])
    ]
    assert sorted(o["id"] for o in got) == sorted(o["id"] for o in objects)
    assert_valid(got)
    # pushed objects keep their TLP
    assert {tuple(o["object_marking_refs"]) for o in got} == {(tlp.TLP2_IDS["green"],)}


def test_keyset_paging_neither_skips_nor_repeats(live_server, anna_conn, bilateral):
    collection = collection_for(live_server, bilateral, anna_conn)
    collection.add_objects({"objects": [indicator(f"10.0.0.{n}") for n in range(1, 11)]})
    seen = []
    page = collection.get_objects(limit=4)
    seen += [o["id"] for o in page["objects"]]
    # an object added while the client pages
    late = indicator("10.0.1.1")
    collection.add_objects({"objects": [late]})
    while page.get("more"):
        page = collection.get_objects(limit=4, next=page["next"])
        seen += [o["id"] for o in page["objects"]]
    assert len(seen) == len(set(seen)) == 11
    assert seen[-1] == late["id"]


def test_basic_needs_a_token_not_the_password(live_server, bilateral, anna):
    from requests.exceptions import HTTPError

    from cbmhub.conftest import PASSWORD

    collection = collection_for(live_server, bilateral, {"user": "anna", "password": PASSWORD})
    with pytest.raises(HTTPError) as refused:
        collection.get_objects()
    response = refused.value.response
    assert response is not None and response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
