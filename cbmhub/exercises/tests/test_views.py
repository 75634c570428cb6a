"""The pages: who sees what (players their own injects, not the plan; evaluators the scores;
another state, the observer persona, another organisation's secretariat nothing), the console's
actions and its live timeline partial."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from cbmhub.core.roles import SYSTEM
from cbmhub.exercises import services
from cbmhub.exercises.models import RunInject, Scenario
from cbmhub.hotline import services as hotline
from cbmhub.hotline.models import Message

OUTSIDERS = ["carol", "sara", "alice_poc"]


@pytest.fixture
def run(scenario, sam):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run)
    services.runs_step(actor=SYSTEM)
    return run


@pytest.fixture
def alice_poc(anna):
    """A point of contact (not focal point) of the lead state: neither control nor player."""
    return anna


def _pages(run):
    scenario = run.scenario
    item = run.run_injects.order_by("id").last()
    return {
        "scenario": reverse("exercises:scenario", args=[scenario.pk]),
        "run": reverse("exercises:run", args=[run.pk]),
        "pdf": reverse("exercises:run_report", args=[run.pk, "pdf"]),
        "docx": reverse("exercises:run_report", args=[run.pk, "docx"]),
        "timeline": reverse("exercises:run_timeline", args=[run.pk]),
        "pause": reverse("exercises:run_action", args=[run.pk, "pause"]),
        "skip": reverse("exercises:run_inject_action", args=[run.pk, item.pk, "skip"]),
        "score": reverse("exercises:run_score", args=[run.pk]),
        "feedback": reverse("exercises:run_feedback", args=[run.pk]),
        "import": reverse("exercises:scenario_import", args=[scenario.pk]),
        "new_run": reverse("exercises:run_create", args=[scenario.pk]),
        "copy": reverse("exercises:scenario_copy", args=[scenario.pk]),
    }


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_see_nothing(run, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert "Ransomware drill" not in client.get(reverse("exercises:list")).content.decode()
    for name, url in _pages(run).items():
        method = (
            client.get if name in ("scenario", "run", "pdf", "docx", "timeline") else client.post
        )
        assert method(url).status_code == 404, name


def test_anonymous_is_sent_to_sign_in(run, client):
    for url in _pages(run).values():
        assert client.get(url).status_code in (302, 405)


def test_the_player_sees_their_injects_not_the_plan(run, client_for, bert):
    client = client_for(bert)
    page = client.get(reverse("exercises:scenario", args=[run.scenario.pk])).content.decode()
    assert 'data-testid="plan"' not in page and 'data-testid="players"' not in page
    assert "Which indicators" not in page  # the second inject is not sent yet
    page = client.get(reverse("exercises:run", args=[run.pk])).content.decode()
    assert "Ransomware at the power grid operator" in page
    assert "Which indicators" not in page
    assert 'data-testid="controls"' not in page and 'data-testid="scores"' not in page
    pages = _pages(run)
    assert client.get(pages["pdf"]).status_code == 404
    assert client.post(pages["pause"]).status_code == 403
    assert client.post(pages["score"], {"item": 1, "state": 1, "score": 3}).status_code == 403
    assert client.post(pages["import"]).status_code == 403
    assert client.post(pages["new_run"], {"speed": 1}).status_code == 403
    assert client.post(pages["copy"]).status_code == 403


def test_evaluator_sees_plan_and_scores_observer_follows(run, client_for, ella, olga, state_b):
    client = client_for(ella)
    page = client.get(reverse("exercises:run", args=[run.pk])).content.decode()
    assert 'data-testid="scores"' in page and 'data-testid="controls"' not in page
    plan = client.get(reverse("exercises:scenario", args=[run.scenario.pk])).content.decode()
    # The players by level, from the directory: MNG's CERT (bert) and ministry (bob).
    assert 'data-testid="players"' in plan and "MonCIRT" in plan and "Ministry" in plan
    item = run.run_injects.order_by("id").first()
    response = client.post(
        reverse("exercises:run_score", args=[run.pk]),
        {"item": item.pk, "state": state_b.pk, "score": 4, "comment": "Quick"},
    )
    assert response.status_code == 302
    assert item.scores.get().score == 4
    client = client_for(olga)
    page = client.get(reverse("exercises:run", args=[run.pk])).content.decode()
    assert 'data-testid="timeline"' in page and 'data-testid="scores"' not in page
    assert "Which indicators" not in page  # a pending inject's text is the plan
    plan = client.get(reverse("exercises:scenario", args=[run.scenario.pk])).content.decode()
    assert 'data-testid="plan"' not in plan
    assert client.post(_pages(run)["pause"]).status_code == 403
    assert client.get(_pages(run)["pdf"]).status_code == 200


def test_console_actions_and_live_partial(run, client_for, sam, bert):
    client = client_for(sam)
    pages = _pages(run)
    page = client.get(pages["run"]).content.decode()
    assert 'hx-trigger="every 5s"' in page and 'data-testid="controls"' in page
    hotline.message_acknowledge(actor=bert, message=Message.objects.get())
    partial = client.get(pages["timeline"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<section class="card" id="timeline"')
    assert 'data-cell="acknowledged"' in partial
    response = client.post(pages["pause"], HTTP_HX_REQUEST="true")
    assert 'data-status="paused"' in response.content.decode()
    client.post(reverse("exercises:run_action", args=[run.pk, "resume"]))
    item = RunInject.objects.filter(run=run, status="pending").get()
    client.post(reverse("exercises:run_inject_action", args=[run.pk, item.pk, "now"]))
    item.refresh_from_db()
    assert item.status == "sent"
    client.post(reverse("exercises:run_action", args=[run.pk, "end"]))
    run.refresh_from_db()
    assert run.status == "ended"
    assert client.post(reverse("exercises:run_action", args=[run.pk, "bogus"])).status_code == 404


def test_import_reports_rows_and_keeps_nothing(scenario, client_for, sam):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(sam)
    before = scenario.injects.count()
    bad = (
        "offset,kind,recipients,text,expectation\n"
        "0,incident_notification,MNG,Alert,acknowledge 15m\n"
        "soon,unknown,THA,,reply\n"
    )
    url = reverse("exercises:scenario_import", args=[scenario.pk])
    response = client.post(url, {"file": SimpleUploadedFile("plan.csv", bad.encode())})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="import-problems"' in page and "soon" in page
    assert scenario.injects.count() == before
    good = "offset,inject kind,recipients,text,expectation\n1h30m,request_information,MNG,Ask\n"
    response = client.post(url, {"file": SimpleUploadedFile("plan.csv", good.encode())})
    assert response.status_code == 302
    assert scenario.injects.get(subject="Ask").offset == timedelta(minutes=90)


def test_list_query_count(scenario, client_for, sam, django_assert_max_num_queries):
    client = client_for(sam)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("exercises:list")).status_code == 200


def test_scenario_created_from_the_page(client_for, sam, cica, state_a, state_b, state_c):
    client = client_for(sam)
    assert 'data-testid="new-scenario"' in client.get(reverse("exercises:list")).content.decode()
    data = {
        "title": "Page drill",
        "organisation": cica.pk,
        "control_cell": "secretariat",
        "sender_state": state_a.pk,
        "states": [state_b.pk, state_c.pk],
        "level": "technical",
    }
    response = client.post(reverse("exercises:scenario_create"), data)
    assert response.status_code == 302
    scenario = Scenario.objects.get(title="Page drill")
    assert {s.iso3 for s in scenario.states.all()} == {"KAZ", "MNG", "THA"}


def test_scenario_form_shows_a_service_refusal_beside_its_field(client_for, sam, cica, state_a):
    from cbmhub.directory.models import State

    outsider = State.objects.create(name="Nowhere", iso2="NW", iso3="NWH")
    data = {
        "title": "Bad drill",
        "organisation": cica.pk,
        "control_cell": "secretariat",
        "sender_state": state_a.pk,
        "states": [outsider.pk],
        "level": "technical",
    }
    response = client_for(sam).post(reverse("exercises:scenario_create"), data)
    assert response.status_code == 400 and "NWH" in response.content.decode()


@pytest.mark.parametrize("who", ["bert", "carol", "olga"])
def test_only_secretariat_focal_points_and_operators_create(client_for, request, who, bob):
    response = client_for(request.getfixturevalue(who)).get(reverse("exercises:scenario_create"))
    assert response.status_code == 403
