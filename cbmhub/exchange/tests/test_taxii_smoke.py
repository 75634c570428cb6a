import json

import pytest

from cbmhub.conftest import api_key_for
from cbmhub.exchange import tlp

from .conftest import indicator

TAXII = "application/taxii+json;version=2.1"


@pytest.mark.django_db
def test_push_and_read(client, bilateral, anna, bert):
    collection = bilateral.collections.get()
    key = api_key_for(anna)
    objs = [indicator(marking=tlp.TLP2_IDS["amber"]), indicator("203.0.113.9")]
    r = client.post(
        f"/taxii2/api/collections/{collection.pk}/objects/",
        data=json.dumps({"objects": objs}),
        content_type=TAXII,
        HTTP_ACCEPT=TAXII,
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["success_count"] == 2, body
    r = client.get(
        f"/taxii2/api/collections/{collection.pk}/objects/",
        HTTP_ACCEPT=TAXII,
        HTTP_AUTHORIZATION=f"Token {api_key_for(bert)}",
    )
    assert r.status_code == 200, r.content
    assert len(r.json()["objects"]) == 2
