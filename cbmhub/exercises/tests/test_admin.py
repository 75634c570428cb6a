"""The admin: operators read the exercises' tables; nobody else gets in; runs are not added or
driven there; who answered the questionnaire is not shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cbmhub.exercises import services

MODELS = ["scenario", "inject", "run", "score", "feedback"]


@pytest.fixture
def answered(scenario, sam, bert):
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run)
    services.feedback_submit(actor=bert, run=run, to_improve="Announce drills earlier.")
    return run


def test_operator_reads_every_table(answered, client_for, root):
    client = client_for(root)
    for model in MODELS:
        assert client.get(reverse(f"admin:exercises_{model}_changelist")).status_code == 200
    page = client.get(reverse("admin:exercises_run_change", args=[answered.pk])).content.decode()
    assert "Ransomware at the power grid operator" in page
    assert client.get(reverse("admin:exercises_run_add")).status_code == 403
    feedback = answered.feedback.get()
    page = client.get(reverse("admin:exercises_feedback_change", args=[feedback.pk]))
    assert "Announce drills earlier." in page.content.decode()
    assert "bert" not in page.content.decode().split('id="content"')[1]


@pytest.mark.parametrize("who", ["sam", "bert", "carol", "olga", "ella"])
def test_nobody_else_gets_in(answered, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    for model in MODELS:
        response = client.get(reverse(f"admin:exercises_{model}_changelist"))
        assert response.status_code == 302 and "/login/" in response["Location"]
