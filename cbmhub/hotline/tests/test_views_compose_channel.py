"""Compose reached from a channel's page (``?channel=<id>``): that channel is preselected when
the user may send on it, and the parameter is ignored silently otherwise. The channel page links
there only for users who may send on the channel."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cbmhub.hotline.choices import Scope
from cbmhub.hotline.models import Channel

COMPOSE = reverse("hotline:compose")


def _channel_options(html: str) -> tuple[list[str], str | None]:
    """The channel ids the form offers, and the one selected (None: none)."""
    select = re.search(r'<select name="channel".*?</select>', html, re.S)
    assert select, "no channel field on the compose page"
    chosen = re.search(r'<option value="(\d+)" selected>', select.group(0))
    return re.findall(r'<option value="(\d+)"', select.group(0)), (
        chosen.group(1) if chosen else None
    )


@pytest.fixture
def b_c_link(state_b, state_c):
    """A bilateral channel between B and C: state A takes no part in it."""
    return Channel.objects.create(
        name="B–C CERT link", scope=Scope.BILATERAL, state_a=state_b, state_b=state_c
    )


@pytest.fixture
def closed_link(state_a, state_c):
    """An A–C channel that is no longer active: nobody sends on it."""
    return Channel.objects.create(
        name="A–C old link",
        scope=Scope.BILATERAL,
        state_a=state_a,
        state_b=state_c,
        is_active=False,
    )


@pytest.mark.parametrize("which", ["link", "network"])
def test_the_channel_is_preselected(client_for, anna, bob, carol, link, network, which):
    channel = {"link": link, "network": network}[which]
    response = client_for(anna).get(f"{COMPOSE}?channel={channel.pk}")
    assert response.status_code == 200
    offered, selected = _channel_options(response.content.decode())
    assert sorted(offered) == sorted([str(link.pk), str(network.pk)])
    assert selected == str(channel.pk)


@pytest.mark.parametrize("which", ["b_c_link", "closed_link", "missing", "not_a_number"])
def test_a_channel_the_user_may_not_send_on_is_ignored(
    client_for, anna, bob, carol, link, network, b_c_link, closed_link, which
):
    value = {
        "b_c_link": b_c_link.pk,
        "closed_link": closed_link.pk,
        "missing": 999999,
        "not_a_number": "²",
    }[which]
    response = client_for(anna).get(f"{COMPOSE}?channel={value}")
    assert response.status_code == 200
    html = response.content.decode()
    offered, selected = _channel_options(html)
    assert selected is None and sorted(offered) == sorted([str(link.pk), str(network.pk)])
    assert "B–C CERT link" not in html and 'class="messages"' not in html


def test_ignored_channel_keeps_the_only_channel_preselected(client_for, anna, bob, link, b_c_link):
    """With a single channel to send on, that channel stays chosen whatever the link said."""
    html = client_for(anna).get(f"{COMPOSE}?channel={b_c_link.pk}").content.decode()
    assert _channel_options(html) == ([str(link.pk)], str(link.pk))


def test_ignored_channel_leaves_the_state_to_choose_the_channel(
    client_for, anna, bob, carol, link, network, b_c_link
):
    html = client_for(anna).get(f"{COMPOSE}?channel={b_c_link.pk}&to=THA").content.decode()
    assert _channel_options(html)[1] == str(network.pk)


def test_observer_is_refused(client_for, olga, link):
    assert client_for(olga).get(f"{COMPOSE}?channel={link.pk}").status_code == 403


# --- the channel page's button ------------------------------------------------------------------


def _button(html: str) -> str | None:
    found = re.search(r'<a [^>]*href="([^"]*)"[^>]*data-testid="compose-on-channel"', html)
    return found.group(1) if found else None


@pytest.mark.parametrize("who", ["anna", "bob"])
def test_channel_page_offers_the_parties_to_send_on_it(client_for, anna, bob, link, who):
    user = {"anna": anna, "bob": bob}[who]
    client = client_for(user)
    html = client.get(reverse("hotline:channel_detail", args=[link.pk])).content.decode()
    href = _button(html)
    assert href == f"{COMPOSE}?channel={link.pk}"
    # Following it opens the compose page with this channel chosen.
    assert _channel_options(client.get(href).content.decode())[1] == str(link.pk)


@pytest.mark.parametrize("who", ["sam", "root"])
def test_channel_page_has_no_button_for_those_who_only_watch(client_for, sam, root, link, who):
    user = {"sam": sam, "root": root}[who]
    response = client_for(user).get(reverse("hotline:channel_detail", args=[link.pk]))
    assert response.status_code == 200 and _button(response.content.decode()) is None


def test_channel_page_has_no_button_on_an_inactive_channel(client_for, anna, closed_link):
    response = client_for(anna).get(reverse("hotline:channel_detail", args=[closed_link.pk]))
    assert response.status_code == 200 and _button(response.content.decode()) is None
