"""The message page keeps its own status current and shows each time once, in the reader's zone
(issue 10, items 13 and 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cbmhub.directory.models import PointOfContact
from cbmhub.hotline import services
from cbmhub.hotline.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def test_acknowledging_swaps_the_receipts_and_the_timeline(client_for, link, send, alice, bert):
    message = send(alice, link).message
    response = client_for(bert).post(
        reverse("hotline:message_acknowledge", args=[message.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="receipts"' in html
    # The timeline comes along, swapped out of band, with the new entry in it.
    timeline = html[html.index('id="timeline"') - 40 :]
    assert 'hx-swap-oob="true"' in timeline[:120]
    assert 'data-kind="acknowledged"' in timeline


def test_a_time_is_shown_once_for_a_reader_at_utc(client_for, link, send, alice, bert):
    message = send(alice, link).message
    html = client_for(bert).get(reverse("hotline:message_detail", args=[message.pk])).content
    sent = message.sent_at.strftime("%Y-%m-%d %H:%M")
    assert html.decode().count(f"{sent}") == html.decode().count(f"{sent}:") >= 1
    assert "hotline-local" not in html.decode()


def test_a_reader_without_a_zone_gets_the_zone_of_their_point_of_contact(
    client_for, link, send, alice, bert
):
    PointOfContact.objects.filter(user=bert).update(time_zone="Asia/Ulaanbaatar")
    message = send(alice, link).message
    html = client_for(bert).get(reverse("hotline:message_detail", args=[message.pk])).content
    local = timezone.localtime(message.sent_at, timezone=_zone("Asia/Ulaanbaatar"))
    assert f"{local:%Y-%m-%d %H:%M} Asia/Ulaanbaatar</span>" in html.decode()
    # The profile's own setting wins over the record's.
    bert.time_zone = "Europe/Paris"
    bert.save()
    html = client_for(bert).get(reverse("hotline:message_detail", args=[message.pk])).content
    assert "Europe/Paris</span>" in html.decode() and "Asia/Ulaanbaatar" not in html.decode()


def test_the_timeline_names_the_escalation_level_in_the_readers_language(
    client_for, link, send, alice, bob, bert
):
    message = send(alice, link).message
    assert (
        services.escalations_run(now=timezone.now() + timedelta(hours=1, minutes=1), actor=SYSTEM)
        == 1
    )
    client = client_for(bob)
    url = reverse("hotline:message_detail", args=[message.pk])
    html = client.get(url).content.decode()
    assert "escalated to: Diplomatic" in html and "to level diplomatic" not in html
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "diplomatic" not in html.split('id="timeline"', 1)[1]


def _zone(name):
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def test_the_page_polls_its_status_which_another_state_cannot_read(
    client_for, link, send, alice, bert, carol
):
    message = send(alice, link).message
    url = reverse("hotline:message_status", args=[message.pk])
    page = client_for(alice).get(reverse("hotline:message_detail", args=[message.pk]))
    assert f'hx-get="{url}" hx-trigger="every 15s"' in page.content.decode()
    services.message_acknowledge(actor=bert, message=message)
    html = client_for(alice).get(url).content.decode()
    assert 'data-kind="acknowledged"' in html and "<html" not in html
    assert client_for(carol).get(url).status_code == 404
