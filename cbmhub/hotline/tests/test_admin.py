"""The hotline's admin (admin.py): the operator sees metadata, never content, and cannot move a
channel to other parties. From the security review of the hotline (each failed before its fix)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


# --- the admin must not answer questions about a message's content --------------------------


@pytest.mark.parametrize(
    "lookup",
    [
        "body__startswith=Please",
        "body__contains=look",
        "subject__icontains=scanning",
        "subject=Scanning from your address space",
        "idempotency_key=k1",
    ],
)
def test_admin_message_list_refuses_filters_on_content(client_for, root, alice, link, send, lookup):
    # The operator never sees a bilateral body; a filter on it would be an oracle that gives it
    # away one character at a time (count of rows for body__startswith=A, B, ...).
    send(alice, link, idempotency_key="k1")
    response = client_for(root).get(f"/admin/hotline/message/?{lookup}")
    assert response.status_code == 400


def test_admin_message_list_still_filters_on_metadata(client_for, root, alice, link, send):
    send(alice, link)
    response = client_for(root).get("/admin/hotline/message/?priority__exact=urgent")
    assert response.status_code == 200
    assert b"Scanning" not in response.content and b"look into" not in response.content


# --- the admin must not move a channel (and its history) to another state ---------------------


def test_admin_cannot_change_the_parties_of_an_existing_channel(
    client_for, root, alice, carol, link, send, state_b, state_c
):
    # Changing state_b to C would hand the whole A–B history to C; the service refuses it
    # (channel_update), and the admin, another write path, must refuse it too.
    send(alice, link)
    url = reverse("admin:hotline_channel_change", args=[link.pk])
    page = client_for(root).get(url)
    assert page.status_code == 200
    data = {
        "name": link.name,
        "scope": link.scope,
        "level": link.level,
        "organisation": link.organisation_id,
        "state_a": link.state_a_id,
        "state_b": state_c.pk,
        "arrangement": "",
        "is_active": "on",
        "ack_routine": "1 00:00:00",
        "reply_routine": "7 00:00:00",
        "ack_urgent": "01:00:00",
        "reply_urgent": "1 00:00:00",
        "ack_flash": "00:15:00",
        "reply_flash": "04:00:00",
        "escalate_every": "",
        "escalation_max_level": link.escalation_max_level,
        "escalation_max_count": link.escalation_max_count,
    }
    client_for(root).post(url, data)
    link.refresh_from_db()
    assert link.state_b_id == state_b.pk
    # And C still cannot read the A–B traffic.
    message = link.messages.get()
    assert (
        client_for(carol).get(reverse("hotline:message_detail", args=[message.pk])).status_code
        == 404
    )
