"""Organisation pages: members by status, bodies as a tree, organisation-scoped points of
contact; editing of the organisation, its bodies and memberships by its own secretariat."""

from __future__ import annotations

import pytest

from cbmhub.conftest import make_poc
from cbmhub.directory.models import Body, ChangeRecord, Membership, Organisation

pytestmark = pytest.mark.django_db

CICA = "/directory/organisations/CICA/"


def test_organisation_page(client_for, olga, state_a, state_b, swg, asean):
    make_poc(state_a, "technical", "CICA desk of KZ-CERT", organisation=swg.organisation)
    make_poc(state_a, "technical", "ASEAN desk", organisation=asean)
    Membership.objects.create(state=state_b, organisation=swg.organisation, status="chair")
    response = client_for(olga).get(CICA)
    assert response.status_code == 200
    groups = {
        g["label"]: [m.state.name for m in g["memberships"]] for g in response.context["by_status"]
    }
    assert groups == {"Member": ["Kazakhstan", "Mongolia"], "Chair": ["Mongolia"]}
    assert [(body.acronym, depth) for body, depth in response.context["bodies"]] == [
        ("SOC", 0),
        ("SWG", 1),
    ]
    body = response.content.decode()
    assert "CICA desk of KZ-CERT" in body and "ASEAN desk" not in body
    assert 'data-testid="organisation-edit"' not in body


def test_acronym_lookup_ignores_case_and_unknown_is_404(client_for, olga, cica):
    assert client_for(olga).get("/directory/organisations/cica/").status_code == 200
    assert client_for(olga).get("/directory/organisations/NOPE/").status_code == 404


def test_organisation_list(client_for, olga, cica, asean):
    body = client_for(olga).get("/directory/organisations/").content.decode()
    assert "CICA" in body and "ASEAN" in body


def test_own_secretariat_sees_edit_links(client_for, sam, cica):
    assert 'data-testid="organisation-edit"' in client_for(sam).get(CICA).content.decode()


# --- organisation edit --------------------------------------------------------------------


def org_data(**overrides):
    data = {
        "acronym": "CICA",
        "name": "CICA",
        "kind": "regional",
        "description": "",
        "website": "",
        "headquarters": "Astana",
    }
    return {**data, **overrides}


def test_secretariat_edits_own_organisation(client_for, sam, cica):
    response = client_for(sam).post(f"{CICA}edit/", org_data())
    assert response.status_code == 302
    cica.refresh_from_db()
    assert cica.headquarters == "Astana"
    record = ChangeRecord.objects.get(model="organisation", object_id=cica.pk)
    assert record.actor == sam and record.changes["headquarters"] == ["", "Astana"]
    assert record.organisation == cica


@pytest.mark.parametrize("persona", ["sara", "alice", "olga"])
def test_others_may_not_edit_the_organisation(request, client_for, cica, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"{CICA}edit/").status_code == 403
    assert client.post(f"{CICA}edit/", org_data(headquarters="Elsewhere")).status_code == 403
    cica.refresh_from_db()
    assert cica.headquarters == ""


def test_bad_website_says_which_field(client_for, sam, cica):
    response = client_for(sam).post(f"{CICA}edit/", org_data(website="not a url"))
    assert response.status_code == 200 and response.context["form"].errors["website"]


# --- bodies -----------------------------------------------------------------------------------


def test_secretariat_adds_edits_and_removes_a_body(client_for, sam, swg):
    client = client_for(sam)
    soc = swg.parent
    data = {
        "name": "Expert group on ICT",
        "acronym": "EG-ICT",
        "kind": "expert_group",
        "parent": swg.pk,
        "description": "",
    }
    assert client.post(f"{CICA}bodies/add/", data).status_code == 302
    group = Body.objects.get(acronym="EG-ICT")
    assert group.parent == swg and group.organisation == soc.organisation

    data.update(parent=soc.pk, name="Expert group on ICT security")
    assert client.post(f"{CICA}bodies/{group.pk}/edit/", data).status_code == 302
    group.refresh_from_db()
    assert group.parent == soc

    assert client.get(f"{CICA}bodies/{group.pk}/delete/").status_code == 200
    assert client.post(f"{CICA}bodies/{group.pk}/delete/").status_code == 302
    assert not Body.objects.filter(pk=group.pk).exists()
    actions = list(
        ChangeRecord.objects.filter(model="body", object_id=group.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_a_body_cannot_report_to_its_own_sub_body(client_for, sam, swg):
    soc = swg.parent
    data = {
        "name": soc.name,
        "acronym": "SOC",
        "kind": "senior_officials",
        "parent": swg.pk,
        "description": "",
    }
    response = client_for(sam).post(f"{CICA}bodies/{soc.pk}/edit/", data)
    assert response.status_code == 200
    assert "cannot report to itself" in response.content.decode()
    soc.refresh_from_db()
    assert soc.parent is None


def test_body_of_another_organisation_is_404_under_this_one(client_for, sara, swg, asean):
    # Sara manages ASEAN; CICA's body is not reachable through ASEAN's URLs.
    url = f"/directory/organisations/ASEAN/bodies/{swg.pk}/edit/"
    assert client_for(sara).get(url).status_code == 404


@pytest.mark.parametrize("persona", ["sara", "alice", "olga"])
def test_others_may_not_change_bodies(request, client_for, swg, persona):
    client = client_for(request.getfixturevalue(persona))
    data = {"name": "Renamed", "acronym": "X", "kind": "other", "parent": "", "description": ""}
    assert client.get(f"{CICA}bodies/add/").status_code == 403
    assert client.post(f"{CICA}bodies/add/", data).status_code == 403
    assert client.post(f"{CICA}bodies/{swg.pk}/edit/", data).status_code == 403
    assert client.post(f"{CICA}bodies/{swg.pk}/delete/").status_code == 403
    swg.refresh_from_db()
    assert swg.name == "Special Working Group"
    assert Body.objects.count() == 2


# --- memberships -----------------------------------------------------------------------------


def test_secretariat_manages_memberships(client_for, sam, state_a, state_c):
    client = client_for(sam)
    data = {"state": state_c.pk, "status": "observer", "since": "2020-01-01", "until": ""}
    # state_c is already a member; add an observer status and then end it.
    assert client.post(f"{CICA}memberships/add/", data).status_code == 302
    membership = Membership.objects.get(state=state_c, status="observer")
    data.update(until="2021-06-30")
    assert client.post(f"{CICA}memberships/{membership.pk}/edit/", data).status_code == 302
    membership.refresh_from_db()
    assert str(membership.until) == "2021-06-30"
    assert client.post(f"{CICA}memberships/{membership.pk}/delete/").status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    records = ChangeRecord.objects.filter(model="membership", object_id=membership.pk)
    assert {r.action for r in records} == {"create", "update", "delete"}
    assert all(r.state == state_c for r in records)


def test_duplicate_membership_is_explained(client_for, sam, state_a):
    data = {"state": state_a.pk, "status": "member", "since": "", "until": ""}
    response = client_for(sam).post(f"{CICA}memberships/add/", data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_until_before_since_is_refused(client_for, sam, state_a):
    data = {"state": state_a.pk, "status": "chair", "since": "2022-01-01", "until": "2021-01-01"}
    response = client_for(sam).post(f"{CICA}memberships/add/", data)
    assert response.status_code == 200
    assert not Membership.objects.filter(status="chair").exists()


@pytest.mark.parametrize("persona", ["sara", "alice", "olga"])
def test_others_may_not_change_memberships(request, client_for, state_a, persona):
    membership = Membership.objects.get(state=state_a)
    client = client_for(request.getfixturevalue(persona))
    data = {"state": state_a.pk, "status": "observer", "since": "", "until": ""}
    assert client.get(f"{CICA}memberships/add/").status_code == 403
    assert client.post(f"{CICA}memberships/add/", data).status_code == 403
    assert client.post(f"{CICA}memberships/{membership.pk}/edit/", data).status_code == 403
    assert client.post(f"{CICA}memberships/{membership.pk}/delete/").status_code == 403
    membership.refresh_from_db()
    assert membership.status == "member"
    assert Membership.objects.count() == 1


def test_superuser_manages_any_organisation(client_for, root, asean):
    response = client_for(root).post(
        "/directory/organisations/ASEAN/edit/",
        org_data(acronym="ASEAN", name="Association of Southeast Asian Nations"),
    )
    assert response.status_code == 302
    assert Organisation.objects.get(pk=asean.pk).name.startswith("Association")


def test_members_and_membership_form_name_states_in_the_readers_language(
    client_for, sam, state_a, state_b
):
    client = client_for(sam)
    page = client.get(CICA, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert ">Казахстан</a>" in page and ">Монголия</a>" in page
    form = client.get(f"{CICA}memberships/add/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert f'<option value="{state_a.pk}">Казахстан</option>' in form
