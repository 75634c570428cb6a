"""A send that finds the database held by another writer (a long directory import on SQLite's
single writer) is answered 503 with Retry-After — a page in words, the API's JSON error — and
never 500; nothing was sent, and the same request succeeds later (core/db.py)."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.urls import reverse

from cbmhub.hotline import services
from cbmhub.hotline.models import Message

from .test_api_messages import URL, _payload
from .test_views_compose import _form


@pytest.fixture
def locked(monkeypatch):
    real = services.message_send
    calls = []

    def busy_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(services, "message_send", busy_once)
    return calls


def test_the_compose_page_answers_busy_and_the_retry_sends(client_for, anna, bert, link, locked):
    client = client_for(anna)
    response = client.post(reverse("hotline:compose"), _form(link))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert 'data-testid="error-503"' in body
    assert "The database is busy with another change; nothing was changed. Try again." in body
    assert Message.objects.count() == 0
    assert client.post(reverse("hotline:compose"), _form(link)).status_code == 302
    assert Message.objects.count() == 1


def test_the_api_answers_busy_in_its_error_format(api_for, anna, bert, link, locked):
    api = api_for(anna)
    response = api.post(URL + "messages/", _payload(link), format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "busy"
    retry = api.post(URL + "messages/", _payload(link), format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert retry.status_code == 201 and Message.objects.count() == 1


def test_another_database_error_is_not_called_busy():
    from cbmhub.core.db import is_database_busy

    assert is_database_busy(OperationalError("database is locked"))
    assert not is_database_busy(OperationalError("no such table: hotline_message"))
    assert not is_database_busy(ValueError("database is locked"))
