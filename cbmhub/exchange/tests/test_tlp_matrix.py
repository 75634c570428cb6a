"""The TLP access matrix: each TLP level × reader on TAXII, the pages, the API and the export:
visible or refused, and nothing leaks. Objects are shared by anna (CERT of A) in the CICA CERT
network (participants A and B; C is a CICA member outside it). bert (CERT of B) is the
network's named TLP:RED recipient.

| reader | CLEAR | GREEN | AMBER | AMBER+STRICT | RED |
| party state's CERT, named for RED (bert)      | ✓ | ✓ | ✓ | ✓ | ✓ |
| party state's CERT, not named (bea, B)         | ✓ | ✓ | ✓ | ✓ | – |
| party state's government contact (bob, B)     | ✓ | ✓ | ✓ | – | – |
| other network member's CERT (carol, C)        | ✓ | ✓ | – | – | – |
| non-member's CERT (dave, Chile)               | – | – | – | – | – |
| secretariat (sam, CICA)                       | – | – | – | – | – |
| observer (olga)                               | – | – | – | – | – |
| anonymous                                     | – | – | – | – | – |
"""

from __future__ import annotations

import json

import pytest

from cbmhub.conftest import api_key_for, make_poc, make_user
from cbmhub.exchange import services, tlp

from .conftest import indicator

TAXII = "application/taxii+json;version=2.1"
LEVELS = list(tlp.LEVELS)
EXPECTED = {
    "bert": LEVELS,
    "bea": LEVELS[:4],
    "bob": LEVELS[:3],
    "carol": LEVELS[:2],
    "dave": [],
    "sam": [],
    "olga": [],
    "anonymous": [],
}


@pytest.fixture
def world(network, anna, bert, bob, carol, dave, sam, olga, state_b):
    bea = make_user("bea", role="poc", state=state_b)
    make_poc(state_b, "technical", "MonCIRT night shift", user=bea)
    services.red_recipients_set(actor=sam, arrangement=network, users=[bert])
    collection = network.collections.get()
    objects = {
        level: indicator(f"192.0.2.{n}", marking=tlp.TLP2_IDS[level])
        for n, level in enumerate(LEVELS, 1)
    }
    result = services.objects_add(actor=anna, collection=collection, objects=list(objects.values()))
    assert result.stored == 5 and not result.failures
    rows = {level: collection.stix_objects.get(stix_id=obj["id"]) for level, obj in objects.items()}
    readers = {
        "bert": bert,
        "bea": bea,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "sam": sam,
        "olga": olga,
        "anonymous": None,
    }
    return collection, rows, readers


_KEYS: dict[int, tuple[str, object]] = {}


def _taxii(client, user, path):
    headers = {"HTTP_ACCEPT": TAXII}
    if user is not None:
        if _KEYS.get(user.pk, ("", None))[1] is not user:
            _KEYS[user.pk] = (api_key_for(user, name=f"taxii-{len(_KEYS)}"), user)
        headers["HTTP_AUTHORIZATION"] = f"Token {_KEYS[user.pk][0]}"
    return client.get(path, **headers)


def seen_by_taxii(client, user, collection, rows):
    seen = set()
    listing = _taxii(client, user, f"/taxii2/api/collections/{collection.pk}/objects/")
    listed = (
        {o["id"] for o in listing.json().get("objects", [])}
        if listing.status_code == 200
        else set()
    )
    manifest = _taxii(client, user, f"/taxii2/api/collections/{collection.pk}/manifest/")
    in_manifest = (
        {o["id"] for o in manifest.json().get("objects", [])}
        if manifest.status_code == 200
        else set()
    )
    for level, row in rows.items():
        one = _taxii(
            client, user, f"/taxii2/api/collections/{collection.pk}/objects/{row.stix_id}/"
        )
        versions = _taxii(
            client, user, f"/taxii2/api/collections/{collection.pk}/objects/{row.stix_id}/versions/"
        )
        assert one.status_code in (200, 401, 404) and versions.status_code == one.status_code
        found = one.status_code == 200 and row.stix_id in one.content.decode()
        assert found == (row.stix_id in listed) == (row.stix_id in in_manifest)
        if found:
            seen.add(level)
    return seen


def seen_by_pages(client, user, rows):
    client.logout()
    if user is not None:
        client.force_login(user)
    seen = set()
    listing = client.get("/exchange/")
    for level, row in rows.items():
        page = client.get(f"/exchange/objects/{row.pk}/")
        assert page.status_code in (200, 302, 403, 404)
        found = page.status_code == 200
        assert found == (listing.status_code == 200 and row.name in listing.content.decode())
        if found:
            seen.add(level)
    return seen


def seen_by_api(api_for, user, rows):
    response = api_for(user).get("/api/v1/exchange/objects/")
    assert response.status_code in (200, 401, 403)
    if response.status_code != 200:
        return set()
    ids = {item["stix_id"] for item in response.json()["results"]}
    return {level for level, row in rows.items() if row.stix_id in ids}


def seen_by_export(client, user, rows):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get("/exchange/export/", {"ids": [row.pk for row in rows.values()]})
    assert response.status_code in (200, 302, 403)
    if response.status_code != 200:
        return set()
    ids = {obj["id"] for obj in json.loads(response.content)["objects"]}
    return {level for level, row in rows.items() if row.stix_id in ids}


@pytest.mark.django_db
@pytest.mark.parametrize("reader", list(EXPECTED))
def test_tlp_matrix(reader, world, client, api_for):
    collection, rows, readers = world
    user = readers[reader]
    expected = set(EXPECTED[reader])
    assert seen_by_taxii(client, user, collection, rows) == expected
    assert seen_by_pages(client, user, rows) == expected
    assert seen_by_api(api_for, user, rows) == expected
    assert seen_by_export(client, user, rows) == expected


@pytest.mark.django_db
def test_the_sharer_reads_its_own_red(world, client_for, anna):
    _collection, rows, _readers = world
    assert client_for(anna).get(f"/exchange/objects/{rows['red'].pk}/").status_code == 200


@pytest.mark.django_db
def test_bilateral_third_state_and_secretariat_see_nothing(
    bilateral, anna, carol, sam, root, client_for, api_for
):
    collection = bilateral.collections.get()
    services.objects_add(
        actor=anna, collection=collection, objects=[indicator(marking=tlp.TLP2_IDS["clear"])]
    )
    row = collection.stix_objects.get()
    for user in (carol, sam, root):
        assert client_for(user).get(f"/exchange/objects/{row.pk}/").status_code == 404
        response = api_for(user).get("/api/v1/exchange/objects/")
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert response.json()["results"] == []
    # the operator and the secretariat see that the collection exists, read nothing in it
    listing = api_for(root).get("/api/v1/exchange/arrangements/")
    assert [a["name"] for a in listing.json()["results"]] == ["KAZ–MNG CERT arrangement"]
    taxii = _taxii(client_for(root), root, f"/taxii2/api/collections/{collection.pk}/")
    assert taxii.status_code == 200 and taxii.json()["can_read"] is False
    assert (
        _taxii(client_for(carol), carol, f"/taxii2/api/collections/{collection.pk}/").status_code
        == 404
    )
