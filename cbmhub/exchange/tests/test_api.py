"""The exchange API: arrangements (the secretariat creates, the parties read), subscriptions
(the password is never shown), objects (through the one selector), the incident form."""

from __future__ import annotations

import pytest

from cbmhub.exchange import services
from cbmhub.exchange.models import Arrangement, StixObject


@pytest.mark.django_db
def test_secretariat_creates_an_arrangement_others_are_refused(
    api_for, sam, bob, olga, state_a, state_b
):
    body = {
        "name": "CICA CERT network",
        "kind": "network",
        "states": ["KAZ", "MNG"],
        "default_tlp": "green",
    }
    for user in (bob, olga):
        assert (
            api_for(user).post("/api/v1/exchange/arrangements/", body, format="json").status_code
            == 403
        )
    assert api_for(None).post(
        "/api/v1/exchange/arrangements/", body, format="json"
    ).status_code in (401, 403)
    response = api_for(sam).post("/api/v1/exchange/arrangements/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"] == "CICA"
    assert [p["state"] for p in response.json()["participants"]] == ["KAZ", "MNG"]
    bad = api_for(sam).post(
        "/api/v1/exchange/arrangements/", {**body, "name": "x", "states": ["XXX"]}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"].startswith(
        "states"
    )


@pytest.mark.django_db
def test_arrangements_are_listed_to_their_parties_only(
    api_for, network, bob, carol, dave, olga, sam, sara
):
    def names(user):
        response = api_for(user).get("/api/v1/exchange/arrangements/")
        return [a["name"] for a in response.json()["results"]]

    assert names(bob) == names(sam) == names(carol) == ["CICA CERT network"]  # carol: the community
    assert names(dave) == names(sara) == []
    assert api_for(olga).get("/api/v1/exchange/arrangements/").status_code == 403
    assert api_for(dave).get(f"/api/v1/exchange/arrangements/{network.pk}/").status_code == 404
    assert (
        api_for(bob)
        .patch(f"/api/v1/exchange/arrangements/{network.pk}/", {"name": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(sam)
        .patch(f"/api/v1/exchange/arrangements/{network.pk}/", {"name": "Renamed"}, format="json")
        .status_code
        == 200
    )
    assert Arrangement.objects.get().name == "Renamed"


@pytest.mark.django_db
def test_incident_form_through_the_api(api_for, bilateral, anna, bob, carol):
    collection = bilateral.collections.get()
    body = {
        "collection": str(collection.pk),
        "title": "DDoS on the national portal",
        "indicators": ["203.0.113.5", "d41d8cd98f00b204e9800998ecf8427e"],
        "tlp": "amber+strict",
        "severity": "critical",
    }
    assert api_for(bob).post("/api/v1/exchange/incidents/", body, format="json").status_code == 403
    assert (
        api_for(carol).post("/api/v1/exchange/incidents/", body, format="json").status_code == 404
    )
    response = api_for(anna).post("/api/v1/exchange/incidents/", body, format="json")
    assert response.status_code == 201, response.json()
    types = sorted({o["type"] for o in response.json()["objects"]})
    assert types == [
        "file",
        "identity",
        "incident",
        "indicator",
        "ipv4-addr",
        "observed-data",
        "relationship",
        "report",
    ]
    assert set(StixObject.objects.values_list("tlp", flat=True)) == {"amber+strict"}
    bad = api_for(anna).post(
        "/api/v1/exchange/incidents/", {**body, "indicators": ["not an indicator"]}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["field"] == "indicators"


@pytest.mark.django_db
def test_subscription_password_is_write_only(api_for, network, bert, bob, carol):
    collection = network.collections.get()
    body = {
        "name": "MISP feed",
        "collection": str(collection.pk),
        "url": "https://misp.example.org/taxii2/collections/1/",
        "username": "u",
        "password": "secret-token",
    }
    assert (
        api_for(bob).post("/api/v1/exchange/subscriptions/", body, format="json").status_code == 403
    )
    response = api_for(bert).post("/api/v1/exchange/subscriptions/", body, format="json")
    assert response.status_code == 201 and "password" not in response.json()
    listed = api_for(bob).get("/api/v1/exchange/subscriptions/").json()["results"]
    assert [s["name"] for s in listed] == ["MISP feed"] and "secret-token" not in str(listed)
    # carol's state is a CICA member outside the network (the community): she sees it too
    assert [
        s["name"] for s in api_for(carol).get("/api/v1/exchange/subscriptions/").json()["results"]
    ] == ["MISP feed"]


@pytest.mark.django_db
def test_object_list_query_count(
    api_for, client_for, bilateral, anna, bert, django_assert_max_num_queries
):
    from .conftest import indicator

    collection = bilateral.collections.get()
    services.objects_add(
        actor=anna, collection=collection, objects=[indicator(f"10.1.0.{n}") for n in range(1, 41)]
    )
    api = api_for(bert)
    api.get("/api/v1/exchange/objects/")
    with django_assert_max_num_queries(12):
        assert len(api.get("/api/v1/exchange/objects/").json()["results"]) == 40
    client = client_for(bert)
    with django_assert_max_num_queries(14):
        assert client.get("/exchange/").status_code == 200
    key_client = api_for(bert)
    with django_assert_max_num_queries(12):
        response = key_client.get(
            f"/taxii2/api/collections/{collection.pk}/objects/",
            HTTP_ACCEPT="application/taxii+json;version=2.1",
        )
        assert len(response.json()["objects"]) == 40


@pytest.mark.django_db
def test_no_actor_is_refused(bilateral, state_a, state_b):
    from cbmhub.core.errors import Forbidden

    collection = bilateral.collections.get()
    with pytest.raises(Forbidden):
        services.objects_add(actor=None, collection=collection, objects=[])
    with pytest.raises(Forbidden):
        services.arrangement_create(
            actor=None, name="x", kind="bilateral", states=[state_a, state_b]
        )
    with pytest.raises(Forbidden):
        services.collection_create(
            actor=None, arrangement=bilateral, title="x", default_tlp="amber"
        )


@pytest.mark.django_db
def test_admin_is_for_operators_and_holds_no_content(client_for, root, sam, bilateral):
    assert client_for(root).get("/admin/exchange/arrangement/").status_code == 200
    assert client_for(root).get("/admin/exchange/stixobject/").status_code == 404
    response = client_for(sam).get("/admin/exchange/arrangement/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_secretariat_changes_rights_and_names_red_recipients(
    api_for, network, sam, bert, carol, state_c, bob
):
    url = f"/api/v1/exchange/arrangements/{network.pk}/"
    body = {
        "participants": [{"state": "THA", "can_read": True, "can_write": False}],
        "red_recipients": ["bert"],
    }
    assert api_for(bob).patch(url, body, format="json").status_code == 403
    response = api_for(sam).patch(url, body, format="json")
    assert response.status_code == 200, response.json()
    rights = {p["state"]: (p["can_read"], p["can_write"]) for p in response.json()["participants"]}
    assert rights["THA"] == (True, False)
    assert list(network.red_recipients.values_list("username", flat=True)) == ["bert"]
    unknown = api_for(sam).patch(url, {"red_recipients": ["nobody"]}, format="json")
    assert (
        unknown.status_code == 400
        and unknown.json()["error"]["details"][0]["field"] == "red_recipients"
    )
    outsider = api_for(sam).patch(url, {"red_recipients": ["sam"]}, format="json")
    assert outsider.status_code == 400
    assert list(network.red_recipients.values_list("username", flat=True)) == ["bert"]
