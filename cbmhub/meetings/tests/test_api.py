"""The meetings API: reads scoped like the pages, actions refused like the services."""

from __future__ import annotations

import pytest

from cbmhub.core.roles import SYSTEM
from cbmhub.meetings import services

pytestmark = pytest.mark.django_db
BASE = "/api/v1/meetings"


def test_meeting_list_and_detail_scoped(api_for, meeting, bilateral, alice, carol, olga, sara):
    ids = [m["id"] for m in api_for(alice).get(f"{BASE}/meetings/").json()["results"]]
    assert set(ids) == {meeting.pk, bilateral.pk}
    ids = [m["id"] for m in api_for(carol).get(f"{BASE}/meetings/").json()["results"]]
    assert ids == [meeting.pk]
    assert api_for(carol).get(f"{BASE}/meetings/{bilateral.pk}/").status_code == 404
    assert api_for(olga).get(f"{BASE}/meetings/").status_code == 403
    assert api_for(sara).get(f"{BASE}/meetings/{meeting.pk}/").status_code == 404
    detail = api_for(alice).get(f"{BASE}/meetings/{meeting.pk}/").json()
    assert len(detail["parts"]) == 3 and detail["time_zone"] == "Asia/Almaty"


def test_create_meeting(api_for, sam, alice, swg):
    body = {
        "body": swg.pk,
        "title": "SWG",
        "kind": "session",
        "time_zone": "Asia/Almaty",
        "parts": [
            {
                "starts_at": "2030-01-10T10:00:00+05:00",
                "ends_at": "2030-01-10T18:00:00+05:00",
                "venue": "Astana",
            }
        ],
    }
    assert api_for(alice).post(f"{BASE}/meetings/", body, format="json").status_code == 403
    response = api_for(sam).post(f"{BASE}/meetings/", body, format="json")
    assert response.status_code == 201, response.json()
    bad = {**body, "parts": []}
    error = api_for(sam).post(f"{BASE}/meetings/", bad, format="json")
    assert error.status_code == 400 and error.json()["error"]["details"][0]["field"] == "parts"


def test_nominate_refusals(api_for, meeting, alice, bob, sam):
    members = {"members": [{"name": "Aidos", "function": "Ambassador", "is_head": True}]}
    url = f"{BASE}/meetings/{meeting.pk}/delegations/KAZ/"
    assert api_for(bob).post(url, members, format="json").status_code == 403
    response = api_for(alice).post(url, members, format="json")
    assert response.status_code == 201 and response.json()["status"] == "nominated"
    delegation_id = response.json()["id"]
    assert api_for(bob).post(f"{BASE}/delegations/{delegation_id}/accept/").status_code == 403
    accepted = api_for(sam).post(f"{BASE}/delegations/{delegation_id}/accept/")
    assert accepted.json()["status"] == "accepted"


def test_agenda_outcome_and_stage(api_for, meeting, sam, alice, document, revision, soc):
    item = api_for(sam).post(
        f"{BASE}/meetings/{meeting.pk}/agenda/",
        {"title": "Statement", "document": document.pk},
        format="json",
    )
    assert item.status_code == 201
    item_id = item.json()["id"]
    outcome = {
        "kind": "recommendation",
        "wording": "Recommended.",
        "effect": "recommend_approval",
        "target_body": soc.pk,
    }
    url = f"{BASE}/agenda/{item_id}/outcomes/"
    assert api_for(alice).post(url, outcome, format="json").status_code == 403
    assert api_for(sam).post(url, outcome, format="json").status_code == 201
    stage = api_for(alice).get(f"{BASE}/documents/{document.pk}/stage/").json()
    assert stage["stage"] == "Recommended by SWG for approval by SOC"
    assert stage["path"][0]["target_body"] == "SOC"


def test_status(api_for, meeting, sam, alice):
    url = f"{BASE}/meetings/{meeting.pk}/status/"
    assert api_for(alice).post(url, {"status": "convened"}, format="json").status_code == 403
    response = api_for(sam).post(url, {"status": "held"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_transition"


def test_notes_only_the_secretariat_issues(api_for, note, sam, alice, carol):
    assert api_for(alice).get(f"{BASE}/notes/").json()["results"] == []
    assert api_for(alice).post(f"{BASE}/notes/{note.pk}/issue/").status_code == 404
    issued = api_for(sam).post(f"{BASE}/notes/{note.pk}/issue/")
    assert issued.json()["symbol"] == "SWG/OI/1262"
    assert api_for(alice).post(f"{BASE}/notes/{note.pk}/issue/").status_code == 403
    data = api_for(carol).get(f"{BASE}/notes/{note.pk}/").json()
    assert [v["language"] for v in data["versions"]] == ["en", "ru"]


def test_list_query_counts_constant(api_for, alice, swg):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import PARTS

    api = api_for(alice)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{BASE}/meetings/").status_code == 200
        return len(queries)

    services.meeting_create(actor=SYSTEM, body=swg, title="a", kind="session", parts=PARTS)
    few = count()
    for n in range(8):
        services.meeting_create(actor=SYSTEM, body=swg, title=f"m{n}", kind="session", parts=PARTS)
    assert count() == few


def test_note_create_only_by_the_secretariat(api_for, series, sam, alice, sara):
    body = {
        "series": series.pk,
        "subject": "Invitation",
        "place": "Astana",
        "date": "2030-01-01",
        "versions": [
            {"language": "en", "status": "original", "body": "Text."},
            {"language": "ru", "status": "translation", "body": "Текст."},
        ],
    }
    assert api_for(alice).post(f"{BASE}/notes/", body, format="json").status_code == 403
    assert api_for(sara).post(f"{BASE}/notes/", body, format="json").status_code == 403
    created = api_for(sam).post(f"{BASE}/notes/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    two_originals = {**body, "versions": [{**v, "status": "original"} for v in body["versions"]]}
    error = api_for(sam).post(f"{BASE}/notes/", two_originals, format="json")
    assert error.status_code == 400 and error.json()["error"]["details"][0]["field"] == "versions"
