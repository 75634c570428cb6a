"""The API: every endpoint, with the refusals (another state, another organisation's
secretariat, the lead state's plain point of contact: 404; players and observers acting: 403),
the player's own cells only, the import's row errors, and the OpenAPI schema."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cbmhub.core.roles import SYSTEM
from cbmhub.exercises import services
from cbmhub.exercises.models import Inject
from cbmhub.hotline import services as hotline
from cbmhub.hotline.models import Message

BASE = "/api/v1/exercises"


@pytest.fixture
def run(scenario, sam):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run)
    services.runs_step(actor=SYSTEM)
    return run


def _urls(run):
    item = run.run_injects.order_by("id").last()
    scenario = run.scenario.pk
    return {
        "get": [
            f"{BASE}/scenarios/{scenario}/",
            f"{BASE}/runs/{run.pk}/",
            f"{BASE}/runs/{run.pk}/results/",
            f"{BASE}/injects/{run.scenario.injects.first().pk}/",
        ],
        "post": [
            f"{BASE}/runs/{run.pk}/pause/",
            f"{BASE}/runs/{run.pk}/injects/{item.pk}/skip/",
            f"{BASE}/runs/{run.pk}/scores/",
            f"{BASE}/runs/{run.pk}/feedback/",
            f"{BASE}/scenarios/{scenario}/import/",
        ],
    }


@pytest.mark.parametrize("who", ["carol", "sara", "anna"])
def test_outsiders_get_404_and_empty_lists(run, api_for, request, who):
    api = api_for(request.getfixturevalue(who))
    for url in _urls(run)["get"]:
        assert api.get(url).status_code == 404, url
    for url in _urls(run)["post"]:
        assert api.post(url, {}, format="json").status_code in (404, 415), url
    for listing in ("scenarios", "runs", "injects"):
        assert api.get(f"{BASE}/{listing}/").json()["results"] == []
    response = api.post(f"{BASE}/runs/", {"scenario": run.scenario.pk}, format="json")
    assert response.status_code == 404


def test_player_sees_own_cells_not_the_plan(run, api_for, bert):
    api = api_for(bert)
    assert api.get(f"{BASE}/injects/").json()["results"] == []
    assert api.get(f"{BASE}/injects/{run.scenario.injects.first().pk}/").status_code == 404
    body = api.get(f"{BASE}/runs/{run.pk}/results/").json()
    assert [c["state"] for c in body["cells"]] == ["MNG"]
    assert "overall" not in body
    assert api.post(f"{BASE}/runs/{run.pk}/pause/").status_code == 403
    response = api.post(f"{BASE}/runs/{run.pk}/scores/", {"item": 1, "state": "MNG"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_observer_reads_results_and_cannot_act(run, api_for, olga):
    api = api_for(olga)
    body = api.get(f"{BASE}/runs/{run.pk}/results/").json()
    assert body["overall"]["injects"] == 1
    assert api.get(f"{BASE}/injects/").json()["results"] == []  # no plan
    assert api.post(f"{BASE}/runs/{run.pk}/end/").status_code == 403


def test_evaluator_scores(run, api_for, ella):
    api = api_for(ella)
    item = run.run_injects.order_by("id").first()
    response = api.post(
        f"{BASE}/runs/{run.pk}/scores/",
        {"item": item.pk, "state": "MNG", "score": 3},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert item.scores.get().score == 3
    response = api.post(
        f"{BASE}/runs/{run.pk}/scores/",
        {"item": item.pk, "state": "MNG", "score": 9},
        format="json",
    )
    assert (
        response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "score"
    )


def test_control_cell_runs_everything_through_the_api(
    api_for, sam, cica, state_a, state_b, state_c, bert, ella
):
    api = api_for(sam)
    response = api.post(
        f"{BASE}/scenarios/",
        {
            "title": "API drill",
            "organisation": "CICA",
            "sender_state": "KAZ",
            "states": ["MNG"],
            "members": [{"username": "ella", "role": "evaluator"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    scenario = response.json()["id"]
    response = api.post(
        f"{BASE}/injects/",
        {
            "scenario": scenario,
            "offset": "00:00:00",
            "kind": "incident_notification",
            "subject": "Alert",
            "recipients": ["MNG"],
            "expectations": [{"kind": "acknowledge", "within": "00:15:00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = api.post(
        f"{BASE}/injects/",
        {
            "scenario": scenario,
            "offset": "00:05:00",
            "kind": "manual",
            "subject": "x",
            "recipients": ["THA"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "recipients"
    run = api.post(f"{BASE}/runs/", {"scenario": scenario, "speed": 60}, format="json").json()
    assert api.post(f"{BASE}/runs/{run['id']}/start/").json()["status"] == "running"
    services.runs_step(actor=SYSTEM)
    hotline.message_acknowledge(actor=bert, message=Message.objects.get())
    body = api.get(f"{BASE}/runs/{run['id']}/results/").json()
    assert body["by_state"]["MNG"]["acknowledged"] == 1 and body["overall"]["met"] == 1
    assert api.post(f"{BASE}/runs/{run['id']}/end/").json()["status"] == "ended"
    assert api.post(f"{BASE}/runs/{run['id']}/end/").status_code == 400
    assert api.post(f"{BASE}/runs/{run['id']}/explode/").status_code == 404


def test_import_csv_and_xlsx_all_or_nothing(scenario, api_for, sam):
    import openpyxl  # type: ignore[import-untyped]

    api = api_for(sam)
    url = f"{BASE}/scenarios/{scenario.pk}/import/"
    before = Inject.objects.count()
    bad = (
        b"offset,kind,recipients,text,expectation\n"
        b"0,incident_notification,MNG,Alert,\n"
        b"5,bogus,THA,,reply soon\n"
    )
    response = api.post(url, {"file": SimpleUploadedFile("p.csv", bad)}, format="multipart")
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert {(d["row"], d["field"]) for d in details} == {
        (3, "kind"),
        (3, "text"),
        (3, "expectation"),
    }
    assert Inject.objects.count() == before
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Offset", "Inject kind", "Recipients", "Text", "Expectation"])
    sheet.append(
        ["0:45", "request_assistance", "MNG", "Help\nWe need hands.", "acknowledge 10m; reply 1h"]
    )
    sheet.append([90, "communication_check", "", "Ping", "acknowledge 5m"])
    data = io.BytesIO()
    book.save(data)
    response = api.post(
        url, {"file": SimpleUploadedFile("p.xlsx", data.getvalue())}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert [i["subject"] for i in response.json()] == ["Help", "Ping"]
    assert Inject.objects.get(subject="Help").body == "We need hands."
    response = api.post(
        url, {"file": SimpleUploadedFile("p.xlsx", b"PK\x03\x04junk")}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "file"


def test_lists_query_counts(run, api_for, sam, django_assert_max_num_queries):
    api = api_for(sam)
    for listing in ("scenarios", "runs", "injects"):
        with django_assert_max_num_queries(12):
            assert api.get(f"{BASE}/{listing}/").status_code == 200


def test_schema_lists_the_endpoints(api_for, sam):
    schema = api_for(sam).get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/exercises/scenarios/",
        "/api/v1/exercises/runs/{id}/",
        "/api/v1/exercises/runs/{run_id}/results/",
        "/api/v1/exercises/scenarios/{scenario_id}/import/",
    ):
        assert path in paths, path


def test_questionnaire_through_the_api(run, api_for, bert):
    api = api_for(bert)
    url = f"{BASE}/runs/{run.pk}/feedback/"
    response = api.post(url, {"to_improve": "Train the night shift."}, format="json")
    assert response.status_code == 200
    assert run.feedback.get().to_improve == "Train the night shift."
    response = api.post(url, {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "to_improve"
