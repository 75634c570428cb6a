"""Points of contact: detail, add, edit, remove — by the focal point of their state only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cbmhub.directory.models import ChangeRecord, PointOfContact

from .conftest import poc_post_data

pytestmark = pytest.mark.django_db


def edit_url(poc):
    return reverse("directory:poc_edit", args=[poc.pk])


def delete_url(poc):
    return reverse("directory:poc_delete", args=[poc.pk])


def add_url(state):
    return reverse("directory:poc_add", args=[state.iso3])


# --- detail ---------------------------------------------------------------------------------


def test_detail_readable_by_observer_without_edit_link(client_for, olga, poc_a):
    response = client_for(olga).get(reverse("directory:poc", args=[poc_a.pk]))
    assert response.status_code == 200
    assert "National CERT A" in response.content.decode()
    assert edit_url(poc_a) not in response.content.decode()


def test_detail_of_unknown_point_of_contact_is_404(client_for, olga):
    assert client_for(olga).get("/directory/points-of-contact/999999/").status_code == 404


def test_detail_shows_edit_link_to_own_focal_point(client_for, alice, poc_a):
    body = client_for(alice).get(reverse("directory:poc", args=[poc_a.pk])).content.decode()
    assert edit_url(poc_a) in body


# --- edit -------------------------------------------------------------------------------------


def test_focal_point_edits_own_states_point_of_contact(client_for, alice, poc_a):
    client = client_for(alice)
    assert client.get(edit_url(poc_a)).status_code == 200
    data = poc_post_data(poc_a, office="KZ-CERT Operations", **{"channels-0-value": "ops@cert.kz"})
    response = client.post(edit_url(poc_a), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:state", args=["KAZ"])
    poc_a.refresh_from_db()
    assert poc_a.office == "KZ-CERT Operations"
    assert [c.value for c in poc_a.channels.all()] == ["ops@cert.kz"]
    record = ChangeRecord.objects.get(model="pointofcontact", object_id=poc_a.pk)
    assert record.actor == alice
    assert record.changes["office"] == ["National CERT A", "KZ-CERT Operations"]
    assert record.changes["channels"][1] == ["email:ops@cert.kz"]


def test_edit_form_explains_the_organisation_field_in_russian(client_for, alice, poc_a):
    client = client_for(alice)
    client.cookies["django_language"] = "ru"
    html = client.get(edit_url(poc_a)).content.decode()
    assert "Пусто: для всех организаций." in html
    assert "Empty: for every organisation." not in html


@pytest.mark.parametrize("persona", ["bob", "anna", "sam", "olga"])
def test_others_are_refused_the_edit(request, client_for, poc_a, persona):
    """Another state's focal point, a (non-focal) POC of the same state, the secretariat and an
    observer: 403 on the form and on the POST, and nothing changes."""
    client = client_for(request.getfixturevalue(persona))
    assert client.get(edit_url(poc_a)).status_code == 403
    response = client.post(edit_url(poc_a), poc_post_data(poc_a, office="Hijacked"))
    assert response.status_code == 403
    poc_a.refresh_from_db()
    assert poc_a.office == "National CERT A"
    assert not ChangeRecord.objects.filter(model="pointofcontact", object_id=poc_a.pk).exists()


def test_edit_of_unknown_point_of_contact_is_404(client_for, alice):
    assert client_for(alice).get("/directory/points-of-contact/999999/edit/").status_code == 404


def test_anonymous_is_sent_to_login(client, poc_a):
    response = client.post(edit_url(poc_a), poc_post_data(poc_a, office="X"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_invalid_input_says_what_and_where(client_for, alice, poc_a):
    data = poc_post_data(poc_a, time_zone="Mars/Olympus", languages="english!")
    response = client_for(alice).post(edit_url(poc_a), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "is not an IANA time zone" in body
    assert "Not a language code" in body
    poc_a.refresh_from_db()
    assert poc_a.time_zone == "UTC"


def test_invalid_channel_row_is_reported_on_its_row(client_for, alice, poc_a):
    data = poc_post_data(poc_a, **{"channels-0-value": "", "channels-0-kind": "carrier-pigeon"})
    response = client_for(alice).post(edit_url(poc_a), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_deleted_channel_rows_are_dropped(client_for, alice, poc_a):
    data = poc_post_data(poc_a, **{"channels-0-DELETE": "on"})
    assert client_for(alice).post(edit_url(poc_a), data).status_code == 302
    assert poc_a.channels.count() == 0


# --- add --------------------------------------------------------------------------------------


def test_focal_point_adds_a_point_of_contact(client_for, alice, state_a):
    data = poc_post_data(office="Risk Reduction Centre", level="high_level", languages="kk, RU")
    response = client_for(alice).post(add_url(state_a), data)
    assert response.status_code == 302
    poc = PointOfContact.objects.get(office="Risk Reduction Centre")
    assert poc.state == state_a and poc.level == "high_level" and poc.languages == "kk,ru"
    assert poc.channels.get().value == "desk@example.org"
    record = ChangeRecord.objects.get(model="pointofcontact", object_id=poc.pk)
    assert record.action == "create" and record.actor == alice and record.state == state_a


@pytest.mark.parametrize("persona", ["bob", "anna", "sam", "olga"])
def test_others_are_refused_adding(request, client_for, state_a, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(add_url(state_a)).status_code == 403
    assert client.post(add_url(state_a), poc_post_data(office="Intruder")).status_code == 403
    assert not PointOfContact.objects.filter(office="Intruder").exists()


def test_add_to_unknown_state_is_404(client_for, alice):
    assert client_for(alice).get("/directory/states/XXX/points-of-contact/add/").status_code == 404


# --- delete -----------------------------------------------------------------------------------


def test_focal_point_removes_after_confirming(client_for, alice, poc_a):
    client = client_for(alice)
    confirm = client.get(delete_url(poc_a))
    assert confirm.status_code == 200 and 'data-testid="confirm-delete"' in confirm.content.decode()
    assert PointOfContact.objects.filter(pk=poc_a.pk).exists()  # GET does not delete
    response = client.post(delete_url(poc_a))
    assert response.status_code == 302
    assert not PointOfContact.objects.filter(pk=poc_a.pk).exists()
    record = ChangeRecord.objects.get(model="pointofcontact", object_id=poc_a.pk)
    assert record.action == "delete" and record.changes["office"] == ["National CERT A", None]


@pytest.mark.parametrize("persona", ["bob", "anna", "sam", "olga"])
def test_others_are_refused_removal(request, client_for, poc_a, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(delete_url(poc_a)).status_code == 403
    assert client.post(delete_url(poc_a)).status_code == 403
    assert PointOfContact.objects.filter(pk=poc_a.pk).exists()


def test_superuser_may_edit_any_state(client_for, root, poc_b):
    response = client_for(root).post(edit_url(poc_b), poc_post_data(poc_b, office="Fixed"))
    assert response.status_code == 302
    poc_b.refresh_from_db()
    assert poc_b.office == "Fixed"


def test_point_of_contact_named_in_hotline_records_is_kept(client_for, alice, poc_a, monkeypatch):
    from django.db.models import ProtectedError

    from cbmhub.directory import services

    def refuse(**kwargs):
        raise ProtectedError("referenced", set())

    monkeypatch.setattr(services, "point_of_contact_delete", refuse)
    response = client_for(alice).post(delete_url(poc_a))
    assert response.status_code == 409
    assert "Mark it inactive instead" in response.content.decode()


def test_untouched_empty_channel_rows_as_rendered_are_ignored(client_for, alice, poc_a):
    """The form posts back its extra rows as rendered (blank kind, blank value)."""
    client = client_for(alice)
    formset = client.get(edit_url(poc_a)).context["channels"]
    data = poc_post_data(
        poc_a,
        office="Renamed",
        **{
            "channels-TOTAL_FORMS": str(formset.total_form_count()),
            "channels-INITIAL_FORMS": "1",
            "channels-0-value": "primary@example.org",
        },
    )
    for index in range(1, formset.total_form_count()):
        data.update(
            {
                f"channels-{index}-kind": "",
                f"channels-{index}-value": "",
                f"channels-{index}-note": "",
            }
        )
    assert client.post(edit_url(poc_a), data).status_code == 302
    assert [c.value for c in poc_a.channels.all()] == ["primary@example.org"]


# --- issue 10, item 14: pickers, an "add a channel" button, no "---------" -----------------------


def test_the_form_has_pickers_an_add_button_and_names_the_empty_organisation(
    client_for, alice, poc_a
):
    html = client_for(alice).get(edit_url(poc_a)).content.decode()
    assert '<select name="time_zone"' in html and '<option value="Asia/Almaty">' in html
    assert 'type="checkbox" name="languages" value="ru"' in html
    assert "---------" not in html and "Every organisation" in html
    assert 'data-testid="add-channel"' in html
    assert 'name="channels-__prefix__-value"' in html.split("<template data-formset-template>")[1]


def test_saving_keeps_the_stored_languages_in_order_even_one_the_list_lacks(
    client_for, alice, poc_a
):
    PointOfContact.objects.filter(pk=poc_a.pk).update(languages="ru,en-GB,kk")
    poc_a.refresh_from_db()
    form = client_for(alice).get(edit_url(poc_a)).context["form"]
    assert [c for c, _label in form.fields["languages"].choices[:3]] == ["ru", "en-GB", "kk"]
    data = {**poc_post_data(poc_a), "languages": ["ru", "en-GB", "kk", "fr"]}
    assert client_for(alice).post(edit_url(poc_a), data).status_code == 302
    poc_a.refresh_from_db()
    assert poc_a.languages == "ru,en-GB,kk,fr"
