"""POST /api/v1/directory/import and GET /api/v1/directory/export."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cbmhub.directory.models import ChangeRecord, PointOfContact

from .test_importexport import GOLDEN_CSV

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/directory/import"
EXPORT = "/api/v1/directory/export"
VALID = "state,level,office,channels\nKAZ,technical,Imported CERT,*email:c@example.org\n"


def upload(text: str, name: str = "pocs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_import_reports_each_problem_and_applies_nothing(api_for, root, state_a, state_b):
    before = (PointOfContact.objects.count(), ChangeRecord.objects.count())
    response = api_for(root).post(IMPORT, {"file": upload(GOLDEN_CSV)}, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_invalid"
    assert error["message"] == "The import has 8 problem(s); nothing was applied."
    assert error["details"][0] == {
        "row": 3,
        "field": "level",
        "message": "“strategic” is not one of: technical, diplomatic, high_level.",
    }
    assert [(d["row"], d["field"]) for d in error["details"]][1:] == [
        (4, "state"),
        (5, "available_24_7"),
        (5, "last_verified"),
        (5, "channels"),
        (6, ""),
        (7, "organisation"),
        (8, "time_zone"),
    ]
    assert (PointOfContact.objects.count(), ChangeRecord.objects.count()) == before


def test_import_dry_run_then_for_real(api_for, root, state_a):
    api = api_for(root)
    response = api.post(IMPORT, {"file": upload(VALID), "dry_run": True}, format="multipart")
    assert response.status_code == 200
    assert response.json()["applied"] is False
    assert response.json()["summary"]["points_of_contact"]["created"] == 1
    assert not PointOfContact.objects.filter(office="Imported CERT").exists()
    response = api.post(IMPORT, {"file": upload(VALID)}, format="multipart")
    assert response.status_code == 200
    assert response.json()["applied"] is True
    assert PointOfContact.objects.get(office="Imported CERT").primary_email == "c@example.org"


def test_import_json_by_file_name(api_for, root, state_a):
    document = {"points_of_contact": [{"state": "KAZ", "level": "diplomatic", "office": "MFA"}]}
    response = api_for(root).post(
        IMPORT, {"file": upload(json.dumps(document), "directory.json")}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert PointOfContact.objects.filter(office="MFA", state=state_a).exists()


def test_secretariat_import_of_points_of_contact_is_refused_row_by_row(api_for, sam, state_a):
    response = api_for(sam).post(IMPORT, {"file": upload(VALID)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == [
        {
            "row": 2,
            "field": "state",
            "message": "Only a focal point of this state may add its points of contact.",
        }
    ]
    assert not PointOfContact.objects.filter(office="Imported CERT").exists()


@pytest.mark.parametrize("persona", ["anna", "olga"])
def test_pocs_and_observers_cannot_import(api_for, request, state_a, persona):
    user = request.getfixturevalue(persona)
    response = api_for(user).post(IMPORT, {"file": upload(VALID)}, format="multipart")
    assert response.status_code == 403
    assert not PointOfContact.objects.filter(office="Imported CERT").exists()


def test_a_focal_point_imports_their_own_states_points_of_contact(api_for, alice, bob):
    response = api_for(alice).post(IMPORT, {"file": upload(VALID)}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["summary"]["points_of_contact"]["created"] == 1
    assert PointOfContact.objects.get(office="Imported CERT").state == alice.state


def test_a_focal_point_is_refused_another_states_rows_with_their_data_problems(
    api_for, bob, state_a
):
    text = VALID + "KAZ,technical,Second CERT,*email:not-an-email\n"
    response = api_for(bob).post(IMPORT, {"file": upload(text)}, format="multipart")
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert [(d["row"], d["field"]) for d in details] == [
        (2, "state"),
        (3, "state"),
        (3, "channels"),
    ]
    assert "Only a focal point of this state" in details[0]["message"]
    assert "“not-an-email” is not an e-mail address." in details[2]["message"]
    assert not PointOfContact.objects.filter(office="Imported CERT").exists()


def test_import_unauthenticated_is_401(api_for, state_a):
    assert api_for().post(IMPORT, {"file": upload(VALID)}, format="multipart").status_code == 401


def test_import_without_file_is_400(api_for, root):
    response = api_for(root).post(IMPORT, {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "file"


def test_export_json_and_csv_for_any_reader(api_for, olga, alice, bob):
    api = api_for(olga)
    response = api.get(f"{EXPORT}?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)
    assert [poc["state"] for poc in document["points_of_contact"]] == ["KAZ", "MNG"]
    response = api.get(f"{EXPORT}?format=csv&kind=states")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="cbmhub-directory-states.csv"' in response["Content-Disposition"]
    assert response.content.decode().splitlines() == [
        "iso3,iso2,name,official_name,aliases",
        "KAZ,KZ,Kazakhstan,,KAZ; КАЗ",
        "MNG,MN,Mongolia,,MGL",
    ]


@pytest.mark.parametrize(
    "query", ["format=xml", "format=CSV", "kind=people", "kind=all&format=pdf"]
)
def test_export_bad_request_is_400(api_for, olga, query):
    response = api_for(olga).get(f"{EXPORT}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_export_unauthenticated_is_401(api_for, db):
    assert api_for().get(EXPORT).status_code == 401


def test_export_then_import_round_trip_through_the_api(api_for, root, alice, bob):
    api = api_for(root)
    exported = api.get(f"{EXPORT}?format=csv&kind=points_of_contact").content.decode()
    response = api.post(
        IMPORT, {"file": upload(exported), "kind": "points_of_contact"}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["summary"]["points_of_contact"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }
