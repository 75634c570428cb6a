"""An organisation's secretariat sends on its multilateral channel (issue 13, circulation of notes
verbales): the organisation is the sender, every member state (or the named ones) is a
recipient with receipts, outbox and escalation; acknowledgement and reply work; the signed
record names the organisation and verifies in the database and offline; everyone else is
refused."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from cbmhub.hotline import chain, record, services, signing, worker
from cbmhub.hotline.choices import DeliveryPurpose, EventKind, MessageKind, Scope
from cbmhub.hotline.models import Channel, Delivery, Event, Message, Receipt
from cbmhub.hotline.permissions import SYSTEM

URL = "/api/v1/hotline/"


def _note(send, user, channel, **overrides):
    fields = {"kind": MessageKind.NOTE_VERBALE, "subject": "Note SWG/OI/1", "body": "Text."}
    fields.update(overrides)
    return send(user, channel, **fields)


def _sent_data(message) -> dict:
    event = Event.objects.get(message=message, kind=EventKind.SENT)
    return json.loads(event.payload)["data"]


def test_secretariat_sends_for_its_organisation_to_every_member(world, network, send, sam):
    result = _note(send, sam, network)
    message = result.message
    assert message.sender_state is None and message.sender_organisation == network.organisation
    assert message.sender == sam and message.kind == MessageKind.NOTE_VERBALE
    assert sorted(r.state.iso3 for r in result.receipts) == sorted(
        [world["anna"].state.iso3, world["bob"].state.iso3, world["carol"].state.iso3]
    )
    assert all(r.ack_due_at is not None for r in result.receipts)  # a note expects an ack
    # The outbox: an inbox row for every recipient state, like any message.
    inbox = Delivery.objects.filter(message=message, kind="inbox", purpose="message")
    assert inbox.count() == 3
    data = _sent_data(message)
    assert data["sender_state"] is None and data["sender_organisation"] == network.organisation_id
    assert len(data["recipients"]) == 3


def test_delivered_acknowledged_replied_and_the_record_verifies(world, network, send, sam, anna):
    message = _note(send, sam, network).message
    while worker.deliveries_process(now=message.sent_at + timedelta(minutes=1)):
        pass
    assert set(Receipt.objects.filter(message=message).values_list("delivered_at", flat=True)) != {
        None
    }
    assert not Receipt.objects.filter(message=message, delivered_at=None).exists()
    receipt = services.message_acknowledge(actor=anna, message=message)
    assert receipt.acknowledged_at is not None and receipt.acknowledged_by == anna
    reply = services.message_reply(actor=world["bob"], message=message, body="Noted.").message
    assert reply.sender_state == world["bob"].state and reply.in_reply_to == message
    assert not reply.receipts.exists()  # addressed to the organisation: its secretariat reads it
    replied = Receipt.objects.get(message=message, state=world["bob"].state)
    assert replied.replied_at is not None and replied.reply == reply
    assert record.record_verify(network).ok
    # Offline, on the exported bundle, without the database.
    bundle = record.channel_record_bundle(network)
    assert chain.verify_bundle(bundle, signing.public_key()).ok


def test_the_record_catches_a_changed_sender(world, network, send, sam, anna, state_a):
    message = _note(send, sam, network).message
    assert record.record_verify(network).ok
    # Turn the organisation's message into state A's: the row no longer matches the entry.
    Message.objects.filter(pk=message.pk).update(sender_organisation=None, sender_state=state_a)
    result = record.record_verify(network)
    assert not result.ok and "sender" in result.reason
    # And a state's message claimed for the organisation.
    Message.objects.filter(pk=message.pk).update(
        sender_organisation=network.organisation, sender_state=None
    )
    assert record.record_verify(network).ok
    own = send(anna, network).message
    Message.objects.filter(pk=own.pk).update(
        sender_organisation=network.organisation, sender_state=None
    )
    result = record.record_verify(network)
    assert not result.ok and "sender" in result.reason


def test_state_messages_keep_their_entries_unchanged(world, network, send, anna):
    data = _sent_data(send(anna, network).message)
    assert data["sender_state"] == anna.state.iso3 and "sender_organisation" not in data
    assert record.record_verify(network).ok


def test_named_recipients_only(world, network, send, sam, state_b, state_c):
    result = _note(send, sam, network, recipient_states=[state_b])
    assert [r.state for r in result.receipts] == [state_b]
    assert list(_sent_data(result.message)["recipients"]) == [state_b.iso3]
    assert record.record_verify(network).ok


def test_named_recipient_outside_the_channel_is_refused(world, network, send, sam, asean):
    from cbmhub.directory.models import State

    outsider = State.objects.create(name="Outside", iso2="OU", iso3="OUT")
    with pytest.raises(services.HotlineError) as caught:
        _note(send, sam, network, recipient_states=[outsider])
    assert caught.value.details[0]["field"] == "recipient_states"
    with pytest.raises(services.HotlineError):
        _note(send, sam, network, recipient_states=[])
    assert not Message.objects.exists()


def test_refused_for_everyone_else(world, network, link, send, sam, sara, olga, root, cica):
    # Another organisation's secretariat, an observer, an operator: refused.
    for user in (sara, olga, root):
        with pytest.raises(PermissionDenied):
            _note(send, user, network)
    # The secretariat on a bilateral channel (even of its organisation's framework): refused.
    with pytest.raises(PermissionDenied):
        _note(send, sam, link)
    # On another organisation's multilateral channel: refused.
    other = Channel.objects.create(
        name="ASEAN", scope=Scope.MULTILATERAL, organisation=sara.organisation
    )
    with pytest.raises(PermissionDenied):
        _note(send, sam, other)
    assert not Message.objects.exists()


def test_the_secretariat_neither_acknowledges_nor_replies(world, network, send, sam, anna):
    message = send(anna, network).message
    with pytest.raises(PermissionDenied):
        services.message_acknowledge(actor=sam, message=message)
    with pytest.raises(PermissionDenied):
        services.message_reply(actor=sam, message=message, body="No.")


def test_the_database_refuses_two_senders_or_none(world, network, send, anna, cica):
    message = send(anna, network).message
    for sender in ({"sender_organisation": cica}, {"sender_state": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Message.objects.filter(pk=message.pk).update(**sender)


def test_escalation_tells_the_secretariat(world, network, send, sam):
    sam.email = "sam@cica.example"
    sam.save()
    message = _note(send, sam, network).message
    services.escalations_run(now=message.sent_at + timedelta(days=2), actor=SYSTEM)
    notices = Delivery.objects.filter(message=message, purpose=DeliveryPurpose.SENDER_NOTICE)
    assert set(notices.values_list("address", flat=True)) == {"sam@cica.example"}
    while worker.deliveries_process(now=message.sent_at + timedelta(days=3)):
        pass
    assert record.record_verify(network).ok


def test_pages_and_api_show_the_organisation(world, network, send, sam, bob, client_for, api_for):
    message = _note(send, sam, network).message
    page = client_for(bob).get(f"/hotline/messages/{message.pk}/")
    assert page.status_code == 200 and 'data-testid="sender-organisation"' in page.text
    inbox = client_for(bob).get("/hotline/")
    assert inbox.status_code == 200 and "CICA" in inbox.text
    body = api_for(bob).get(f"{URL}messages/{message.pk}/").json()
    assert body["sender_state"] is None and body["sender_organisation"] == "CICA"
    assert body["kind"] == "note_verbale"
    secretariat = client_for(sam).get(f"/hotline/messages/{message.pk}/")
    assert secretariat.status_code == 200 and "Text." in secretariat.text


def test_others_do_not_see_it(world, network, send, sam, sara, olga, client_for, api_for):
    message = _note(send, sam, network).message
    for user in (sara, olga):  # another organisation's secretariat, an observer
        assert client_for(user).get(f"/hotline/messages/{message.pk}/").status_code == 404
        assert api_for(user).get(f"{URL}messages/{message.pk}/").status_code == 404
        assert client_for(user).get(f"/hotline/channels/{network.pk}/record.json").status_code in (
            403,
            404,
        )


def test_api_send_by_the_secretariat_with_named_states(world, network, sam, sara, api_for):
    payload = {
        "channel": network.pk,
        "kind": "note_verbale",
        "priority": "routine",
        "subject": "Note",
        "body": "Text.",
        "recipient_states": [world["bob"].state.iso3],
    }
    response = api_for(sam).post(URL + "messages/", payload, format="json")
    assert response.status_code == 201, response.content
    assert [r["state"] for r in response.json()["receipts"]] == [world["bob"].state.iso3]
    unknown = api_for(sam).post(
        URL + "messages/", {**payload, "recipient_states": ["QQQ"]}, format="json"
    )
    assert unknown.status_code == 400 and "QQQ" in unknown.text
    refused = api_for(sara).post(URL + "messages/", payload, format="json")
    assert refused.status_code in (403, 404)
    assert Message.objects.count() == 1


def test_system_sends_for_the_organisation_never_for_a_state(world, network, link, state_a, cica):
    """SYSTEM (the measures' cycle reminders, run by the worker) may send in the name of a
    multilateral channel's organisation; never on a bilateral channel, never for a state
    outside an exercise run. The users' refusals above are unchanged."""
    from cbmhub.hotline.permissions import may_send_as_organisation

    fields: dict[str, Any] = {
        "kind": MessageKind.FREE_TEXT,
        "priority": "routine",
        "subject": "S",
        "body": "B",
    }
    assert may_send_as_organisation(SYSTEM, network)
    assert not may_send_as_organisation(SYSTEM, link)
    message = services.message_send(actor=SYSTEM, channel=network, **fields).message
    assert message.sender_organisation_id == cica.pk and message.sender_state_id is None
    assert message.sender is None and not message.is_exercise
    assert _sent_data(message)["sender_organisation"] == cica.pk
    assert record.record_verify(network).ok
    with pytest.raises(PermissionDenied):
        services.message_send(actor=SYSTEM, channel=link, **fields)
    with pytest.raises(PermissionDenied):  # a state's name: only an exercise run
        services.message_send(actor=SYSTEM, channel=network, sender_state=state_a, **fields)
    assert Message.objects.count() == 1
