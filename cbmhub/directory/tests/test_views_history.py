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
    assert "Phone: +7 7172 000000" in body  # channels shown as a list, not a Python repr
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
    assert "Headquarters" in body and "Astana" in body and "sam" in body
    assert client_for(olga).get("/directory/organisations/NOPE/history/").status_code == 404


def test_unknown_state_history_is_404(client_for, olga):
    assert client_for(olga).get("/directory/states/XYZ/history/").status_code == 404


# --- issue 10, item 13: no internal names, one channel's change, the reader's language --------


def test_history_names_models_fields_and_values_not_internal_keys(client_for, olga, alice, poc_a):
    services.point_of_contact_update(
        actor=alice,
        point_of_contact=poc_a,
        level="high_level",
        person_name="Aigerim S.",
        last_verified=dt.date(2026, 8, 26),
    )
    body = client_for(olga).get(f"/directory/points-of-contact/{poc_a.pk}/history/")
    html = body.content.decode()
    assert "Changed · Point of contact" in html and "pointofcontact" not in html
    assert "Name of the person" in html and "Last verified" in html
    assert "person_name" not in html and "last_verified" not in html
    assert "High-level" in html
    assert "high_level" not in html.split("<tbody>", 1)[1]


def test_changing_one_channel_marks_only_that_one(client_for, olga, alice, poc_a):
    kept = [{"kind": c.kind, "value": c.value} for c in poc_a.channels.all()]
    services.point_of_contact_update(
        actor=alice,
        point_of_contact=poc_a,
        channels=[*kept, {"kind": "phone", "value": "+7 7172 000000"}],
    )
    html = client_for(olga).get(f"/directory/points-of-contact/{poc_a.pk}/history/").content
    rows = html.decode().split('data-testid="change-row"')[1:]
    channels = next(r for r in rows if "Contact channels" in r)
    assert channels.count('class="diff-ins"') == 1 and 'class="diff-del"' not in channels
    assert '<span class="diff-ins">Phone: +7 7172 000000</span>' in channels


def test_an_entry_reads_in_the_readers_language_not_the_editors(client_for, olga, alice, poc_a):
    from django.utils import translation

    with translation.override("ru"):  # the editor works in Russian
        services.point_of_contact_update(actor=alice, point_of_contact=poc_a, office="KZ-CERT")
    html = client_for(olga).get("/directory/history/").content.decode()  # the reader in English
    entry = html.split("<tbody>", 1)[1]
    assert "Technical" in entry and "Технический" not in entry


def test_a_removed_point_of_contact_keeps_a_name_in_the_sites_language(alice, poc_a):
    from django.utils import translation

    with translation.override("ru"):
        services.point_of_contact_update(actor=alice, point_of_contact=poc_a, office="KZ-CERT")
    record = ChangeRecord.objects.filter(model="pointofcontact", object_id=poc_a.pk).latest("id")
    assert record.object_repr == "KAZ Technical (CERT/CSIRT): KZ-CERT"
