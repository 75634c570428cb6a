"""The exercises demo: a scenario and one finished run, played on the hotline; idempotent."""

import pytest
from django.core.management import call_command

from cbmhub.exercises import selectors
from cbmhub.exercises.models import Run, Scenario
from cbmhub.hotline.models import Message


@pytest.mark.django_db
def test_demo_scenario_and_one_finished_run_twice_the_same():
    call_command("demo", stdout=open("/dev/null", "w"))
    counts = (Scenario.objects.count(), Run.objects.count(), Message.objects.count())
    run = Run.objects.get()
    assert run.status == "ended"
    results = selectors.run_results(run)
    by_state = {s.iso3: f for s, f in results.by_state}
    # Mongolia: incident (ack 6 min, reply 38 min) and question (ack 7 min); Thailand:
    # incident (ack 24 min, late); the check is answered by nobody.
    assert (by_state["MNG"].acknowledged, by_state["MNG"].replied) == (2, 1)
    assert by_state["MNG"].median_ack == 390.0
    assert (by_state["THA"].acknowledged, by_state["THA"].median_ack) == (1, 1440.0)
    assert results.overall.unanswered == 2  # the check, by both states
    call_command("demo", stdout=open("/dev/null", "w"))
    assert (Scenario.objects.count(), Run.objects.count(), Message.objects.count()) == counts


@pytest.mark.django_db
def test_report_command_writes_the_demo_run(tmp_path):
    import subprocess

    call_command("demo", stdout=open("/dev/null", "w"))
    run = Run.objects.get()
    out = tmp_path / "aar.docx"
    call_command("exercise_report", str(run.pk), "-o", str(out), stdout=open("/dev/null", "w"))
    text = subprocess.run(
        ["pandoc", "-f", "docx", "-t", "plain", str(out)], capture_output=True, text=True
    ).stdout
    assert "Regional CERT incident drill (demo)" in text and "Mongolia" in text
    with pytest.raises(Exception, match="no such run"):
        call_command("exercise_report", "999999", "-o", str(out))
