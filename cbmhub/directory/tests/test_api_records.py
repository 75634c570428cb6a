"""Organisations, bodies, states and memberships through the API: readers, keepers, refusals."""

from __future__ import annotations

import pytest

from cbmhub.directory.models import Body, ChangeRecord, Membership, Organisation, State

pytestmark = pytest.mark.django_db

API = "/api/v1/directory"


# --- organisations ------------------------------------------------------------------------------


def test_anyone_signed_in_lists_organisations(api_for, olga, cica):
    response = api_for(olga).get(f"{API}/organisations/")
    assert response.status_code == 200
    assert [row["acronym"] for row in response.json()["results"]] == ["CICA"]
    assert api_for().get(f"{API}/organisations/").status_code == 401


def test_organisation_by_acronym_any_case(api_for, olga, cica):
    assert api_for(olga).get(f"{API}/organisations/cica/").json()["acronym"] == "CICA"
    assert api_for(olga).get(f"{API}/organisations/NOPE/").status_code == 404


def test_only_an_operator_creates_an_organisation(api_for, sam, root):
    payload = {"acronym": "ARF", "name": "ASEAN Regional Forum", "kind": "regional"}
    assert api_for(sam).post(f"{API}/organisations/", payload).status_code == 403
    response = api_for(root).post(f"{API}/organisations/", payload)
    assert response.status_code == 201
    assert Organisation.objects.filter(acronym="ARF").exists()


def test_secretariat_changes_own_organisation_not_another(api_for, sam, asean, cica):
    response = api_for(sam).patch(f"{API}/organisations/CICA/", {"headquarters": "Astana"})
    assert response.status_code == 200
    assert ChangeRecord.objects.filter(model="organisation", organisation=cica).exists()
    response = api_for(sam).patch(f"{API}/organisations/ASEAN/", {"headquarters": "Jakarta"})
    assert response.status_code == 403
    asean.refresh_from_db()
    assert asean.headquarters == ""


def test_focal_point_and_observer_cannot_change_an_organisation(api_for, alice, olga, cica):
    for user in (alice, olga):
        response = api_for(user).patch(f"{API}/organisations/CICA/", {"name": "x"})
        assert response.status_code == 403


# --- bodies ------------------------------------------------------------------------------------


def test_bodies_list_and_filter(api_for, olga, swg, asean):
    Body.objects.create(organisation=asean, name="ASEAN Summit", kind="summit")
    rows = api_for(olga).get(f"{API}/bodies/?organisation=CICA").json()["results"]
    assert [row["acronym"] for row in rows] == ["SOC", "SWG"]
    assert rows[1]["parent"] == rows[0]["id"]


def test_secretariat_creates_updates_and_deletes_own_bodies(api_for, sam, swg):
    api = api_for(sam)
    response = api.post(
        f"{API}/bodies/",
        {"organisation": "CICA", "name": "Workshop", "kind": "working_group", "parent": swg.pk},
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api.patch(f"{API}/bodies/{pk}/", {"acronym": "WS"}).json()["acronym"] == "WS"
    assert api.delete(f"{API}/bodies/{pk}/").status_code == 204
    assert not Body.objects.filter(pk=pk).exists()


def test_other_secretariat_is_refused_on_bodies(api_for, sara, swg):
    api = api_for(sara)
    assert (
        api.post(
            f"{API}/bodies/", {"organisation": "CICA", "name": "X", "kind": "other"}
        ).status_code
        == 403
    )
    assert api.patch(f"{API}/bodies/{swg.pk}/", {"acronym": "Z"}).status_code == 403
    assert api.delete(f"{API}/bodies/{swg.pk}/").status_code == 403
    swg.refresh_from_db()
    assert swg.acronym == "SWG"


def test_body_cannot_report_to_itself(api_for, sam, swg):
    soc = swg.parent
    response = api_for(sam).patch(f"{API}/bodies/{soc.pk}/", {"parent": swg.pk})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "parent"


# --- states -------------------------------------------------------------------------------------


def test_states_by_iso3_with_aliases(api_for, olga, state_a, state_b):
    body = api_for(olga).get(f"{API}/states/kaz/").json()
    assert body == {
        "iso3": "KAZ",
        "iso2": "KZ",
        "name": "Kazakhstan",
        "official_name": "",
        "aliases": ["KAZ", "КАЗ"],
    }
    rows = api_for(olga).get(f"{API}/states/?q=mgl").json()["results"]
    assert [row["iso3"] for row in rows] == ["MNG"]


def test_secretariat_adds_a_state_with_aliases(api_for, sam):
    payload = {"iso3": "irn", "iso2": "ir", "name": "Iran", "aliases": ["IRAN"]}
    response = api_for(sam).post(f"{API}/states/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["aliases"] == ["IRAN"]
    assert State.objects.get(iso3="IRN").aliases.get().code == "IRAN"


def test_alias_of_another_state_is_refused(api_for, sam, state_a, state_b):
    response = api_for(sam).patch(f"{API}/states/MNG/", {"aliases": ["KAZ"]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "duplicate_code"
    # All or nothing: MGL, left out of the list, is not removed when KAZ is refused.
    assert list(State.objects.get(iso3="MNG").aliases.values_list("code", flat=True)) == ["MGL"]
    assert not ChangeRecord.objects.filter(model="statealias").exists()


def test_aliases_are_replaced_by_the_list_given(api_for, sam, state_b):
    response = api_for(sam).patch(f"{API}/states/MNG/", {"aliases": ["mng2"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["aliases"] == ["MNG2"]
    actions = ChangeRecord.objects.filter(model="statealias", state=state_b)
    assert sorted(actions.values_list("action", flat=True)) == ["create", "delete"]


def test_focal_point_and_observer_cannot_change_states(api_for, alice, olga, state_a):
    for user in (alice, olga):
        response = api_for(user).patch(f"{API}/states/KAZ/", {"name": "X"}, format="json")
        assert response.status_code == 403
        assert (
            api_for(user)
            .post(f"{API}/states/", {"iso3": "AAA", "iso2": "AA", "name": "A"})
            .status_code
            == 403
        )
    assert State.objects.get(iso3="KAZ").name == "Kazakhstan"


# --- memberships --------------------------------------------------------------------------------


def test_memberships_list_and_filter(api_for, olga, state_a, state_b):
    rows = api_for(olga).get(f"{API}/memberships/?state=MNG").json()["results"]
    assert [(row["state"], row["organisation"], row["status"]) for row in rows] == [
        ("MNG", "CICA", "member")
    ]


def test_secretariat_manages_own_memberships(api_for, sam, state_a):
    api = api_for(sam)
    response = api.post(
        f"{API}/memberships/",
        {"state": "KAZ", "organisation": "CICA", "status": "chair", "since": "2024-01-01"},
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = api.patch(f"{API}/memberships/{pk}/", {"until": "2023-01-01"})
    assert response.status_code == 400  # until before since
    assert api.delete(f"{API}/memberships/{pk}/").status_code == 204


def test_other_secretariat_and_focal_point_refused_on_memberships(api_for, sara, alice, state_a):
    membership = Membership.objects.get(state=state_a)
    for user in (sara, alice):
        api = api_for(user)
        assert (
            api.patch(f"{API}/memberships/{membership.pk}/", {"status": "observer"}).status_code
            == 403
        )
        assert api.delete(f"{API}/memberships/{membership.pk}/").status_code == 403
    membership.refresh_from_db()
    assert membership.status == "member"


# --- schema -------------------------------------------------------------------------------------


def test_schema_documents_the_directory(api_for, olga):
    response = api_for(olga).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "points-of-contact/",
        "points-of-contact/{id}/",
        "states/{iso3}/",
        "organisations/{acronym}/",
        "bodies/",
        "memberships/",
        "import",
        "export",
    ):
        assert f"/api/v1/directory/{path}" in paths
