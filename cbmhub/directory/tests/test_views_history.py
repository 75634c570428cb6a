"""History pages: who changed what and when, with each field's old and new value."""

from __future__ import annotations

import datetime as dt

import pytest

from cbmhub.directory import services
from cbmhub.directory.models import ChangeRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(alice, bob, poc_a, poc_b):
    """Alice renames A's CERT (with a channel change); Bob renames B's."""
    services.point_of_contact_update(
        actor=alice,
        point_of_contact=poc_a,
        office="KZ-CERT",
        channels=[{"kind": "phone", "value": "+7 7172 000000"}],
    )
    services.point_of_contact_update(actor=bob, point_of_contact=poc_b, office="MonCERT")
    # A fixed moment, to check that times are shown in the reader's zone and in UTC.
    ChangeRecord.objects.update(at=dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC))


def test_login_required(client):
    assert client.get("/directory/history/").status_code == 302


def test_global_history_shows_who_when_and_old_to_new(client_for, olga, edited):
    body = client_for(olga).get("/directory/history/").content.decode()
    assert "alice" in body and "bob" in body
    assert "National CERT A" in body and "KZ-CERT" in body
    assert "phone:+7 7172 000000" in body  # channels shown as a list, not a Python repr
    assert "[&#x27;" not in body
    assert "2024-03-01 09:30 UTC" in body


def test_times_in_the_readers_time_zone_and_utc(client_for, olga, edited):
    olga.time_zone = "Asia/Almaty"
    olga.save()
    body = client_for(olga).get("/directory/history/").content.decode()
    assert "2024-03-01 14:30" in body  # Almaty is UTC+5
    assert "2024-03-01 09:30 UTC" in body


def test_state_history_is_scoped_to_the_state(client_for, olga, edited):
    body = client_for(olga).get("/directory/states/KAZ/history/").content.decode()
    assert "KZ-CERT" in body and "MonCERT" not in body


def test_point_of_contact_history(client_for, olga, edited, poc_a):
    response = client_for(olga).get(f"/directory/points-of-contact/{poc_a.pk}/history/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1
    assert "KZ-CERT" in response.content.decode()


def test_removed_point_of_contact_keeps_its_history_and_unknown_is_404(client_for, olga, alice):
    poc_pk = alice.point_of_contact.pk
    services.record_change(
        actor=alice,
        action="delete",
        obj=alice.point_of_contact,
        changes={"office": ["Ministry", None]},
        state=alice.state,
    )
    # The record survives even when the point of contact row is gone.
    ChangeRecord.objects.filter(object_id=poc_pk).update(object_id=987654)
    client = client_for(olga)
    assert client.get("/directory/points-of-contact/987654/history/").status_code == 200
    assert client.get("/directory/points-of-contact/555555/history/").status_code == 404


def test_organisation_history(client_for, olga, sam, cica):
    services.organisation_update(actor=sam, organisation=cica, headquarters="Astana")
    body = client_for(olga).get("/directory/organisations/CICA/history/").content.decode()
    assert "headquarters" in body and "Astana" in body and "sam" in body
    assert client_for(olga).get("/directory/organisations/NOPE/history/").status_code == 404


def test_unknown_state_history_is_404(client_for, olga):
    assert client_for(olga).get("/directory/states/XYZ/history/").status_code == 404
