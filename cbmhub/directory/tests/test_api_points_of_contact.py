"""The points-of-contact endpoints: who may read and who may change what, filters, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbmhub.conftest import make_poc
from cbmhub.directory.models import ChangeRecord, ContactChannel, PointOfContact, State

pytestmark = pytest.mark.django_db

LIST = "/api/v1/directory/points-of-contact/"


def detail(poc: PointOfContact) -> str:
    return f"{LIST}{poc.pk}/"


def new_poc(state: str = "KAZ", **extra) -> dict:
    return {
        "state": state,
        "level": "technical",
        "office": "National CERT",
        "languages": "en, RU",
        "time_zone": "Asia/Almaty",
        "channels": [
            {"kind": "email", "value": "duty@cert.example.org", "is_primary": True},
            {"kind": "phone", "value": "+7 700 000 0000"},
        ],
        **extra,
    }


def poc_of(user) -> PointOfContact:
    return PointOfContact.objects.get(user=user)


# --- reading --------------------------------------------------------------------------------


def test_unauthenticated_is_401(api_for, alice):
    response = api_for().get(LIST)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_observer_reads_the_list_with_nested_channels(api_for, olga, alice, bob):
    response = api_for(olga).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first["state"] == "KAZ"
    assert first["channels"] == [
        {"kind": "email", "value": "diplomatic.kaz@example.org", "is_primary": True, "note": ""}
    ]


def test_focal_point_reads_another_states_point_of_contact(api_for, alice, bob):
    # Reading the directory needs only a login; only changes are scoped.
    response = api_for(alice).get(detail(poc_of(bob)))
    assert response.status_code == 200
    assert response.json()["state"] == "MNG"


def test_unknown_id_is_404_in_the_error_format(api_for, alice):
    response = api_for(alice).get(f"{LIST}999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=MNG", {"MonCIRT", "Ministry of Foreign Affairs"}),
        ("state=mgl", {"MonCIRT", "Ministry of Foreign Affairs"}),  # a delegation code
        ("level=technical", {"KZ-CERT", "MonCIRT"}),
        ("q=cirt", {"MonCIRT"}),
        ("language=kk", {"KZ-CERT"}),
        ("organisation=CICA", {"KZ-CERT", "MonCIRT", "Ministry of Foreign Affairs"}),
    ],
)
def test_list_filters(api_for, alice, anna, bob, bert, query, expected):
    PointOfContact.objects.filter(user=anna).update(languages="en,kk")
    response = api_for(anna).get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert {row["office"] for row in response.json()["results"]} == expected


def test_inactive_only_on_request(api_for, alice, anna):
    PointOfContact.objects.filter(user=anna).update(is_active=False)
    assert api_for(alice).get(LIST).json()["count"] == 1
    assert api_for(alice).get(f"{LIST}?include_inactive=true").json()["count"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [("state=NOWHERE", "state"), ("organisation=NOPE", "organisation"), ("level=top", "level")],
)
def test_unknown_filter_value_is_a_clear_400(api_for, alice, query, field):
    response = api_for(alice).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == field


def _grow(count: int, start: int) -> None:
    for index in range(start, start + count):
        letters = f"{chr(65 + index // 26 % 26)}{chr(65 + index % 26)}"
        state = State.objects.create(name=f"State {index}", iso2=letters, iso3=f"Q{letters}")
        for level in ("technical", "diplomatic", "high_level"):
            make_poc(state, level, f"Office {index} {level}")


def test_list_runs_a_constant_number_of_queries(api_for, alice, cica):
    api = api_for(alice)
    _grow(2, 0)
    with CaptureQueriesContext(connection) as few:
        assert api.get(LIST).json()["count"] == 7
    _grow(30, 2)
    with CaptureQueriesContext(connection) as many:
        assert api.get(LIST).json()["count"] == 97
    assert len(many) == len(few), [q["sql"] for q in many]
    with CaptureQueriesContext(connection) as filtered:
        api.get(f"{LIST}?q=office&organisation=CICA&level=technical&language=en")
    assert len(filtered) <= len(few) + 1  # + the organisation looked up by its acronym


# --- creating ---------------------------------------------------------------------------------


def test_focal_point_creates_for_own_state_with_channels_and_history(api_for, alice):
    response = api_for(alice).post(LIST, new_poc(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["languages"] == "en,ru"
    assert [c["kind"] for c in body["channels"]] == ["email", "phone"]
    poc = PointOfContact.objects.get(pk=body["id"])
    assert poc.state.iso3 == "KAZ"
    record = ChangeRecord.objects.get(model="pointofcontact", object_id=poc.pk)
    assert record.actor == alice and record.action == "create"


def test_focal_point_of_a_is_refused_creating_for_b(api_for, alice, state_b):
    response = api_for(alice).post(LIST, new_poc("MNG"), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not PointOfContact.objects.filter(state=state_b).exists()


@pytest.mark.parametrize("persona", ["olga", "anna", "sam"])
def test_observer_poc_and_secretariat_cannot_create(api_for, request, alice, persona):
    user = request.getfixturevalue(persona)
    response = api_for(user).post(LIST, new_poc(), format="json")
    assert response.status_code == 403
    assert PointOfContact.objects.filter(office="National CERT").count() == 0


def test_unauthenticated_cannot_create(api_for, state_a):
    assert api_for().post(LIST, new_poc(), format="json").status_code == 401


def test_invalid_input_is_reported_by_field(api_for, alice):
    payload = new_poc(level="top", time_zone="Mars/Olympus")
    payload["channels"].append({"kind": "pigeon", "value": "x"})
    response = api_for(alice).post(LIST, payload, format="json")
    assert response.status_code == 400
    fields = {item["field"] for item in response.json()["error"]["details"]}
    assert {"level", "channels.2.kind"} <= fields


def test_model_validation_errors_come_back_by_field(api_for, alice):
    response = api_for(alice).post(LIST, new_poc(time_zone="Mars/Olympus"), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "time_zone"
    assert not PointOfContact.objects.filter(office="National CERT").exists()


# --- changing and removing --------------------------------------------------------------------


def test_focal_point_updates_own_state_and_replaces_channels(api_for, alice, anna):
    poc = poc_of(anna)
    response = api_for(alice).patch(
        detail(poc),
        {"office": "KZ-CERT (24/7)", "channels": [{"kind": "secure_line", "value": "7001"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    poc.refresh_from_db()
    assert poc.office == "KZ-CERT (24/7)"
    assert list(poc.channels.values_list("kind", flat=True)) == ["secure_line"]
    changes = ChangeRecord.objects.filter(model="pointofcontact", object_id=poc.pk).first()
    assert changes is not None
    assert changes.changes["office"] == ["KZ-CERT", "KZ-CERT (24/7)"]
    assert "channels" in changes.changes


def test_focal_point_of_a_is_refused_updating_b(api_for, alice, bob):
    poc = poc_of(bob)
    response = api_for(alice).patch(detail(poc), {"office": "Hijacked"}, format="json")
    assert response.status_code == 403
    poc.refresh_from_db()
    assert poc.office == "Ministry of Foreign Affairs"
    # Refused before validation: an invalid payload gets the same answer.
    assert api_for(alice).put(detail(poc), {}, format="json").status_code == 403


def test_focal_point_of_a_is_refused_deleting_b(api_for, alice, bob):
    poc = poc_of(bob)
    assert api_for(alice).delete(detail(poc)).status_code == 403
    assert PointOfContact.objects.filter(pk=poc.pk).exists()


def test_observer_cannot_update_or_delete(api_for, olga, alice):
    poc = poc_of(alice)
    assert api_for(olga).patch(detail(poc), {"office": "x"}, format="json").status_code == 403
    assert api_for(olga).delete(detail(poc)).status_code == 403
    assert api_for().delete(detail(poc)).status_code == 401
    assert PointOfContact.objects.filter(pk=poc.pk, office="Ministry of Foreign Affairs").exists()


def test_a_point_of_contact_cannot_move_to_another_state(api_for, alice, anna, state_b):
    poc = poc_of(anna)
    response = api_for(alice).patch(detail(poc), {"state": "MNG"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "state"
    poc.refresh_from_db()
    assert poc.state.iso3 == "KAZ"


def test_focal_point_deletes_own_with_history(api_for, alice, anna):
    poc = poc_of(anna)
    assert api_for(alice).delete(detail(poc)).status_code == 204
    assert not PointOfContact.objects.filter(pk=poc.pk).exists()
    assert not ContactChannel.objects.filter(point_of_contact_id=poc.pk).exists()
    assert ChangeRecord.objects.filter(
        model="pointofcontact", object_id=poc.pk, action="delete", actor=alice
    ).exists()


def test_operator_may_change_any_state(api_for, root, bob):
    poc = poc_of(bob)
    response = api_for(root).patch(detail(poc), {"available_24_7": True}, format="json")
    assert response.status_code == 200
    assert response.json()["available_24_7"] is True
