"""From another state's entry in the directory, a state user goes straight to composing a hotline
message to that state; their own state and non-state users get no such link."""

from __future__ import annotations

from django.urls import reverse

COMPOSE_TO = 'data-testid="hotline-compose"'


def test_state_page_links_to_compose_for_another_state(client_for, anna, state_b):
    html = client_for(anna).get(reverse("directory:state", args=["MNG"])).content.decode()
    assert COMPOSE_TO in html
    assert reverse("hotline:compose") + "?to=MNG" in html


def test_no_link_on_own_state_page(client_for, anna):
    html = client_for(anna).get(reverse("directory:state", args=["KAZ"])).content.decode()
    assert COMPOSE_TO not in html


def test_no_link_for_secretariat_or_observer(client_for, sam, olga, state_b):
    for user in (sam, olga):
        html = client_for(user).get(reverse("directory:state", args=["MNG"])).content.decode()
        assert COMPOSE_TO not in html


def test_point_of_contact_page_links_to_compose(client_for, anna, bert):
    poc = bert.point_of_contact
    html = client_for(anna).get(reverse("directory:poc", args=[poc.pk])).content.decode()
    assert reverse("hotline:compose") + "?to=MNG" in html
