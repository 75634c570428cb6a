"""Escalation to a level where the state has nobody (issue 10.2).

The personas' Mongolia (state B) has a technical (bert) and a diplomatic (bob) point of contact
and no high-level one: the issue's case. An escalation says whom it reached and where the state
has nobody, falls back to the highest level that has someone, alerts the secretariat once, and
is not repeated when it reaches nobody at all.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.core import mail

from cbmhub.directory.models import PointOfContact
from cbmhub.hotline import services, worker
from cbmhub.hotline.choices import DeliveryPurpose, EventKind
from cbmhub.hotline.models import Delivery, Event
from cbmhub.hotline.permissions import SYSTEM


def _escalate(message, minutes: int) -> int:
    return services.escalations_run(now=message.sent_at + timedelta(minutes=minutes), actor=SYSTEM)


def _deliver(message) -> None:
    """Send the outbox as of after the escalations (their rows are due at escalation time)."""
    while worker.deliveries_process(now=message.sent_at + timedelta(hours=4)):
        pass


def _escalations(message) -> list[dict]:
    events = Event.objects.filter(message=message, kind=EventKind.ESCALATED).order_by("seq")
    return [json.loads(e.payload)["data"] for e in events]


def _mails(purpose: str) -> list:
    ids = {
        f"<hotline-delivery-{pk}@"
        for pk in Delivery.objects.filter(purpose=purpose).values_list("pk", flat=True)
    }
    return [m for m in mail.outbox if any(m.extra_headers["Message-ID"].startswith(i) for i in ids)]


def test_missing_high_level_falls_back_says_so_and_alerts_the_secretariat_once(
    world, link, send, anna, bob
):
    message = send(anna, link, priority="flash").message  # ack 15 min, escalated every 15 min
    assert [_escalate(message, m) for m in (16, 32, 48, 64)] == [1, 1, 1, 0]
    receipt = message.receipts.get()
    # technical → diplomatic; then no high level: the highest level with someone, diplomatic.
    steps = [
        (e["from_level"], e["to_level"], e["notified"], e["unreachable"])
        for e in _escalations(message)
    ]
    bob_poc = PointOfContact.objects.get(user=bob).pk
    assert steps == [
        ("technical", "diplomatic", [bob_poc], []),
        ("diplomatic", "diplomatic", [bob_poc], ["high_level"]),
        ("diplomatic", "diplomatic", [bob_poc], ["high_level"]),
    ]
    assert receipt.escalation_level == "diplomatic" and receipt.escalation_count == 3
    assert receipt.escalation_reached == 1 and receipt.unreachable_levels == ["high_level"]
    # The secretariat (sam) is told once that MNG has nobody at the high level, metadata only.
    alerts = Delivery.objects.filter(purpose=DeliveryPurpose.UNREACHABLE)
    assert list(alerts.values_list("address", flat=True)) == [world["sam"].email]
    _deliver(message)
    [alert] = _mails(DeliveryPurpose.UNREACHABLE)
    assert "Mongolia cannot be reached at “High-level”" in alert.subject
    assert "escalated to the level “Diplomatic / policy” instead" in alert.body
    assert message.subject not in alert.subject + alert.body
    assert message.body not in alert.body
    # The sender is told plainly whom it reached and where nobody is.
    last_notice = _mails(DeliveryPurpose.SENDER_NOTICE)[-1]
    assert "escalated to 1 point of contact of that state at the level “Diplomatic / policy”" in (
        last_notice.body
    )
    assert "Mongolia has no point of contact at “High-level”" in last_notice.body
    assert "“High-level”" not in last_notice.body.split("\n")[0]  # not claimed as reached


def test_a_state_with_nobody_at_any_level_is_not_escalated_again(world, link, send, anna, state_b):
    PointOfContact.objects.filter(state=state_b).update(is_active=False)
    message = send(anna, link, priority="flash").message
    assert _escalate(message, 16) == 1
    receipt = message.receipts.get()
    # Recorded and reported, but not counted as an escalation and not repeated.
    assert receipt.escalation_count == 0 and receipt.escalation_level == "technical"
    assert receipt.escalation_reached == 0 and receipt.escalation_reached_nobody
    assert receipt.unreachable_levels == ["technical", "diplomatic", "high_level"]
    assert receipt.next_escalation_at is None
    assert _escalate(message, 200) == 0
    [data] = _escalations(message)
    assert data["notified"] == [] and data["to_level"] == "technical"
    _deliver(message)
    [notice] = _mails(DeliveryPurpose.SENDER_NOTICE)
    assert "could not be escalated" in notice.subject
    assert "no further escalation will be attempted" in notice.body
    [alert] = _mails(DeliveryPurpose.UNREACHABLE)
    assert "Nobody could be reached, and escalation has stopped." in alert.body


def test_receipt_shows_whom_the_escalation_reached_and_where_nobody_is(
    client_for, world, link, send, anna, bob, bert
):
    message = send(anna, link, priority="flash").message
    _escalate(message, 16)
    _escalate(message, 32)
    for user in (anna, bert, world["sam"]):  # sender, recipient, secretariat (metadata)
        page = client_for(user).get(f"/hotline/messages/{message.pk}/").content.decode()
        assert "The last escalation reached 1 point of contact at Diplomatic / policy." in page
        assert "MNG has no point of contact at: High-level." in page
        assert "escalated to High-level" not in page and "escalated to Diplomatic / policy" in page


def test_inbox_badge_says_when_escalation_reached_nobody(client_for, link, send, anna, state_b):
    PointOfContact.objects.filter(state=state_b).update(is_active=False)
    message = send(anna, link, priority="flash").message
    _escalate(message, 16)
    page = client_for(anna).get("/hotline/").content.decode()
    assert "MNG: delivered · escalation reached nobody" in page or (
        "MNG: pending · escalation reached nobody" in page
    )
    assert "escalated to" not in page


def test_alert_goes_to_operators_when_the_channel_has_no_organisation(link, send, anna, bob, root):
    link.organisation = None
    link.save()
    message = send(anna, link, priority="flash").message
    _escalate(message, 16)
    _escalate(message, 32)
    alerts = Delivery.objects.filter(purpose=DeliveryPurpose.UNREACHABLE)
    assert list(alerts.values_list("address", flat=True)) == [root.email]


def test_a_level_above_that_exists_is_still_reached(world, link, send, anna, state_b):
    from cbmhub.conftest import make_poc

    make_poc(state_b, "high_level", "B office of the president", email="top.mng@example.org")
    PointOfContact.objects.filter(state=state_b, level="diplomatic").update(is_active=False)
    message = send(anna, link, priority="flash").message
    _escalate(message, 16)
    [data] = _escalations(message)
    # Diplomatic is skipped (nobody there), high level reached; the gap is said and alerted.
    assert (data["to_level"], data["unreachable"]) == ("high_level", ["diplomatic"])
    assert Delivery.objects.filter(purpose=DeliveryPurpose.UNREACHABLE).count() == 1


def test_api_receipt_says_whom_the_escalation_reached(api_for, world, link, send, anna):
    message = send(anna, link, priority="flash").message
    _escalate(message, 16)
    _escalate(message, 32)
    [receipt] = api_for(anna).get(f"/api/v1/hotline/messages/{message.pk}/").json()["receipts"]
    assert receipt["escalation_level"] == "diplomatic" and receipt["escalation_count"] == 2
    assert receipt["escalation_reached"] == 1
    assert receipt["escalation_unreachable"] == ["high_level"]
