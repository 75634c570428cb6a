from __future__ import annotations

ME = "/api/v1/me"


def test_me_for_a_state_user(api_for, alice):
    response = api_for(alice).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice"
    assert body["role"] == "focal_point"
    assert body["state"] == {"iso3": "KAZ", "name": "Kazakhstan"}
    assert body["organisation"] is None


def test_me_for_the_secretariat(api_for, sam):
    body = api_for(sam).get(ME).json()
    assert body["role"] == "secretariat"
    assert body["state"] is None
    assert body["organisation"]["acronym"] == "CICA"


def test_another_states_token_sees_its_own_state_only(api_for, alice, bob):
    body = api_for(bob).get(ME).json()
    assert body["username"] == "bob"
    assert body["state"]["iso3"] == "MNG"


def test_me_needs_authentication(api_for, db):
    response = api_for().get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_rejects_a_bad_token(api_for, db):
    api = api_for()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(ME).status_code == 401


def test_patch_sets_the_time_zone(api_for, anna):
    response = api_for(anna).patch(ME, {"time_zone": "Asia/Almaty"}, format="json")
    assert response.status_code == 200
    assert response.json()["time_zone"] == "Asia/Almaty"
    anna.refresh_from_db()
    assert anna.time_zone == "Asia/Almaty"


def test_patch_refuses_an_unknown_time_zone_in_the_error_format(api_for, anna):
    response = api_for(anna).patch(ME, {"time_zone": "Mars/Olympus"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"][0]["field"] == "time_zone"


def test_patch_ignores_read_only_fields(api_for, anna):
    response = api_for(anna).patch(ME, {"role": "secretariat"}, format="json")
    assert response.status_code == 200
    anna.refresh_from_db()
    assert anna.role == "poc"
