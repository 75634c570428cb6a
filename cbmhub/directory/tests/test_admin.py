"""Django admin for the directory: operators and secretariat officers; history is read-only and
every admin change leaves a ChangeRecord."""

from __future__ import annotations

import pytest

from cbmhub.directory.models import Body, ChangeRecord

pytestmark = pytest.mark.django_db

MODELS = [
    "organisation",
    "body",
    "state",
    "statealias",
    "membership",
    "pointofcontact",
    "changerecord",
]


@pytest.mark.parametrize("model", MODELS)
def test_operator_opens_every_changelist(client_for, root, alice, swg, model):
    assert client_for(root).get(f"/admin/directory/{model}/").status_code == 200


def test_change_history_cannot_be_added_changed_or_deleted(client_for, root, alice, poc_a):
    from cbmhub.directory import services

    services.point_of_contact_update(actor=alice, point_of_contact=poc_a, office="Changed")
    record = ChangeRecord.objects.get()
    client = client_for(root)
    assert client.get("/admin/directory/changerecord/add/").status_code == 403
    assert (
        client.post(
            f"/admin/directory/changerecord/{record.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    page = client.get(f"/admin/directory/changerecord/{record.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert ChangeRecord.objects.filter(pk=record.pk).exists()


@pytest.fixture
def staff_sam(sam):
    sam.is_staff = True
    sam.save()
    return sam


def test_secretariat_changes_own_bodies_in_admin_with_history(client_for, staff_sam, swg):
    client = client_for(staff_sam)
    data = {
        "organisation": swg.organisation_id,
        "parent": swg.parent_id,
        "name": "SWG on ICT",
        "acronym": "SWG",
        "kind": "special_working_group",
        "description": "",
    }
    response = client.post(f"/admin/directory/body/{swg.pk}/change/", data)
    assert response.status_code == 302
    swg.refresh_from_db()
    assert swg.name == "SWG on ICT"
    record = ChangeRecord.objects.get(model="body", object_id=swg.pk)
    assert record.actor == staff_sam and record.organisation == swg.organisation
    assert record.changes["name"] == ["Special Working Group", "SWG on ICT"]


def test_secretariat_does_not_see_other_organisations_bodies(client_for, staff_sam, asean):
    other = Body.objects.create(organisation=asean, name="ARF", kind="other")
    client = client_for(staff_sam)
    assert "ARF" not in client.get("/admin/directory/body/").content.decode()
    assert client.get(f"/admin/directory/body/{other.pk}/change/").status_code == 302  # not found
    response = client.post(f"/admin/directory/body/{other.pk}/delete/", {"post": "yes"})
    assert Body.objects.filter(pk=other.pk).exists()
    assert response.status_code in (302, 403)


def test_secretariat_may_not_change_points_of_contact_in_admin(client_for, staff_sam, poc_a):
    client = client_for(staff_sam)
    page = client.get(f"/admin/directory/pointofcontact/{poc_a.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get("/admin/directory/pointofcontact/add/").status_code == 403


def test_state_user_with_staff_flag_still_has_no_directory_admin(client_for, alice, poc_a):
    alice.is_staff = True
    alice.save()
    response = client_for(alice).get(f"/admin/directory/pointofcontact/{poc_a.pk}/change/")
    assert response.status_code in (302, 403)
