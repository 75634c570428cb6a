"""A hotline message references shared objects; the receiving state opens them subject to TLP."""

from __future__ import annotations

import pytest

from cbmhub.exchange import services, tlp
from cbmhub.exchange.models import HotlineReference

from .conftest import indicator


@pytest.fixture
def shared(bilateral, anna):
    collection = bilateral.collections.get()
    objects = [
        indicator("198.51.100.1", marking=tlp.TLP2_IDS["amber"]),
        indicator("198.51.100.2", marking=tlp.TLP2_IDS["amber+strict"]),
    ]
    services.objects_add(actor=anna, collection=collection, objects=objects)
    return list(collection.stix_objects.order_by("pk"))


@pytest.mark.django_db
def test_notify_and_open_subject_to_tlp(client_for, shared, link, anna, bert, bob, carol):
    amber, strict = shared
    client = client_for(anna)
    page = client.get(f"/exchange/objects/{strict.pk}/notify/")
    assert page.status_code == 200
    response = client.post(
        f"/exchange/objects/{strict.pk}/notify/",
        {
            "channel": link.pk,
            "kind": "incident_notification",
            "priority": "urgent",
            "subject": "C2 seen in both grids",
            "body": "Please check the indicator.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    message_url = response["Location"]
    reference = HotlineReference.objects.get()
    assert reference.stix_id == strict.stix_id and reference.message.tlp == "AMBER+STRICT"
    # bert, the partner's CERT, opens it from the message
    page = client_for(bert).get(message_url).content.decode()
    assert f"/exchange/objects/{strict.pk}/" in page
    # bob, the partner's focal point, reads the message but not the AMBER+STRICT object
    page = client_for(bob).get(message_url)
    assert page.status_code == 200
    assert f"/exchange/objects/{strict.pk}/" not in page.content.decode()
    assert 'data-testid="reference-withheld"' in page.content.decode()
    assert client_for(bob).get(f"/exchange/objects/{strict.pk}/").status_code == 404
    # a third state sees neither the message nor the object
    assert client_for(carol).get(message_url).status_code == 404
    assert client_for(carol).get(f"/exchange/objects/{strict.pk}/").status_code == 404


@pytest.mark.django_db
def test_cannot_reference_what_one_cannot_read(shared, link, bob):
    from cbmhub.exchange.services import ExchangeError

    with pytest.raises(ExchangeError):
        services.hotline_notify(
            actor=bob,
            channel=link,
            objects=[shared[1]],
            kind="incident_notification",
            priority="urgent",
            subject="x",
            body="y",
        )
    assert not HotlineReference.objects.exists()
