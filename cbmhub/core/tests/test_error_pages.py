"""Error pages with DEBUG off: styled, say what happened and where to go, never a stack trace."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_unknown_address_gets_the_404_page(client_for, anna):
    response = client_for(anna).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-404"' in html and "/no/such/page/" in html
    assert reverse("directory:search") in html  # a way on, inside the site's frame


def test_refusal_gets_the_403_page_with_its_reason(client_for, olga):
    response = client_for(olga).get(reverse("hotline:compose"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="error-403"' in html
    assert "Only a point of contact of a participating state may send." in html
    assert "olga" in html  # who is signed in, so a wrong account is obvious


def test_403_page_in_russian(client_for, olga):
    client = client_for(olga)
    client.cookies["django_language"] = "ru"
    html = client.get(reverse("hotline:compose")).content.decode()
    assert "Доступ запрещён" in html and "Not allowed" not in html


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert 'data-testid="error-500"' in html and "Traceback" not in html


@pytest.mark.django_db
def test_post_only_address_opened_directly_explains_itself(client, sam):
    client.force_login(sam)
    response = client.get("/accounts/logout/")  # logout is POST only
    assert response.status_code == 405
    assert b'data-testid="error-405"' in response.content
    assert response["Allow"]
