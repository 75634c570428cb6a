"""Channel pages and the downloadable record."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

BODY = "The body that stays with the parties."


@pytest.fixture
def sent(world, link, send, anna):
    return send(anna, link, body=BODY).message


@pytest.mark.parametrize("who", ["anna", "bert", "sam", "root"])
def test_channel_list_and_page(client_for, world, link, sent, who):
    client = client_for(world[who])
    assert link.name in client.get(reverse("hotline:channel_list")).content.decode()
    html = client.get(reverse("hotline:channel_detail", args=[link.pk])).content.decode()
    assert f'data-message="{sent.pk}"' in html and "Acknowledge within" in html


def test_channel_page_names_its_states_in_the_readers_language(client_for, anna, link):
    response = client_for(anna).get(
        reverse("hotline:channel_detail", args=[link.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert ": 哈萨克斯坦 – 蒙古 · CICA</dd>" in response.content.decode()


@pytest.mark.parametrize("who", ["carol", "olga"])
def test_channel_hidden_from_third_state_and_outsider(client_for, world, link, sent, who):
    client = client_for(world[who])
    assert link.name not in client.get(reverse("hotline:channel_list")).content.decode()
    assert client.get(reverse("hotline:channel_detail", args=[link.pk])).status_code == 404
    assert client.get(reverse("hotline:channel_record", args=[link.pk])).status_code == 404


def test_record_bundle_holds_hashes_not_content(client_for, sam, link, sent):
    response = client_for(sam).get(reverse("hotline:channel_record", args=[link.pk]))
    assert response.status_code == 200
    bundle = json.loads(response.content)
    assert bundle["entries"] and BODY not in response.content.decode()
    assert sent.content_sha256 in response.content.decode()


@pytest.mark.parametrize("url_name", ["hotline:channel_list", "hotline:compose"])
def test_pages_with_the_hotline_menu_cost_the_same_queries_however_many_channels(
    client_for, anna, cica, url_name
):
    """The menu asks whether the user may send (the Compose link), and compose lists the
    channels: the state's memberships are read once, not once per multilateral channel."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cbmhub.hotline.choices import Scope
    from cbmhub.hotline.models import Channel

    client = client_for(anna)
    counts = []
    for total in (1, 5):
        while Channel.objects.count() < total:
            n = Channel.objects.count()
            Channel.objects.create(
                name=f"CICA network {n}", scope=Scope.MULTILATERAL, level="technical",
                organisation=cica,
            )  # fmt: skip
        client.get(reverse(url_name))  # warm: what a first request caches is not measured
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(url_name))
        assert response.status_code == 200
        html = response.content.decode()
        assert f"CICA network {total - 1}" in html
        counts.append(len(captured))
    assert counts[0] == counts[1]
