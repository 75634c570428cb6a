"""Directory services: permission checks, validation, normalisation and the change history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cbmhub.directory import selectors, services
from cbmhub.directory.models import ChangeRecord, PointOfContact


@pytest.mark.django_db
def test_focal_point_creates_own_poc_with_normalised_fields_and_history(alice, state_a):
    poc = services.point_of_contact_create(
        actor=alice,
        state=state_a,
        level="technical",
        office="KZ-CERT",
        languages="kk, RU;en",
        pgp_fingerprint="0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567",
        time_zone="Asia/Almaty",
        channels=[{"kind": "email", "value": "cert@kz.example", "is_primary": True}],
    )
    assert poc.languages == "kk,ru,en"
    assert poc.pgp_fingerprint == "0123456789ABCDEF0123456789ABCDEF01234567"
    record = ChangeRecord.objects.get(model="pointofcontact", object_id=poc.pk)
    assert record.action == "create" and record.actor == alice and record.state == state_a
    assert record.changes["office"] == [None, "KZ-CERT"]
    assert record.changes["channels"] == [[], ["email:cert@kz.example"]]


@pytest.mark.django_db
def test_focal_point_of_other_state_is_refused(bob, state_a):
    with pytest.raises(PermissionDenied):
        services.point_of_contact_create(actor=bob, state=state_a, level="technical", office="X")
    poc = PointOfContact.objects.create(state=state_a, level="technical", office="KZ-CERT")
    with pytest.raises(PermissionDenied):
        services.point_of_contact_update(actor=bob, point_of_contact=poc, office="Hijacked")
    with pytest.raises(PermissionDenied):
        services.point_of_contact_delete(actor=bob, point_of_contact=poc)
    poc.refresh_from_db()
    assert poc.office == "KZ-CERT"


@pytest.mark.django_db
def test_secretariat_and_point_of_contact_cannot_edit_pocs(sam, anna, state_a):
    poc = PointOfContact.objects.create(state=state_a, level="technical", office="KZ-CERT")
    for actor in (sam, anna):
        with pytest.raises(PermissionDenied):
            services.point_of_contact_update(actor=actor, point_of_contact=poc, office="X")


@pytest.mark.django_db
def test_update_records_only_changed_fields(alice, state_a):
    poc = services.point_of_contact_create(
        actor=alice, state=state_a, level="technical", office="KZ-CERT"
    )
    services.point_of_contact_update(
        actor=alice, point_of_contact=poc, office="KZ-CERT", function="Duty officer"
    )
    record = ChangeRecord.objects.filter(model="pointofcontact", object_id=poc.pk).first()
    assert record is not None
    assert record.action == "update"
    assert record.changes == {"function": ["", "Duty officer"]}
    # A save that changes nothing leaves no history entry.
    before = ChangeRecord.objects.count()
    services.point_of_contact_update(actor=alice, point_of_contact=poc, function="Duty officer")
    assert ChangeRecord.objects.count() == before


@pytest.mark.django_db
def test_invalid_time_zone_and_channel_are_reported_with_field(alice, state_a):
    with pytest.raises(ValidationError) as invalid:
        services.point_of_contact_create(
            actor=alice,
            state=state_a,
            level="technical",
            office="KZ-CERT",
            time_zone="Mars/Olympus",
        )
    assert "time_zone" in invalid.value.message_dict
    with pytest.raises(services.DirectoryError) as excinfo:
        services.point_of_contact_create(
            actor=alice,
            state=state_a,
            level="technical",
            office="KZ-CERT",
            channels=[{"kind": "pigeon", "value": "x"}],
        )
    assert excinfo.value.details[0]["field"] == "channels[0].kind"


@pytest.mark.django_db
def test_delegation_codes_resolve_and_cannot_be_taken_twice(sam, state_a, state_b):
    services.state_alias_add(actor=sam, state=state_a, code=" kazakh. ")
    assert selectors.state_for_code("KAZAKH") == state_a
    assert selectors.state_for_code("kz") == state_a  # ISO alpha-2
    assert selectors.state_for_code("CHAIR") is None
    with pytest.raises(services.DirectoryError) as excinfo:
        services.state_alias_add(actor=sam, state=state_b, code="KAZAKH")
    assert excinfo.value.code == "duplicate_code"
    resolved = selectors.states_for_codes(["КАЗ", "MGL", "FACILITATOR"])
    assert resolved == {"КАЗ": state_a, "MGL": state_b, "FACILITATOR": None}


@pytest.mark.django_db
def test_secretariat_manages_only_its_organisation(sam, cica, state_a):
    from cbmhub.directory.models import Organisation

    other = Organisation.objects.create(acronym="ARF", name="ASEAN Regional Forum", kind="regional")
    body = services.body_create(
        actor=sam, organisation=cica, name="Special Working Group", kind="special_working_group"
    )
    assert ChangeRecord.objects.filter(model="body", object_id=body.pk, organisation=cica).exists()
    with pytest.raises(PermissionDenied):
        services.body_create(actor=sam, organisation=other, name="ISM", kind="working_group")
    with pytest.raises(services.DirectoryError):
        services.body_update(actor=sam, body=body, parent=body)
