"""Bad input to the TAXII server: a TAXII error message with the right status, never a 500,
and nothing valid lost."""

from __future__ import annotations

import json

import pytest

from cbmhub.conftest import api_key_for
from cbmhub.exchange.models import Status, StixObject

from .conftest import indicator

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def post(client, bilateral, anna):
    collection = bilateral.collections.get()
    key = api_key_for(anna)

    def send(body, *, content_type=TAXII, accept=TAXII, **extra):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return client.post(
            f"/taxii2/api/collections/{collection.pk}/objects/",
            data=data,
            content_type=content_type,
            HTTP_ACCEPT=accept,
            HTTP_AUTHORIZATION=f"Token {key}",
            **extra,
        )

    return send


def assert_taxii_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == TAXII
    body = response.json()
    assert body["http_status"] == str(status) and body["title"] and body["description"]
    return body


@pytest.mark.django_db
def test_malformed_json(post):
    body = assert_taxii_error(post('{"objects": [ {"type": "indicator",'), 400)
    assert "line 1" in body["description"] or "column" in body["description"]
    assert_taxii_error(post('{"objects": [NaN]}'), 400)
    assert_taxii_error(post(b"\xff\xfe{}"), 400)
    assert not StixObject.objects.exists()


@pytest.mark.django_db
def test_wrong_media_types(post):
    assert_taxii_error(post({"objects": [indicator()]}, content_type="application/json"), 415)
    assert_taxii_error(
        post({"objects": [indicator()]}, content_type="application/taxii+json;version=2.0"), 415
    )
    assert_taxii_error(post({"objects": [indicator()]}, accept="text/html"), 406)
    assert_taxii_error(
        post({"objects": [indicator()]}, accept="application/taxii+json;version=2.0"), 406
    )
    assert not StixObject.objects.exists()


@pytest.mark.django_db
def test_not_an_envelope(post):
    assert_taxii_error(post([indicator()]), 422)
    assert_taxii_error(post({"type": "bundle", "id": "bundle--1"}), 422)


@pytest.mark.django_db
def test_invalid_objects_inside_a_valid_envelope(post):
    good = [indicator("198.51.100.1"), indicator("198.51.100.2")]
    bad_pattern = indicator("x", pattern="[ipv4-addr:value = ")
    no_created = {k: v for k, v in indicator().items() if k != "created"}
    not_stix = {"hello": "world"}
    bundle_inside = {
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [],
    }
    response = post(
        {"objects": [good[0], bad_pattern, no_created, not_stix, 42, bundle_inside, good[1]]}
    )
    assert response.status_code == 202
    status = response.json()
    assert (
        status["total_count"] == 7 and status["success_count"] == 2 and status["failure_count"] == 5
    )
    failures = {f["id"]: f["message"] for f in status["failures"]}
    assert "Pattern failed to validate" in failures[bad_pattern["id"]]
    assert "created" in failures[no_created["id"]]
    assert "type" in failures["objects[3]"] and "not a JSON object" in failures["objects[4]"]
    assert "bundle" in failures[bundle_inside["id"]]
    assert set(StixObject.objects.values_list("stix_id", flat=True)) == {g["id"] for g in good}
    assert Status.objects.get().failures == status["failures"]


@pytest.mark.django_db
def test_oversized_envelope_413(post, settings):
    settings.CBMHUB_TAXII_MAX_CONTENT_LENGTH = 2000
    objects = [indicator(f"198.51.100.{n}") for n in range(1, 20)]
    assert_taxii_error(post({"objects": objects}), 413)
    assert not StixObject.objects.exists()
    assert post({"objects": objects[:2]}).status_code == 202


@pytest.mark.django_db
def test_bad_query_parameters(client, bilateral, anna):
    collection = bilateral.collections.get()
    key = api_key_for(anna)
    base = f"/taxii2/api/collections/{collection.pk}/objects/"
    for query in (
        "limit=0",
        "limit=abc",
        "added_after=yesterday",
        "next=%%%",
        "match[version]=soon",
    ):
        response = client.get(
            f"{base}?{query}", HTTP_ACCEPT=TAXII, HTTP_AUTHORIZATION=f"Token {key}"
        )
        assert_taxii_error(response, 400)
    for path in ("/taxii2/api/collections/not-a-uuid/objects/", "/taxii2/api/status/nope/"):
        assert_taxii_error(
            client.get(path, HTTP_ACCEPT=TAXII, HTTP_AUTHORIZATION=f"Token {key}"), 404
        )
    assert_taxii_error(client.put(base, HTTP_ACCEPT=TAXII, HTTP_AUTHORIZATION=f"Token {key}"), 405)
    assert_taxii_error(client.get(base, HTTP_ACCEPT=TAXII), 401)
    assert_taxii_error(client.get(base, HTTP_ACCEPT=TAXII, HTTP_AUTHORIZATION="Token nope"), 401)


@pytest.mark.django_db
def test_reader_without_write_right_is_refused(client, bilateral, bob):
    collection = bilateral.collections.get()
    response = client.post(
        f"/taxii2/api/collections/{collection.pk}/objects/",
        data=json.dumps({"objects": [indicator()]}),
        content_type=TAXII,
        HTTP_ACCEPT=TAXII,
        HTTP_AUTHORIZATION=f"Token {api_key_for(bob)}",
    )
    assert_taxii_error(response, 403)
