"""State pages: points of contact by level, memberships, delegation codes; editing of states and
codes by secretariat officers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cbmhub.directory.models import ChangeRecord, State, StateAlias

pytestmark = pytest.mark.django_db


def test_state_page_groups_points_of_contact_by_level(client_for, olga, alice, anna, state_a):
    response = client_for(olga).get("/directory/states/KAZ/")
    assert response.status_code == 200
    levels = [group["value"] for group in response.context["levels"]]
    assert levels == ["technical", "diplomatic", "high_level"]
    by_level = {g["value"]: [p.office for p in g["pocs"]] for g in response.context["levels"]}
    assert by_level == {
        "technical": ["KZ-CERT"],
        "diplomatic": ["Ministry of Foreign Affairs"],
        "high_level": [],
    }
    body = response.content.decode()
    assert "КАЗ" in body and "CICA" in body  # delegation code, membership
    assert 'data-testid="poc-edit"' not in body and 'data-testid="poc-add"' not in body


def test_state_page_lowercase_code_works(client_for, olga, state_a):
    assert client_for(olga).get("/directory/states/kaz/").status_code == 200


def test_unknown_state_is_404(client_for, olga):
    assert client_for(olga).get("/directory/states/XYZ/").status_code == 404


def test_focal_point_sees_edit_and_add_on_own_state_only(client_for, alice, bob, state_b):
    client = client_for(alice)
    own = client.get("/directory/states/KAZ/").content.decode()
    assert 'data-testid="poc-add"' in own
    assert reverse("directory:poc_edit", args=[alice.point_of_contact.pk]) in own
    other = client.get("/directory/states/MNG/").content.decode()
    assert 'data-testid="poc-add"' not in other and 'data-testid="poc-edit"' not in other


def test_inactive_points_of_contact_only_shown_to_those_who_manage_them(
    client_for, alice, bob, poc_a
):
    poc_a.is_active = False
    poc_a.save()
    assert "National CERT A" in client_for(alice).get("/directory/states/KAZ/").content.decode()
    assert "National CERT A" not in client_for(bob).get("/directory/states/KAZ/").content.decode()


def test_state_list_and_search(client_for, olga, state_a, state_b):
    body = client_for(olga).get("/directory/states/", {"q": "MGL"}).content.decode()
    assert "Mongolia" in body and "Kazakhstan" not in body


# --- states and codes: secretariat officers ---------------------------------------------------


def test_secretariat_edits_state_and_history_records_it(client_for, sam, state_a):
    client = client_for(sam)
    assert client.get("/directory/states/KAZ/edit/").status_code == 200
    response = client.post(
        "/directory/states/KAZ/edit/",
        {
            "name": "Kazakhstan",
            "official_name": "Republic of Kazakhstan",
            "iso2": "kz",
            "iso3": "kaz",
        },
    )
    assert response.status_code == 302
    state_a.refresh_from_db()
    assert state_a.official_name == "Republic of Kazakhstan" and state_a.iso3 == "KAZ"
    record = ChangeRecord.objects.get(model="state", object_id=state_a.pk)
    assert record.actor == sam and record.changes == {
        "official_name": ["", "Republic of Kazakhstan"]
    }


def test_secretariat_adds_a_state(client_for, sam):
    response = client_for(sam).post(
        "/directory/states/add/",
        {"name": "Qatar", "official_name": "", "iso2": "QA", "iso3": "QAT"},
    )
    assert response.status_code == 302 and response["Location"] == "/directory/states/QAT/"
    assert State.objects.filter(iso3="QAT").exists()


def test_duplicate_iso_code_is_reported_on_the_field(client_for, sam, state_a, state_b):
    response = client_for(sam).post(
        "/directory/states/MNG/edit/",
        {"name": "Mongolia", "official_name": "", "iso2": "MN", "iso3": "KAZ"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["iso3"]


@pytest.mark.parametrize("persona", ["alice", "bob", "olga"])
def test_state_users_and_observers_may_not_edit_states(request, client_for, state_a, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/directory/states/KAZ/edit/").status_code == 403
    data = {"name": "Renamed", "official_name": "", "iso2": "KZ", "iso3": "KAZ"}
    assert client.post("/directory/states/KAZ/edit/", data).status_code == 403
    assert client.get("/directory/states/add/").status_code == 403
    assert client.post("/directory/states/KAZ/aliases/add/", {"code": "QQ"}).status_code == 403
    alias = StateAlias.objects.get(code="КАЗ")
    assert client.post(f"/directory/states/KAZ/aliases/{alias.pk}/remove/").status_code == 403
    state_a.refresh_from_db()
    assert state_a.name == "Kazakhstan"
    assert StateAlias.objects.filter(code="КАЗ").exists()
    assert not StateAlias.objects.filter(code="QQ").exists()


def test_secretariat_adds_and_removes_delegation_codes(client_for, sam, state_a):
    client = client_for(sam)
    response = client.post("/directory/states/KAZ/aliases/add/", {"code": " rk. ", "note": "SWG"})
    assert response.status_code == 302
    alias = StateAlias.objects.get(code="RK")
    assert alias.state == state_a
    response = client.post(f"/directory/states/KAZ/aliases/{alias.pk}/remove/")
    assert response.status_code == 302
    assert not StateAlias.objects.filter(code="RK").exists()
    actions = list(
        ChangeRecord.objects.filter(model="statealias", state=state_a).values_list(
            "action", flat=True
        )
    )
    assert actions == ["delete", "create"]


def test_code_already_used_by_another_state_is_explained(client_for, sam, state_a, state_b):
    response = client_for(sam).post("/directory/states/MNG/aliases/add/", {"code": "КАЗ"})
    assert response.status_code == 400
    assert "already names Kazakhstan" in response.content.decode()


def test_alias_of_another_state_is_404(client_for, sam, state_a, state_b):
    alias = StateAlias.objects.get(code="КАЗ")
    assert (
        client_for(sam).post(f"/directory/states/MNG/aliases/{alias.pk}/remove/").status_code == 404
    )


def test_state_page_shows_the_name_in_the_readers_language(client_for, olga, state_a):
    body = client_for(olga).get("/directory/states/KAZ/", HTTP_ACCEPT_LANGUAGE="ru")
    html = body.content.decode()
    assert "<h1>Казахстан " in html and "<title>Казахстан" in html
    english = client_for(olga).get("/directory/states/KAZ/").content.decode()
    assert "<h1>Kazakhstan " in english and "Казахстан" not in english


def test_state_list_shows_names_in_the_readers_language(client_for, olga, state_a, state_b):
    html = client_for(olga).get("/directory/states/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Mongolie</a>" in html and ">Kazakhstan</a>" in html
