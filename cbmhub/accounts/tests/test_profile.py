from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from cbmhub.accounts import services
from cbmhub.accounts.models import ApiToken
from cbmhub.directory.models import ChangeRecord

PROFILE = "/accounts/profile/"
TOKEN = "/accounts/profile/api-token/"
ME = "/api/v1/me"


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


def issue(client, name="ci pipeline"):
    return client.post(TOKEN, {"action": "issue", "name": name})


def test_issue_shows_the_key_once_and_stores_only_its_digest(client_for, anna):
    client = client_for(anna)
    response = issue(client)
    assert response.status_code == 200
    key = response.context["new_token"][1]
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=anna)
    assert token.name == "ci pipeline"
    assert key.startswith(token.prefix)
    # Nothing stored gives the key back: only its SHA-256 digest is kept.
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert key not in stored
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    page = client.get(PROFILE).content.decode()
    assert key not in page
    assert token.prefix in page and "ci pipeline" in page


def test_token_list_names_its_time_zone(client_for, anna):
    anna.time_zone = "Asia/Almaty"
    anna.save()
    client = client_for(anna)
    issue(client)
    created = ApiToken.objects.get(user=anna).created_at.astimezone(ZoneInfo("Asia/Almaty"))
    html = client.get(PROFILE).content.decode()
    assert "Created (Asia/Almaty)" in html
    assert f"{created:%Y-%m-%d %H:%M}" in html


def test_a_user_may_hold_several_named_tokens_and_revoke_one(client_for, anna):
    client = client_for(anna)
    first = issue(client, "script").context["new_token"][1]
    second = issue(client, "misp sync").context["new_token"][1]
    assert first != second
    assert ApiToken.objects.filter(user=anna, revoked_at__isnull=True).count() == 2
    api_first, api_second = APIClient(), APIClient()
    api_first.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    api_second.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api_first.get(ME).status_code == 200

    token = ApiToken.objects.get(user=anna, name="script")
    response = client.post(TOKEN, {"action": "revoke", "token": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_reason == "user" and token.revoked_at is not None
    assert api_first.get(ME).status_code == 401
    assert api_second.get(ME).status_code == 200


def test_issue_and_revoke_are_in_the_accounts_history(client_for, anna):
    client = client_for(anna)
    issue(client, "script")
    token = ApiToken.objects.get(user=anna)
    client.post(TOKEN, {"action": "revoke", "token": token.pk})
    records = ChangeRecord.objects.filter(model="user", object_id=anna.pk).order_by("id")
    assert [record.changes["api_token"] for record in records] == [
        [None, f"script ({token.prefix}…) created"],
        [f"script ({token.prefix}…)", "revoked: user"],
    ]
    assert {record.actor for record in records} == {anna}
    assert {record.state for record in records} == {anna.state}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "This field is required."),
        ("x" * 65, "Ensure this value has at most 64 characters"),
    ],
)
def test_a_bad_token_name_is_refused_with_a_reason(client_for, anna, name, message):
    response = issue(client_for(anna), name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_second_active_token_of_the_same_name_is_refused(client_for, anna):
    client = client_for(anna)
    issue(client, "script")
    response = issue(client, "script")
    assert response.status_code == 400
    assert "You already have a token called “script”." in response.content.decode()
    assert ApiToken.objects.filter(user=anna).count() == 1


def test_an_account_holds_a_bounded_number_of_tokens(client_for, anna, settings):
    client = client_for(anna)
    for number in range(services.MAX_ACTIVE_API_TOKENS):
        assert issue(client, f"t{number}").status_code == 200
    response = issue(client, "one more")
    assert response.status_code == 400
    assert "the most an account may hold" in response.content.decode()


def test_token_actions_touch_only_ones_own_token(client_for, alice, bob, api_for):
    bobs_api = api_for(bob)
    bobs_token = ApiToken.objects.get(user=bob)
    client = client_for(alice)
    client.post(TOKEN, {"action": "revoke", "token": bobs_token.pk})
    client.post(TOKEN, {"action": "revoke", "token": "not-a-number"})
    bobs_token.refresh_from_db()
    assert bobs_token.revoked_at is None
    assert bobs_api.get(ME).status_code == 200


def test_token_endpoint_is_post_only_and_knows_its_actions(client_for, anna):
    client = client_for(anna)
    assert client.get(TOKEN).status_code == 405
    assert client.post(TOKEN, {"action": "steal"}).status_code == 400
