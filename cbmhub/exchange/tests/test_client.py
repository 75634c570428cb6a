"""Subscriptions: pull a remote TAXII collection (our own live server) into another
collection; resume after a crash; duplicates stored once; error state per subscription."""

from __future__ import annotations

import pytest

from cbmhub.conftest import api_key_for
from cbmhub.exchange import client, services, tlp
from cbmhub.exchange.models import StixObject, Subscription

from .conftest import indicator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def source(bilateral, anna):
    collection = bilateral.collections.get()
    objects = [indicator(f"198.51.100.{n}", marking=tlp.TLP2_IDS["green"]) for n in range(1, 6)]
    objects.append(indicator("198.51.100.99"))  # no marking: takes the source's AMBER
    services.objects_add(actor=anna, collection=collection, objects=objects)
    return collection


@pytest.fixture
def subscription(live_server, source, network, anna, bert):
    return services.subscription_create(
        actor=bert,
        collection=network.collections.get(),
        name="KAZ–MNG feed",
        url=f"{live_server.url}/taxii2/api/collections/{source.pk}/",
        username="anna",
        password=api_key_for(anna),
    )


def test_pull_stores_once_and_keeps_tlp(subscription, monkeypatch):
    monkeypatch.setattr(client, "PAGE", 2)
    assert client.pull_due() == 6
    subscription.refresh_from_db()
    assert subscription.state == "ok" and subscription.last_error == ""
    assert subscription.objects_pulled == 6 and subscription.next_token == ""
    pulled = StixObject.objects.filter(collection=subscription.collection)
    assert sorted(pulled.values_list("tlp", flat=True)) == ["amber"] + ["green"] * 5
    # pulled again (forced due): nothing new, nothing stored twice
    Subscription.objects.update(next_run_at=None, added_after="")
    assert client.pull_due() == 0
    assert pulled.count() == 6


def test_resumes_after_a_crash(subscription, monkeypatch):
    monkeypatch.setattr(client, "PAGE", 2)
    real = services.objects_add
    calls = {"n": 0}

    def crash_on_second_page(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "objects_add", crash_on_second_page)
    client.pull_due()
    subscription.refresh_from_db()
    assert subscription.state == "error" and "worker killed" in subscription.last_error
    assert subscription.next_token  # where it stopped: after the first page
    assert StixObject.objects.filter(collection=subscription.collection).count() == 2
    monkeypatch.setattr(services, "objects_add", real)
    Subscription.objects.update(next_run_at=None)
    assert client.pull_due() == 4
    subscription.refresh_from_db()
    assert subscription.state == "ok" and subscription.last_error == ""
    assert StixObject.objects.filter(collection=subscription.collection).count() == 6


def test_error_state_per_subscription(subscription, live_server, network, bert):
    broken = services.subscription_create(
        actor=bert,
        collection=network.collections.get(),
        name="wrong token",
        url=subscription.url,
        username="anna",
        password="not-a-token",
    )
    client.pull_due()
    broken.refresh_from_db()
    subscription.refresh_from_db()
    assert broken.state == "error" and "HTTP 401" in broken.last_error
    assert subscription.state == "ok"


def test_only_who_may_write_subscribes(source, network, carol, live_server):
    from cbmhub.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.subscription_create(
            actor=carol, collection=network.collections.get(), name="x", url=live_server.url
        )
    with pytest.raises(Forbidden):
        services.subscription_create(
            actor=None, collection=network.collections.get(), name="x", url=live_server.url
        )
    with pytest.raises(Forbidden):
        services.subscription_finish(actor=carol, subscription=Subscription(pk=1))
