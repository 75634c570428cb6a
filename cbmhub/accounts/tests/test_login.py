from __future__ import annotations

import pytest
from django.urls import reverse

from cbmhub.conftest import PASSWORD

LOGIN = "/accounts/login/"


def test_login_page_has_the_fields_the_browser_fixture_fills(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    for needle in ('name="username"', 'name="password"', 'type="submit"', 'name="next"'):
        assert needle in html
    assert "<header" in html  # extends base.html


def test_login_with_correct_password_signs_in(client, anna):
    response = client.post(LOGIN, {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200


def test_login_follows_a_local_next_but_not_another_site(client, anna):
    response = client.post(
        LOGIN, {"username": "anna", "password": PASSWORD, "next": "/accounts/profile/"}
    )
    assert response["Location"] == "/accounts/profile/"
    client.logout()
    response = client.post(
        LOGIN, {"username": "anna", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


def test_wrong_password_and_unknown_username_give_the_same_answer(client, anna):
    wrong = client.post(LOGIN, {"username": "anna", "password": "not the password"})
    unknown = client.post(LOGIN, {"username": "nobody-here", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200
    assert "_auth_user_id" not in client.session
    message = "The username or password is not correct."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()


def test_inactive_user_is_told_nothing_more(client, anna):
    anna.is_active = False
    anna.save(update_fields=["is_active"])
    response = client.post(LOGIN, {"username": "anna", "password": PASSWORD})
    assert "The username or password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_login_goes_home(client_for, anna):
    response = client_for(anna).get(LOGIN)
    assert response.status_code == 302


def test_logout_is_post_only(client_for, anna):
    client = client_for(anna)
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def test_lockout_after_repeated_failures_even_with_the_right_password(client, anna, axes_on):
    for _attempt in range(2):
        response = client.post(LOGIN, {"username": "anna", "password": "wrong password!"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"username": "anna", "password": "wrong password!"})
    assert response.status_code == 429
    assert "Sign-in temporarily blocked" in response.content.decode()

    response = client.post(LOGIN, {"username": "anna", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_looks_the_same_for_an_unknown_username(client, db, axes_on):
    for _attempt in range(3):
        response = client.post(LOGIN, {"username": "ghost", "password": "wrong password!"})
    assert response.status_code == 429
    assert "Sign-in temporarily blocked" in response.content.decode()


def test_success_before_the_limit_resets_the_count(client, anna, axes_on):
    for _attempt in range(2):
        client.post(LOGIN, {"username": "anna", "password": "wrong password!"})
    assert client.post(LOGIN, {"username": "anna", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    for _attempt in range(2):
        response = client.post(LOGIN, {"username": "anna", "password": "wrong password!"})
    assert response.status_code == 200
