from __future__ import annotations

import re

from django.core import mail

from cbmhub.accounts import services
from cbmhub.conftest import PASSWORD

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "a brand new passphrase 42"


def reset_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def choose_password(client, link: str, password: str):
    response = client.get(link)
    # Django swaps the token for a session marker so that it does not leak via Referer.
    assert response.status_code == 302
    return client.post(response["Location"], {"new_password1": password, "new_password2": password})


def test_reset_mails_a_link_that_sets_the_password(client, anna):
    response = client.post(RESET, {"email": "ANNA@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert "CBM Hub" in message.subject

    response = choose_password(client, reset_link(message), NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert client.get(response["Location"]).status_code == 200

    anna.refresh_from_db()
    assert anna.check_password(NEW_PASSWORD)
    assert not anna.check_password(PASSWORD)
    response = client.post("/accounts/login/", {"username": "anna", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_a_reset_link_works_once(client, anna):
    client.post(RESET, {"email": "anna@example.org"})
    link = reset_link(mail.outbox[0])
    choose_password(client, link, NEW_PASSWORD)
    response = client.get(link, follow=True)
    assert "This link is not valid" in response.content.decode()


def test_unknown_address_gets_the_same_answer_and_no_mail(client, anna):
    response = client.post(RESET, {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_weak_new_password_is_refused_with_a_reason(client, anna):
    client.post(RESET, {"email": "anna@example.org"})
    response = choose_password(client, reset_link(mail.outbox[0]), "short")
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    anna.refresh_from_db()
    assert anna.check_password(PASSWORD)


def test_account_created_without_password_sets_its_first_by_reset(client, state_a):
    user = services.user_create(
        username="newcomer", email="newcomer@example.org", role="poc", state=state_a
    )
    assert not user.has_usable_password()
    client.post(RESET, {"email": "newcomer@example.org"})
    assert len(mail.outbox) == 1
    choose_password(client, reset_link(mail.outbox[0]), NEW_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_inactive_account_gets_no_mail(client, anna):
    anna.is_active = False
    anna.save(update_fields=["is_active"])
    client.post(RESET, {"email": "anna@example.org"})
    assert mail.outbox == []


def test_password_change(client_for, anna):
    client = client_for(anna)
    assert client.get("/accounts/password/change/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.check_password(NEW_PASSWORD)
    # The session survives its own password change.
    assert client.get("/accounts/profile/").status_code == 200


def test_password_change_needs_the_old_password(client_for, anna):
    response = client_for(anna).post(
        "/accounts/password/change/",
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    anna.refresh_from_db()
    assert anna.check_password(PASSWORD)
