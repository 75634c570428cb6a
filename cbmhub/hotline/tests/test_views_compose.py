"""Compose from a template: who may send where, the outbox, and no duplicate on resubmission."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from cbmhub.hotline import worker
from cbmhub.hotline.choices import DeliveryKind, Scope
from cbmhub.hotline.models import Channel, Delivery, Message


def _form(channel, **overrides):
    data = {
        "channel": channel.pk,
        "kind": "request_assistance",
        "priority": "urgent",
        "tlp": "GREEN",
        "subject": "DDoS on the national portal",
        "body": "Situation: ...",
        "language": "en",
        "instrument": "",
        "reply_deadline": "",
        "idempotency_key": "compose-1",
    }
    data.update(overrides)
    return data


def test_compose_form_starts_from_a_template(client_for, anna, link):
    html = client_for(anna).get(reverse("hotline:compose") + "?kind=incident_notification").content
    html = html.decode()
    assert "What happened:" in html and "Indicators:" in html
    assert link.name in html and 'name="idempotency_key"' in html


def test_template_partial_swaps_the_body(client_for, anna, link):
    url = reverse("hotline:compose_template") + "?kind=request_assistance"
    html = client_for(anna).get(url).content.decode()
    assert html.startswith("<textarea") and "Assistance requested:" in html
    bad = client_for(anna).get(reverse("hotline:compose_template") + "?kind=nope")
    assert bad.status_code == 404


def test_send_from_the_form_queues_inbox_email_and_event(
    client_for, anna, bert, link, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(anna).post(reverse("hotline:compose"), _form(link))
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:message_detail", args=[message.pk])
    assert message.sender == anna and message.priority == "urgent" and message.tlp == "GREEN"
    assert announced == ["sent"], "the SENT event is announced after commit"
    kinds = set(Delivery.objects.filter(message=message).values_list("kind", flat=True))
    assert kinds == {DeliveryKind.INBOX, DeliveryKind.EMAIL}
    worker.deliveries_process()
    assert [m.to for m in mail.outbox] == [["technical.mng@example.org"]]
    assert f"/hotline/messages/{message.pk}/" in mail.outbox[0].body


def test_resubmitted_form_sends_once(client_for, anna, bert, link):
    client = client_for(anna)
    first = client.post(reverse("hotline:compose"), _form(link))
    second = client.post(reverse("hotline:compose"), _form(link))
    assert Message.objects.count() == 1 and first["Location"] == second["Location"]


def test_bad_input_is_named(client_for, anna, bert, link):
    response = client_for(anna).post(
        reverse("hotline:compose"), _form(link, subject="", priority="asap")
    )
    html = response.content.decode()
    assert response.status_code == 400 and not Message.objects.exists()
    assert "This field is required." in html and "Select a valid choice. asap" in html


def test_cannot_send_on_a_channel_of_other_states(
    client_for, anna, bob, carol, link, state_b, state_c
):
    other = Channel.objects.create(
        name="B–C link", scope=Scope.BILATERAL, state_a=state_b, state_b=state_c
    )
    response = client_for(anna).post(reverse("hotline:compose"), _form(other))
    assert response.status_code == 400 and not Message.objects.exists()
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("who", ["sam", "olga"])
def test_compose_refused_to_non_state_users(client_for, world, link, who):
    client = client_for(world[who])
    assert client.get(reverse("hotline:compose")).status_code == 403
    assert client.post(reverse("hotline:compose"), _form(link)).status_code == 403
    assert not Message.objects.exists()


def test_third_state_has_no_channel_to_send_on(client_for, carol, link):
    assert client_for(carol).get(reverse("hotline:compose")).status_code == 403
