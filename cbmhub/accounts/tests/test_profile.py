from __future__ import annotations

from zoneinfo import ZoneInfo

from rest_framework.authtoken.models import Token

PROFILE = "/accounts/profile/"
TOKEN = "/accounts/profile/api-token/"


def test_profile_shows_role_and_state(client_for, alice):
    response = client_for(alice).get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Focal point" in html
    assert "Kazakhstan" in html


def test_profile_shows_the_secretariats_organisation(client_for, sam):
    html = client_for(sam).get(PROFILE).content.decode()
    assert "Secretariat officer" in html
    assert "CICA" in html


def test_time_zone_is_saved(client_for, anna):
    response = client_for(anna).post(PROFILE, {"time_zone": "Asia/Almaty"})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.time_zone == "Asia/Almaty"


def test_unknown_time_zone_is_refused_with_a_reason(client_for, anna):
    response = client_for(anna).post(PROFILE, {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "is not an IANA time zone" in response.content.decode()
    anna.refresh_from_db()
    assert anna.time_zone == ""


def test_issue_shows_the_token_once(client_for, anna):
    client = client_for(anna)
    response = client.post(TOKEN, {"action": "issue"})
    assert response.status_code == 200
    token = Token.objects.get(user=anna)
    assert token.key in response.content.decode()
    assert token.key not in client.get(PROFILE).content.decode()


def test_existing_token_date_names_its_time_zone(client_for, anna):
    anna.time_zone = "Asia/Almaty"
    anna.save()
    client = client_for(anna)
    client.post(TOKEN, {"action": "issue"})
    created = Token.objects.get(user=anna).created.astimezone(ZoneInfo("Asia/Almaty"))
    expected = f"A token exists, created {created:%Y-%m-%d %H:%M} (Asia/Almaty)."
    assert expected in client.get(PROFILE).content.decode()


def test_regenerate_replaces_the_token(client_for, anna, api_for):
    old_api = api_for(anna)
    old_key = Token.objects.get(user=anna).key
    client_for(anna).post(TOKEN, {"action": "issue"})
    assert Token.objects.get(user=anna).key != old_key
    assert old_api.get("/api/v1/me").status_code == 401


def test_revoke_deletes_the_token(client_for, anna, api_for):
    api = api_for(anna)
    assert api.get("/api/v1/me").status_code == 200
    response = client_for(anna).post(TOKEN, {"action": "revoke"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=anna).exists()
    assert api.get("/api/v1/me").status_code == 401


def test_token_actions_touch_only_ones_own_token(client_for, alice, bob, api_for):
    api_for(bob)
    bobs_key = Token.objects.get(user=bob).key
    client = client_for(alice)
    client.post(TOKEN, {"action": "issue", "user": bob.pk})
    client.post(TOKEN, {"action": "revoke", "user": bob.pk})
    assert Token.objects.get(user=bob).key == bobs_key


def test_token_endpoint_is_post_only_and_knows_its_actions(client_for, anna):
    client = client_for(anna)
    assert client.get(TOKEN).status_code == 405
    assert client.post(TOKEN, {"action": "steal"}).status_code == 400
