"""The API: every endpoint against members, another state's focal point, observers and the
secretariat; errors in the one format."""

from __future__ import annotations

import pytest

from cbmhub.core.roles import SYSTEM
from cbmhub.measures import services
from cbmhub.measures.models import Submission

from .conftest import submit

API = "/api/v1/measures"


@pytest.fixture
def filed(alice, state_a, cycle, measure):
    return {
        visibility: submit(
            alice, cycle, cycle.catalogue.measures.get(code=code), state_a, visibility=visibility
        )
        for visibility, code in (("secretariat", "1.1"), ("members", "1.2"), ("public", "2.1"))
    }


def ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("alice", {"secretariat", "members", "public"}),
        ("bob", {"members", "public"}),
        ("carol", {"members", "public"}),
        ("sam", {"secretariat", "members", "public"}),
        ("sara", {"public"}),
        ("olga", {"public"}),
    ],
)
def test_submission_list_by_visibility(api_for, request, who, sees, filed):
    response = api_for(request.getfixturevalue(who)).get(f"{API}/submissions/")
    assert response.status_code == 200
    assert ids(response) == {filed[v].pk for v in sees}


def test_anonymous_is_refused(api_for, filed):
    assert api_for().get(f"{API}/submissions/").status_code in (401, 403)


def test_a_hidden_submission_is_404(api_for, bob, filed):
    response = api_for(bob).get(f"{API}/submissions/{filed['secretariat'].pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_file_a_submission(api_for, bob, state_b, cycle, measure):
    body = {
        "cycle": cycle.pk,
        "measure": measure.pk,
        "state": "MNG",
        "kind": "nil_return",
        "nil_since_year": 2025,
        "visibility": "members",
        "submit": True,
    }
    response = api_for(bob).post(f"{API}/submissions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "submitted"


def test_a_focal_point_may_not_file_for_another_state(api_for, alice, state_b, cycle, measure):
    body = {
        "cycle": cycle.pk,
        "measure": measure.pk,
        "state": "MNG",
        "kind": "briefing",
        "text": "x",
        "submit": True,
    }
    response = api_for(alice).post(f"{API}/submissions/", body, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Submission.objects.exists()


@pytest.mark.parametrize("who", ["sam", "olga", "sara"])
def test_no_filing_without_the_state(api_for, request, who, state_a, cycle, measure):
    body = {
        "cycle": cycle.pk,
        "measure": measure.pk,
        "state": "KAZ",
        "kind": "briefing",
        "text": "x",
        "submit": True,
    }
    response = api_for(request.getfixturevalue(who)).post(
        f"{API}/submissions/", body, format="json"
    )
    assert response.status_code == 403


def test_bad_input_names_the_field(api_for, alice, state_a, cycle, measure):
    body = {
        "cycle": cycle.pk,
        "measure": measure.pk,
        "state": "KAZ",
        "kind": "nil_return",
        "submit": True,
    }
    response = api_for(alice).post(f"{API}/submissions/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "nil_since_year"
    response = api_for(alice).post(f"{API}/submissions/", {**body, "kind": "poem"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "kind"


def test_revise_keeps_a_version(api_for, alice, filed):
    pk = filed["members"].pk
    response = api_for(alice).patch(
        f"{API}/submissions/{pk}/", {"text": "New", "submit": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["version"] == 2


def test_acknowledge(api_for, alice, bob, sam, sara, filed):
    pk = filed["members"].pk
    assert api_for(alice).post(f"{API}/submissions/{pk}/acknowledge/").status_code == 403
    assert api_for(bob).post(f"{API}/submissions/{pk}/acknowledge/").status_code == 403
    assert api_for(sara).post(f"{API}/submissions/{pk}/acknowledge/").status_code == 404
    response = api_for(sam).post(f"{API}/submissions/{pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["status"] == "acknowledged"


@pytest.mark.parametrize(
    ("who", "code"), [("alice", 200), ("bob", 200), ("sam", 200), ("olga", 403), ("sara", 403)]
)
def test_matrix(api_for, request, who, code, cycle, filed):
    response = api_for(request.getfixturevalue(who)).get(f"{API}/cycles/{cycle.pk}/matrix/")
    assert response.status_code == code
    if code == 200:
        data = response.json()
        assert data["measures"] == ["1.1", "1.2", "2.1"]
        kaz = next(s for s in data["states"] if s["iso3"] == "KAZ")
        assert kaz["cells"] == ["submitted", "submitted", "submitted"]


@pytest.mark.parametrize(
    ("who", "code"), [("sam", 200), ("alice", 403), ("olga", 403), ("sara", 403)]
)
def test_outline_import(api_for, request, who, code, catalogue):
    body = {"text": "3. Third\n3.1 Sub\n9.1 Orphan\n", "dry_run": True}
    response = api_for(request.getfixturevalue(who)).post(
        f"{API}/catalogues/{catalogue.code}/import/", body, format="json"
    )
    assert response.status_code == code
    if code == 200:
        assert response.json()["diagnostics"] == [
            {"line": 1, "message": "The item 2 is missing before 3."},
            {"line": 3, "message": "The code 9.1 has no parent item 9; not placed."},
        ]
        assert not catalogue.measures.filter(code="3").exists()


def test_catalogue_create_by_the_secretariat_only(api_for, sam, alice, cica):
    body = {"organisation": "CICA", "code": "new", "title": "New catalogue"}
    assert api_for(alice).post(f"{API}/catalogues/", body, format="json").status_code == 403
    assert api_for(sam).post(f"{API}/catalogues/", body, format="json").status_code == 201


def test_measures_list_and_export(api_for, olga, catalogue):
    response = api_for(olga).get(f"{API}/measures/", {"catalogue": catalogue.code})
    assert [m["code"] for m in response.json()["results"]] == ["1", "1.1", "1.2", "2", "2.1"]
    export = api_for(olga).get(f"{API}/catalogues/{catalogue.code}/export/csv/")
    assert export.status_code == 200 and export.content.startswith(b"code,parent")


def test_unknown_query_parameter_is_400(api_for, sam):
    response = api_for(sam).get(f"{API}/submissions/", {"colour": "red"})
    assert response.status_code == 400


@pytest.mark.parametrize(("who", "code"), [("sam", 200), ("alice", 403), ("bob", 403)])
def test_thresholds(api_for, request, who, code, cica):
    response = api_for(request.getfixturevalue(who)).put(
        f"{API}/thresholds/CICA/", {"signal": "escalations", "value": 2}, format="json"
    )
    assert response.status_code == code


def test_warning_figures_by_state_only_for_the_secretariat(api_for, sam, alice, olga, cica):
    secretariat = api_for(sam).get(f"{API}/warning/", {"organisation": "CICA"}).json()
    member = api_for(alice).get(f"{API}/warning/", {"organisation": "CICA"}).json()
    assert secretariat["own"] is None and "by_state" in secretariat
    assert member["by_state"] == {} and member["own"] is not None
    assert api_for(olga).get(f"{API}/warning/", {"organisation": "CICA"}).status_code == 403


def test_alerts(api_for, sam, alice, bob, state_b, cica):
    alert, _ = services.alert_raise(
        actor=SYSTEM, organisation=cica, signal="escalations", figure=2, state=state_b
    )
    services.alert_raise(actor=SYSTEM, organisation=cica, signal="overdue_submissions", figure=5)
    assert len(api_for(sam).get(f"{API}/alerts/", {"organisation": "CICA"}).json()["results"]) == 2
    assert (
        len(api_for(alice).get(f"{API}/alerts/", {"organisation": "CICA"}).json()["results"]) == 1
    )
    assert len(api_for(bob).get(f"{API}/alerts/", {"organisation": "CICA"}).json()["results"]) == 2
    assert (
        api_for(alice)
        .patch(f"{API}/alerts/{alert.pk}/", {"status": "closed"}, format="json")
        .status_code
        == 404
    )
    response = api_for(sam).patch(
        f"{API}/alerts/{alert.pk}/",
        {"status": "in_progress", "take": True, "next_step": "Call MNG"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["owner"] == "sam"


def test_capabilities(api_for, alice, bob, olga, cica, state_a):
    body = {
        "organisation": "CICA",
        "state": "KAZ",
        "kind": "Field hospital",
        "quantity": 1,
        "readiness": "ready",
        "contact": "MoD",
        "visibility": "members",
    }
    created = api_for(alice).post(f"{API}/capabilities/", body, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api_for(bob).post(f"{API}/capabilities/", body, format="json").status_code == 403
    assert api_for(bob).get(f"{API}/capabilities/{pk}/").status_code == 200
    assert api_for(olga).get(f"{API}/capabilities/{pk}/").status_code == 404
    assert (
        api_for(bob).patch(f"{API}/capabilities/{pk}/", {"quantity": 9}, format="json").status_code
        == 403
    )
    assert (
        api_for(alice)
        .patch(f"{API}/capabilities/{pk}/", {"quantity": 9}, format="json")
        .json()["quantity"]
        == 9
    )
    assert api_for(alice).delete(f"{API}/capabilities/{pk}/").status_code == 204


def test_plan_report_and_publication(api_for, alice, olga, plan, cycle):
    ok = api_for(alice).get(f"{API}/plans/{plan.pk}/report/docx/")
    assert ok.status_code == 200 and ok.content[:2] == b"PK"
    assert api_for(olga).get(f"{API}/plans/{plan.pk}/report/docx/").status_code == 403
    assert api_for(alice).get(f"{API}/cycles/{cycle.pk}/publication/docx/").status_code == 200


def test_coordinators(api_for, sam, alice, olga, measure, state_a):
    body = {
        "measure": measure.pk,
        "state": "KAZ",
        "role": "coordinator",
        "from_year": 2022,
        "to_year": 2024,
    }
    assert api_for(alice).post(f"{API}/coordinators/", body, format="json").status_code == 403
    assert api_for(sam).post(f"{API}/coordinators/", body, format="json").status_code == 201
    bad = api_for(sam).post(f"{API}/coordinators/", {**body, "to_year": 2020}, format="json")
    assert bad.status_code == 400
    listed = api_for(olga).get(f"{API}/coordinators/", {"measure": measure.pk}).json()
    assert [(c["state"], c["from_year"]) for c in listed["results"]] == [("KAZ", 2022)]


def test_a_plan_links_the_document_that_adopted_it(api_for, sam, measure, cica, asean):
    from cbmhub.negotiations import services as negotiations

    negotiation = negotiations.negotiation_create(actor=SYSTEM, organisation=cica, title="N")
    document = negotiations.document_create(
        actor=SYSTEM, negotiation=negotiation, symbol="SWG/1", title="Concept paper"
    )
    other = negotiations.negotiation_create(actor=SYSTEM, organisation=asean, title="N")
    foreign = negotiations.document_create(
        actor=SYSTEM, negotiation=other, symbol="X/1", title="Other"
    )
    body = {"measure": measure.pk, "title": "Plan", "from_year": 2022, "to_year": 2023}
    made = api_for(sam).post(f"{API}/plans/", {**body, "document": document.pk}, format="json")
    assert made.status_code == 201 and made.json()["document"] == document.pk
    refused = api_for(sam).post(f"{API}/plans/", {**body, "document": foreign.pk}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "document"
