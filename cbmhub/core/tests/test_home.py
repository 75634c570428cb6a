"""The home page shows what needs the user's action now (issue 10, item 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cbmhub.hotline import services
from cbmhub.hotline.choices import MessageKind, Priority, Tlp
from cbmhub.hotline.models import Receipt

pytestmark = pytest.mark.django_db


def _send(user, link, subject):
    return services.message_send(
        actor=user,
        channel=link,
        kind=MessageKind.REQUEST_INFORMATION,
        priority=Priority.URGENT,
        subject=subject,
        body="Please look into it.",
        tlp=Tlp.AMBER,
    ).message


def test_a_recipient_sees_what_awaits_acknowledgement_with_its_countdown(
    client_for, link, alice, bert, carol
):
    _send(alice, link, "Scanning from your address space")
    html = client_for(bert).get("/").content.decode()
    box = html.split('data-testid="home-acknowledge"', 1)[1].split("</ul>", 1)[0]
    assert "Scanning from your address space" in box and 'data-testid="countdown"' in box
    # Another state sees nothing of it; the sender owes no acknowledgement.
    assert "Scanning" not in client_for(carol).get("/").content.decode()
    assert 'data-testid="home-acknowledge"' not in client_for(alice).get("/").content.decode()


def test_overdue_replies_and_checks_waiting_for_confirmation(
    client_for, link, alice, bert, sam, cica
):
    message = _send(alice, link, "Request for information")
    services.message_acknowledge(actor=bert, message=message)
    Receipt.objects.filter(message=message).update(
        reply_due_at=timezone.now() - timedelta(minutes=5)
    )
    check = services.check_start(actor=sam, organisation=cica)
    html = client_for(bert).get("/").content.decode()
    overdue = html.split('data-testid="home-replies-overdue"', 1)[1].split("</ul>", 1)[0]
    assert "Request for information" in overdue and "your state owes the reply" in overdue
    assert f"Communication check CICA #{check.pk}" in html.split("home-pending-checks", 1)[1]
    sender = client_for(alice).get("/").content.decode()
    assert "waiting for the other side" in sender
    secretariat = client_for(sam).get("/").content.decode()
    assert 'data-testid="home-open-checks"' in secretariat


def test_nothing_waiting_says_so(client_for, olga):
    html = client_for(olga).get("/").content.decode()
    assert 'data-testid="home-nothing"' in html
