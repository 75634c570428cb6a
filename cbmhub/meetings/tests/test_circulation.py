"""Circulation of an issued note through the hotline (issue 13, item 5): one hotline message of
kind note verbale from the organisation on its diplomatic-level multilateral channel, to the
addressee states (all members, or the named ones), the note's PDF in every language attached;
the note page and the API show per addressee delivered / acknowledged from the hotline's
receipts; only the organisation's secretariat circulates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cbmhub.core.errors import DomainError, Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.hotline import record, worker
from cbmhub.hotline import services as hotline
from cbmhub.hotline.choices import MessageKind, Scope
from cbmhub.hotline.models import Channel, Message
from cbmhub.meetings import services
from cbmhub.meetings.models import Note

BASE = "/api/v1/meetings"


@pytest.fixture
def diplomatic(cica, state_a, state_b, state_c):
    return Channel.objects.create(
        name="CICA diplomatic network",
        scope=Scope.MULTILATERAL,
        level="diplomatic",
        organisation=cica,
    )


@pytest.fixture
def issued(note):
    return services.note_issue(actor=SYSTEM, note=note)


def _deliver(message) -> None:
    while worker.deliveries_process(now=message.sent_at + timedelta(minutes=1)):
        pass


def test_circulate_sends_one_message_with_every_pdf(issued, diplomatic, sam, alice, bob, carol):
    note = services.note_circulate(actor=sam, note=issued)
    message = note.circulated_message
    assert message is not None
    assert Message.objects.count() == 1
    assert message.channel == diplomatic and message.kind == MessageKind.NOTE_VERBALE
    assert message.sender_organisation_id == note.organisation_id and message.sender == sam
    assert message.subject.startswith("SWG/OI/1262")
    names = [a.name for a in message.attachments.all()]
    assert names == ["SWG-OI-1262-en.pdf", "SWG-OI-1262-ru.pdf"]
    for attachment in message.attachments.all():
        assert attachment.file.read(5) == b"%PDF-"
    states = {r.state_id for r in message.receipts.all()}
    assert states == {alice.state_id, bob.state_id, carol.state_id}
    assert Note.objects.get(pk=note.pk).circulated_message_id == message.pk
    assert record.record_verify(diplomatic).ok


def test_named_addressees_only_receive(series, diplomatic, sam, state_b, bob, carol):
    note = services.note_create(
        actor=SYSTEM,
        series=series,
        subject="To B only",
        place="Astana",
        date=issued_date(),
        addressees="named",
        states=[state_b],
        versions=[services.VersionInput("en", "Text.", "original")],
    )
    note = services.note_issue(actor=SYSTEM, note=note)
    message = services.note_circulate(actor=sam, note=note).circulated_message
    assert message is not None
    assert [r.state for r in message.receipts.all()] == [state_b]


def issued_date():
    from datetime import date

    return date(2022, 10, 4)


def test_page_shows_delivered_and_acknowledged(issued, diplomatic, sam, alice, client_for, api_for):
    page = client_for(sam).get(f"/meetings/notes/{issued.pk}/")
    assert 'data-testid="circulate"' in page.text
    response = client_for(sam).post(f"/meetings/notes/{issued.pk}/circulate/")
    assert response.status_code == 302
    message = Note.objects.get(pk=issued.pk).circulated_message
    assert message is not None
    page = client_for(sam).get(f"/meetings/notes/{issued.pk}/")
    assert 'data-testid="circulate"' not in page.text  # circulated once
    assert page.text.count('data-testid="circulation-row"') == 3
    _deliver(message)
    hotline.message_acknowledge(actor=alice, message=message)
    data = api_for(sam).get(f"{BASE}/notes/{issued.pk}/circulate/").json()
    assert data["message"] == message.pk
    rows = {r["state"]: r for r in data["receipts"]}
    assert all(r["delivered_at"] for r in rows.values())
    assert rows[alice.state.iso3]["acknowledged_at"] and rows[alice.state.iso3]["status"] == (
        "acknowledged"
    )
    assert sum(1 for r in rows.values() if r["acknowledged_at"]) == 1
    # The member state's point of contact sees the note's circulation too.
    page = client_for(alice).get(f"/meetings/notes/{issued.pk}/")
    assert page.text.count('data-testid="circulation-row"') == 3
    assert 'data-testid="circulate"' not in page.text


def test_api_circulate_and_refusals(issued, diplomatic, sam, sara, alice, olga, root, api_for):
    url = f"{BASE}/notes/{issued.pk}/circulate/"
    assert api_for(alice).post(url).status_code == 403  # a state sees it, may not circulate
    assert api_for(sara).post(url).status_code == 404  # another organisation's secretariat
    assert api_for(olga).post(url).status_code in (403, 404)  # an observer
    assert api_for(root).post(url).status_code == 403  # an operator: not the organisation
    assert not Message.objects.exists()
    done = api_for(sam).post(url)
    assert done.status_code == 200 and len(done.json()["receipts"]) == 3
    again = api_for(sam).post(url)
    assert again.status_code == 400 and again.json()["error"]["code"] == "already_circulated"
    assert Message.objects.count() == 1
    assert api_for(sam).get(f"{BASE}/notes/{issued.pk}/").json()["circulated_message"]


def test_page_refusals(issued, diplomatic, sara, alice, root, client_for):
    url = f"/meetings/notes/{issued.pk}/circulate/"
    assert client_for(alice).post(url).status_code == 403
    assert client_for(sara).post(url).status_code == 404
    assert client_for(root).post(url).status_code == 403
    assert not Message.objects.exists()


def test_clear_errors(note, sam, cica):
    with pytest.raises(DomainError, match="Issue the note"):
        services.note_circulate(actor=sam, note=note)
    note = services.note_issue(actor=SYSTEM, note=note)
    with pytest.raises(DomainError, match="no active diplomatic-level") as caught:
        services.note_circulate(actor=sam, note=note)
    assert caught.value.code == "no_channel"
    # A technical channel does not do.
    Channel.objects.create(
        name="CICA technical", scope=Scope.MULTILATERAL, level="technical", organisation=cica
    )
    with pytest.raises(DomainError, match="no active diplomatic-level"):
        services.note_circulate(actor=sam, note=note)
    with pytest.raises(Forbidden):
        services.note_circulate(actor=SYSTEM, note=note)
    assert not Message.objects.exists()


def test_named_state_outside_the_channel_is_a_clear_error(series, diplomatic, sam):
    from cbmhub.directory.models import State

    outsider = State.objects.create(name="Outside", iso2="OU", iso3="OUT")
    note = services.note_create(
        actor=SYSTEM,
        series=series,
        subject="To a non-member",
        place="Astana",
        date=issued_date(),
        addressees="named",
        states=[outsider],
        versions=[services.VersionInput("en", "Text.", "original")],
    )
    note = services.note_issue(actor=SYSTEM, note=note)
    with pytest.raises(DomainError) as caught:
        services.note_circulate(actor=sam, note=note)
    assert caught.value.details[0]["field"] == "recipient_states"
    assert not Message.objects.exists()
    assert Note.objects.get(pk=note.pk).circulated_message_id is None
