"""What the directory's models refuse on every way in (services, pages, API, import): contact
channels that do not fit their kind, organisation acronyms that are not codes, and a second
organisation with another's name."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cbmhub.directory import demo, importexport, services, validators
from cbmhub.directory.models import ContactChannel, Organisation, PointOfContact

pytestmark = pytest.mark.django_db

LIST = "/api/v1/directory/points-of-contact/"
CICA_EDIT = "/directory/organisations/CICA/edit/"


# --- 10.7: contact channels are checked against their kind ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("email", "cert@kz.example"),
        ("secure_email", "duty@gov.kz"),
        ("phone", "+7 7172 000000"),
        ("mobile", "+7 (701) 123-45-67"),
        ("fax", "+1.555.0100"),
        ("webhook", "https://cert.example.org/hook"),
        ("secure_line", "7001"),
        ("other", "Radio, channel 16"),
    ],
)
def test_a_value_that_fits_its_kind_is_accepted(kind, value):
    validators.validate_channel_value(kind, value)


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "not-an-email", "“not-an-email” is not an e-mail address."),
        ("secure_email", "duty@", "“duty@” is not an e-mail address."),
        ("mobile", "not a number", "“not a number” is not an international phone number"),
        ("phone", "8 7172 000000", "is not an international phone number"),  # no country code
        ("fax", "+0 555 0100", "is not an international phone number"),
        ("phone", "+7 1", "is not an international phone number"),
        ("webhook", "ftp://x.example", "is not a web address"),
        ("webhook", "example.org/hook", "is not a web address"),
    ],
)
def test_a_value_that_does_not_fit_its_kind_is_refused(kind, value, message):
    with pytest.raises(ValidationError) as caught:
        validators.validate_channel_value(kind, value)
    assert message in caught.value.messages[0]


def test_the_service_refuses_a_bad_channel_with_its_position(alice, state_a):
    with pytest.raises(services.DirectoryError) as caught:
        services.point_of_contact_create(
            actor=alice,
            state=state_a,
            level="technical",
            office="CERT",
            channels=[
                {"kind": "phone", "value": "+7 7172 000000"},
                {"kind": "email", "value": "not-an-email", "is_primary": True},
            ],
        )
    assert caught.value.details == [
        {"field": "channels[1].value", "message": "“not-an-email” is not an e-mail address."}
    ]
    assert not PointOfContact.objects.filter(office="CERT").exists()


def test_the_api_refuses_a_mobile_that_is_not_a_number(api_for, alice):
    payload = {
        "state": "KAZ",
        "level": "technical",
        "office": "National CERT",
        "channels": [{"kind": "mobile", "value": "not a number"}],
    }
    response = api_for(alice).post(LIST, payload, format="json")
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert [d["field"] for d in details] == ["channels[0].value"]
    assert not PointOfContact.objects.filter(office="National CERT").exists()


def test_the_page_shows_a_bad_e_mail_channel(client_for, alice):
    from .conftest import poc_post_data

    data = poc_post_data(**{"channels-0-kind": "email", "channels-0-value": "not-an-email"})
    response = client_for(alice).post("/directory/states/KAZ/points-of-contact/add/", data)
    assert response.status_code in (200, 400)
    assert "“not-an-email” is not an e-mail address." in response.content.decode()


def test_the_import_refuses_a_bad_channel_with_its_row(root, state_a):
    text = "state,level,office,channels\nKAZ,technical,CERT,*email:not-an-email\n"
    result = importexport.import_directory(actor=root, text=text, fmt="csv")
    assert [str(p) for p in result.problems] == [
        "row 2, field channels: channels[0].value: “not-an-email” is not an e-mail address."
    ]


def test_the_demo_directory_loads_and_every_channel_is_valid(db):
    demo.load()
    channels = list(ContactChannel.objects.all())
    assert channels
    for channel in channels:
        channel.full_clean()
    # and what it exports imports again unchanged
    exported = importexport.export(fmt="json")
    from cbmhub.conftest import make_user

    root = make_user("operator", is_superuser=True, is_staff=True)
    result = importexport.import_directory(actor=root, text=exported, fmt="json", dry_run=True)
    assert result.problems == []


# --- 8.18: organisation acronyms and names --------------------------------------------------------


@pytest.mark.parametrize("acronym", ["CICA", "US-RU-ICT", "OSCE/ODIHR", "ОДКБ", "G7", "A&B"])
def test_acronyms_that_are_codes(acronym):
    validators.validate_acronym(acronym)


@pytest.mark.parametrize("acronym", ["CI CA", "<b>CICA", "CICA\u202e", "-CICA", "C_A", "“CICA”"])
def test_acronyms_that_are_not_codes(acronym):
    with pytest.raises(ValidationError):
        validators.validate_acronym(acronym)


def test_a_secretariat_cannot_give_its_organisation_arbitrary_characters(sam, cica):
    with pytest.raises(ValidationError) as caught:
        services.organisation_update(actor=sam, organisation=cica, acronym="<ASEAN>")
    assert "acronym" in caught.value.message_dict
    assert Organisation.objects.get(pk=cica.pk).acronym == "CICA"


def test_a_secretariat_cannot_copy_another_organisations_name(sam, cica, asean):
    for name in ("ASEAN", "asean"):
        with pytest.raises(ValidationError) as caught:
            services.organisation_update(actor=sam, organisation=cica, name=name)
        assert caught.value.messages == ["Another organisation already has this name."]
    assert Organisation.objects.get(pk=cica.pk).name != "ASEAN"


def test_the_organisation_page_shows_both_errors(client_for, sam, cica, asean):
    data = {"acronym": "CI CA", "name": "ASEAN", "kind": "regional"}
    response = client_for(sam).post(CICA_EDIT, data)
    body = response.content.decode()
    assert "is not an acronym" in body
    assert "Another organisation already has this name." in body
    assert Organisation.objects.get(pk=cica.pk).acronym == "CICA"


def test_an_import_cannot_add_a_second_organisation_with_one_name(root, cica):
    text = (
        "acronym,name,kind\n"
        f"NEW,{cica.name.upper()},regional\n"
        "TWO,Twin,regional\n"
        "THREE,twin,regional\n"
    )
    result = importexport.import_directory(actor=root, text=text, fmt="csv", kind="organisations")
    assert [(p.row, p.message) for p in result.problems] == [
        (2, "Another organisation already has this name."),
        (4, "Another organisation already has this name."),
    ]
