"""Early warning: hotline signals without exercise traffic, thresholds, alerts, who sees what."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cbmhub.core.roles import SYSTEM
from cbmhub.hotline.models import CommunicationCheck, Message, Receipt
from cbmhub.hotline.services import check_start, message_send
from cbmhub.measures import services, warning
from cbmhub.measures.models import Alert

NOW = timezone.now()


def send(alice, link, *, exercise: bool = False, escalated: bool = False):
    message = message_send(
        actor=alice,
        channel=link,
        kind="request_information",
        priority="routine",
        subject="Scan",
        body="Who scans us?",
    ).message
    if exercise:
        Message.objects.filter(pk=message.pk).update(is_exercise=True)
    past = NOW - datetime.timedelta(days=1)
    Receipt.objects.filter(message=message).update(
        ack_due_at=past, reply_due_at=past, escalation_count=1 if escalated else 0
    )
    return message


@pytest.fixture
def traffic(alice, bob, link):
    send(alice, link)
    send(alice, link, escalated=True)
    for _ in range(5):
        send(alice, link, exercise=True, escalated=True)


def test_exercise_messages_are_never_counted(traffic, cica, state_b):
    figures = warning.hotline_figures(cica.pk, NOW)
    assert figures["unacknowledged"] == {state_b.pk: 2}
    assert figures["unanswered"] == {state_b.pk: 2}
    assert figures["escalations"] == {state_b.pk: 1}
    assert sum(w["late"] for w in warning.timeline(cica.pk, NOW)) == 2


def test_exercise_checks_are_never_counted(alice, bob, sam, cica):
    real = check_start(actor=sam, organisation=cica)
    drill = check_start(actor=sam, organisation=cica)
    CommunicationCheck.objects.filter(pk=drill.pk).update(is_exercise=True)
    rates = warning.check_rates(cica.pk, NOW - datetime.timedelta(days=1))
    assert [r.check_id for r in rates] == [real.pk]
    assert rates[0].rate == 0 and rates[0].asked >= 2


def test_thresholds_raise_alerts_once(traffic, sam, cica):
    services.threshold_set(actor=sam, organisation=cica, signal="unacknowledged", value=2)
    services.threshold_set(actor=sam, organisation=cica, signal="escalations", value=5)
    assert set(warning.dashboard(sam, cica, now=NOW).breaches) == {"unacknowledged", "unanswered"}
    warning.raise_alerts(cica, now=NOW)
    warning.raise_alerts(cica, now=NOW)
    assert sorted(Alert.objects.values_list("signal", "figure")) == [
        ("unacknowledged", 2),
        ("unanswered", 2),
    ]


def test_a_state_sees_aggregates_and_its_own(traffic, alice, bob, sam, cica, state_b):
    for_bob = warning.dashboard(bob, cica, now=NOW)
    assert for_bob.by_state == [] and for_bob.own is not None
    assert for_bob.own["unacknowledged"] == 2
    for_alice = warning.dashboard(alice, cica, now=NOW)
    assert for_alice.own is not None and for_alice.own["unacknowledged"] == 0
    assert for_alice.totals["unacknowledged"] == 2
    for_sam = warning.dashboard(sam, cica, now=NOW)
    assert [(s.iso3, v["unacknowledged"]) for s, v in for_sam.by_state] == [("MNG", 2)]


def test_the_page(client_for, traffic, alice, sam, olga, sara, cica):
    html = client_for(sam).get(reverse("measures:warning")).content.decode()
    assert 'data-testid="by-state"' in html and 'data-state="MNG"' in html
    assert 'data-testid="timeline"' in html and 'data-testid="threshold-form"' in html
    html = client_for(alice).get(reverse("measures:warning")).content.decode()
    assert 'data-testid="by-state"' not in html and 'data-testid="own"' in html
    assert 'data-testid="threshold-form"' not in html
    assert client_for(olga).get(reverse("measures:warning")).status_code == 403
    assert (
        client_for(sara).get(reverse("measures:warning"), {"organisation": "CICA"}).status_code
        == 403
    )


def test_thresholds_through_the_page(client_for, sam, alice, cica):
    url = reverse("measures:warning")
    denied = client_for(alice).post(
        url, {"organisation": "CICA", "signal": "escalations", "value": 3}
    )
    assert denied.status_code == 403
    done = client_for(sam).post(url, {"organisation": "CICA", "signal": "escalations", "value": 3})
    assert done.status_code == 302


def test_overdue_submissions_are_a_signal(cycle, alice, state_a, cica):
    figures = warning.overdue_by_state(cica.pk, datetime.date(2026, 5, 1))
    assert figures == {state_a.pk: 3}


@pytest.fixture
def cert_network(state_a, state_b, cica, sam):
    from cbmhub.exchange import services as exchange

    return exchange.arrangement_create(
        actor=sam,
        name="CICA CERT network",
        kind="network",
        organisation=cica,
        states=[state_a, state_b],
        collection_title="CICA incidents",
        default_tlp="green",
    )


def share_incident(actor, collection, *, severity="high", level="green"):
    from cbmhub.exchange import services as exchange

    return exchange.incident_report_file(
        actor=actor,
        collection=collection,
        title="Wiper at the grid operator",
        description="",
        severity=severity,
        sectors=[],
        indicators_text="198.51.100.7",
        level=level,
    )


def test_a_shared_incident_raises_the_incident_signal(cert_network, anna, bert, sam, cica):
    collection = cert_network.collections.get()
    share_incident(anna, collection)
    share_incident(anna, collection, severity="critical")
    share_incident(bert, collection, severity="low")  # not severe: not counted
    share_incident(bert, collection, level="red")  # RED: not every participant reads it
    figures = warning._figures(cica, timezone.now())
    assert figures["incident_severity"] == {anna.state_id: 2}
    board = warning.dashboard(sam, cica)
    assert board.totals["incident_severity"] == 2 and "incident_severity" in board.breaches


def test_an_exercise_incident_never_raises_the_signal(cert_network, anna, state_a, sam, cica):
    from cbmhub.exchange import services as exchange

    drill = exchange.exercise_collection_open(
        actor=SYSTEM,
        arrangement=cert_network,
        title="EXERCISE — drill",
        states=[state_a],
        default_tlp="green",
    )
    share_incident(anna, drill, severity="critical")
    share_incident(SYSTEM, drill, severity="critical")
    board = warning.dashboard(sam, cica)
    assert board.totals["incident_severity"] == 0 and "incident_severity" not in board.breaches


def test_incident_figures_by_named_state_only_for_the_secretariat(
    cert_network, anna, alice, bob, carol, sam, cica
):
    share_incident(anna, cert_network.collections.get())
    for_bob = warning.dashboard(bob, cica)
    assert for_bob.by_state == [] and for_bob.own is not None
    assert for_bob.own["incident_severity"] == 0 and for_bob.totals["incident_severity"] == 1
    for_alice = warning.dashboard(alice, cica)
    assert for_alice.by_state == [] and for_alice.own is not None
    assert for_alice.own["incident_severity"] == 1
    for_carol = warning.dashboard(carol, cica)
    assert for_carol.by_state == [] and for_carol.own is not None
    assert for_carol.own["incident_severity"] == 0
    for_sam = warning.dashboard(sam, cica)
    named = {state.iso3: figures["incident_severity"] for state, figures in for_sam.by_state}
    assert named == {"KAZ": 1}


def test_incident_figures_on_the_page_by_state_only_for_the_secretariat(
    client_for, cert_network, anna, alice, sam, olga, sara
):
    share_incident(anna, cert_network.collections.get())
    url = reverse("measures:warning")
    html = client_for(sam).get(url).content.decode()
    assert 'data-testid="by-state"' in html and 'data-state="KAZ"' in html
    html = client_for(alice).get(url).content.decode()
    assert 'data-testid="by-state"' not in html and 'data-state="KAZ"' not in html
    assert client_for(olga).get(url).status_code == 403
    assert client_for(sara).get(url, {"organisation": "CICA"}).status_code == 403


def test_alert_update_page(client_for, sam, alice, cica):
    alert, _ = services.alert_raise(actor=SYSTEM, organisation=cica, signal="escalations", figure=2)
    url = reverse("measures:alert_update", args=[alert.pk])
    assert client_for(alice).post(url, {"status": "closed"}).status_code == 404
    client_for(sam).post(url, {"status": "in_progress", "next_step": "Call", "take": "on"})
    alert.refresh_from_db()
    assert (alert.status, alert.owner, alert.next_step) == ("in_progress", sam, "Call")


def test_a_falling_check_response_rate_is_shown(alice, bob, sam, cica, client_for):
    from cbmhub.hotline.models import CheckTarget
    from cbmhub.hotline.services import check_start

    first = check_start(actor=sam, organisation=cica)
    CheckTarget.objects.filter(communication_check=first).update(answered_at=first.started_at)
    second = check_start(actor=sam, organisation=cica)
    board = warning.dashboard(sam, cica, now=NOW + datetime.timedelta(days=1))
    assert [c.rate for c in board.checks] == [100, 0] and board.check_falling
    assert "check_response" in board.breaches
    assert second.pk == board.checks[-1].check_id
    html = client_for(sam).get(reverse("measures:warning")).content.decode()
    assert 'data-testid="falling"' in html
