"""Compose reached from a state's directory page (``?to=ISO3``): the channel to that state is
preselected, a bilateral link before a multilateral network, and a clear note when none exists."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cbmhub.hotline.choices import Scope
from cbmhub.hotline.models import Channel


def _selected_channel(html: str) -> str | None:
    select = re.search(r'<select name="channel".*?</select>', html, re.S)
    assert select, "no channel field on the compose page"
    chosen = re.search(r'<option value="(\d+)" selected>', select.group(0))
    return chosen.group(1) if chosen else None


def test_bilateral_link_is_preferred(client_for, anna, bob, link, network):
    response = client_for(anna).get(reverse("hotline:compose") + "?to=MNG")
    assert response.status_code == 200
    assert _selected_channel(response.content.decode()) == str(link.pk)


def test_multilateral_network_when_no_bilateral_link(client_for, anna, carol, link, network):
    html = client_for(anna).get(reverse("hotline:compose") + "?to=THA").content.decode()
    assert _selected_channel(html) == str(network.pk)


@pytest.fixture
def second_link(state_a, state_b):
    """A second A–B channel, so that the form has no single channel to fall back on."""
    return Channel.objects.create(
        name="A–B diplomatic link",
        scope=Scope.BILATERAL,
        level="diplomatic",
        state_a=state_a,
        state_b=state_b,
    )


def test_no_channel_to_that_state_says_so(client_for, anna, carol, link, second_link):
    html = client_for(anna).get(reverse("hotline:compose") + "?to=THA").content.decode()
    assert _selected_channel(html) is None
    assert "No hotline channel links your state with THA" in html


def test_own_state_preselects_nothing(client_for, anna, link, second_link):
    html = client_for(anna).get(reverse("hotline:compose") + "?to=KAZ").content.decode()
    assert _selected_channel(html) is None


def test_observer_is_refused(client_for, olga, link):
    response = client_for(olga).get(reverse("hotline:compose") + "?to=MNG")
    assert response.status_code == 403


def test_message_links_the_sender_state(client_for, anna, bob, link, send):
    message = send(anna, link).message
    html = client_for(bob).get(reverse("hotline:message_detail", args=[message.pk])).content
    assert reverse("directory:state", args=["KAZ"]) in html.decode()
