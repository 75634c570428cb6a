"""The directory search page and its htmx results partial."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cbmhub.conftest import make_poc
from cbmhub.directory.models import PointOfContact

URL = "/directory/"

pytestmark = pytest.mark.django_db


def test_search_url_is_the_directory_root():
    assert reverse("directory:search") == URL


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_observer_reads_the_whole_directory(client_for, olga, alice, bob):
    response = client_for(olga).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kazakhstan" in body and "Mongolia" in body
    assert 'hx-trigger="input changed delay:250ms, search"' in body
    assert 'data-testid="poc-edit"' not in body


def test_search_by_state_name_and_delegation_code(client_for, olga, alice, bob):
    client = client_for(olga)
    body = client.get(URL, {"q": "Mongol"}).content.decode()
    assert "Mongolia" in body and "Kazakhstan" not in body
    # КАЗ is a delegation code of Kazakhstan (alias), not part of its name.
    body = client.get(URL, {"q": "каз"}).content.decode()
    assert "Kazakhstan" in body and "Mongolia" not in body


def test_htmx_request_gets_only_the_results_partial(client_for, olga, alice, bob):
    response = client_for(olga).get(URL, {"q": "Mongolia"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'data-testid="poc-row"' in body
    assert "Mongolia" in body and "Kazakhstan" not in body
    assert "HX-Request" in response["Vary"]


def test_full_page_fallback_without_javascript(client_for, olga, alice):
    body = client_for(olga).get(URL, {"q": "Kazakhstan"}).content.decode()
    assert "<html" in body and 'id="results"' in body and "Kazakhstan" in body


@pytest.mark.parametrize(
    ("params", "expected", "absent"),
    [
        ({"level": "technical"}, "National CERT", "Ministry of Foreign Affairs"),
        ({"level": "diplomatic"}, "Ministry of Foreign Affairs", "National CERT"),
        ({"language": "kk"}, "National CERT", "Ministry of Foreign Affairs"),
        ({"organisation": "ASEAN"}, "National CERT", "Ministry of Foreign Affairs"),
    ],
)
def test_filters(client_for, olga, alice, state_a, asean, params, expected, absent):
    poc = make_poc(state_a, "technical", "National CERT", organisation=asean)
    poc.languages = "kk,ru"
    poc.save()
    body = client_for(olga).get(URL, params).content.decode()
    assert expected in body
    assert absent not in body


def test_unknown_organisation_filter_says_what_is_wrong(client_for, olga, alice):
    response = client_for(olga).get(URL, {"organisation": "NOPE"})
    assert response.status_code == 200
    assert "Organisation:" in response.content.decode()
    assert 'data-testid="poc-row"' not in response.content.decode()


def test_results_show_channels_languages_time_zone_and_verification(client_for, olga, alice):
    body = client_for(olga).get(URL).content.decode()
    assert "diplomatic.kaz@example.org" in body
    assert "en, ru" in body
    assert "UTC" in body
    assert "never" in body  # not verified yet


def test_edit_link_only_on_own_states_points_of_contact(client_for, alice, bob):
    body = client_for(alice).get(URL).content.decode()
    own = alice.point_of_contact
    other = bob.point_of_contact
    assert reverse("directory:poc_edit", args=[own.pk]) in body
    assert reverse("directory:poc_edit", args=[other.pk]) not in body


def test_pagination_keeps_the_filters(client_for, olga, state_a):
    for index in range(55):
        make_poc(state_a, "technical", f"Office {index:02d}")
    body = client_for(olga).get(URL, {"level": "technical"}).content.decode()
    assert "level=technical&amp;page=2" in body
    body = client_for(olga).get(URL, {"level": "technical", "page": "2"}).content.decode()
    assert body.count('data-testid="poc-row"') == 5


def test_directory_menu_marks_the_page_you_are_on(client_for, olga, alice):
    client = client_for(olga)
    html = client.get(reverse("directory:states")).content.decode()
    menu = html[html.index('<nav class="subnav"') :]
    menu = menu[: menu.index("</nav>")]
    assert f'<a href="{reverse("directory:states")}" aria-current="page">' in menu
    assert menu.count("aria-current") == 1


def test_search_by_the_state_name_in_the_readers_language(client_for, olga, alice, bob):
    """A Russian reader types the Russian name and finds the state."""
    client = client_for(olga)
    body = client.get(URL, {"q": "Монгол"}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Монголия" in body and "Казахстан" not in body


@pytest.mark.parametrize("page_language", ["en", "fr", "zh-hans"])
def test_search_by_a_state_name_in_another_language_than_the_page(
    client_for, olga, alice, bob, page_language
):
    """ "Казах" finds Kazakhstan in the English interface too (it found nothing)."""
    body = (
        client_for(olga)
        .get(URL, {"q": "Казах"}, HTTP_ACCEPT_LANGUAGE=page_language)
        .content.decode()
    )
    assert (
        body.count('data-testid="poc-row"')
        == PointOfContact.objects.filter(state__iso3="KAZ").count()
    )
    assert 'data-testid="search-hint"' not in body


def test_no_result_gives_a_hint(client_for, olga, alice):
    body = client_for(olga).get(URL, {"q": "Atlantis"}).content.decode()
    assert 'data-testid="poc-row"' not in body
    hint = body[body.index('data-testid="search-hint"') :]
    assert "Atlantis" in hint[: hint.index("</p>")]
    assert "delegation code" in hint[: hint.index("</p>")]


def test_an_e_mail_address_wraps_only_before_its_domain(client_for, olga, alice):
    body = client_for(olga).get(URL, {"q": "Kazakhstan"}).content.decode()
    address = PointOfContact.objects.get(user=alice).primary_email
    local, domain = address.split("@")
    assert f'{local}<wbr>@<span class="nowrap">{domain}</span>' in body
    assert f"{domain.split('.')[0]}<wbr>." not in body
