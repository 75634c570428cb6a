"""The after-action report's figures against a hand-counted run, read back from the PDF with
pdftotext and from the DOCX with pandoc (independent readers).

The run (clock ×1, T0 = 08:00): lead state KAZ; MNG (bert) and THA (carol) play.
- inject 1, +0:00, incident notification to MNG and THA; expect acknowledge 15 min, reply 1 h.
  bert acknowledges at +0:05 and replies at +0:30; carol acknowledges at +0:20 (late), no reply.
- inject 2, +0:10, request for information to MNG; expect acknowledge 15 min.
  bert acknowledges at +0:12 (2 min after it went out).
- inject 3, +0:20, note verbale to THA; nobody acknowledges.
By hand: MNG 2 injects, 2 acknowledged, median (5 min, 2 min) = 0:03:30, 1 answered in
0:30:00, expectations 3 / 3, unanswered 0. THA 2 injects, 1 acknowledged in 0:20:00, 0
answered, expectations 0 / 2, unanswered 1 (inject 3). Overall 4 injects, 3 acknowledged,
median (5, 2, 20 min) = 0:05:00, expectations 3 / 5, unanswered 1.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from cbmhub.core.publishing import render_docx, render_pdf
from cbmhub.core.roles import SYSTEM
from cbmhub.exercises import report, selectors, services
from cbmhub.exercises.services import InjectSpec
from cbmhub.hotline import services as hotline
from cbmhub.hotline.models import Message

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _at(minutes):
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def played(cica, state_a, state_b, state_c, sam, bert, carol, ella, olga):
    scenario = services.scenario_create(
        actor=sam,
        organisation=cica,
        title="Grid drill",
        sender_state=state_a,
        states=[state_b, state_c],
        objectives="Exercise the CERT line.",
        members=[(ella, "evaluator"), (olga, "observer")],
    )
    specs = [
        InjectSpec(
            offset=timedelta(0),
            kind="incident_notification",
            subject="Grid incident",
            recipients=[state_b, state_c],
            expectations=[("acknowledge", timedelta(minutes=15)), ("reply", timedelta(hours=1))],
        ),
        InjectSpec(
            offset=timedelta(minutes=10),
            kind="request_information",
            subject="Indicators?",
            recipients=[state_b],
            expectations=[("acknowledge", timedelta(minutes=15))],
        ),
        InjectSpec(
            offset=timedelta(minutes=20),
            kind="note_verbale",
            subject="Consultations",
            recipients=[state_c],
        ),
    ]
    for spec in specs:
        services.inject_add(actor=sam, scenario=scenario, spec=spec)
    run = services.run_create(actor=sam, scenario=scenario)
    services.run_start(actor=sam, run=run, now=T0)
    services.runs_step(actor=SYSTEM, now=T0)
    grid_b = Message.objects.get(subject__endswith="Grid incident", receipts__state=state_b)
    grid_c = Message.objects.get(subject__endswith="Grid incident", receipts__state=state_c)
    hotline.message_acknowledge(actor=bert, message=grid_b, now=_at(5))
    services.runs_step(actor=SYSTEM, now=_at(10))
    hotline.message_acknowledge(
        actor=bert, message=Message.objects.get(subject__endswith="Indicators?"), now=_at(12)
    )
    hotline.message_acknowledge(actor=carol, message=grid_c, now=_at(20))
    services.runs_step(actor=SYSTEM, now=_at(20))
    hotline.message_reply(actor=bert, message=grid_b, body="Assessment: contained.", now=_at(30))
    services.score_set(
        actor=ella,
        run_inject=run.run_injects.get(inject__subject="Grid incident"),
        state=state_b,
        score=4,
        comment="Quick and complete.",
    )
    services.feedback_submit(actor=bert, run=run, to_improve="Keep the contact list current.")
    return services.run_end(actor=sam, run=run, now=_at(60))


def test_figures_from_the_records(played):
    results = selectors.run_results(played)
    by_state = {s.iso3: f for s, f in results.by_state}
    mng, tha = by_state["MNG"], by_state["THA"]
    assert (mng.injects, mng.acknowledged, mng.median_ack, mng.replied) == (2, 2, 210.0, 1)
    assert (mng.median_reply, mng.met, mng.expected, mng.unanswered) == (1800.0, 3, 3, 0)
    assert (tha.injects, tha.acknowledged, tha.median_ack, tha.replied) == (2, 1, 1200.0, 0)
    assert (tha.met, tha.expected, tha.unanswered) == (0, 2, 1)
    overall = results.overall
    assert (overall.injects, overall.acknowledged, overall.median_ack) == (4, 3, 300.0)
    assert (overall.met, overall.expected, overall.unanswered) == (3, 5, 1)
    levels = {(s.iso3, level): f.acknowledged for s, level, f in results.by_state_level}
    assert levels == {("MNG", "technical"): 2, ("THA", "technical"): 1, ("THA", ""): 0}


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _docx_markdown(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.docx"
    path.write_bytes(data)
    return subprocess.run(
        ["pandoc", "-f", "docx", "-t", "gfm", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_docx_read_by_pandoc_has_the_hand_counted_rows(played, tmp_path):
    text = _docx_markdown(render_docx(report.run_report(played)), tmp_path)
    squeezed = " ".join(text.split())
    assert "| Mongolia (MNG) | 2 | 2 | 0:03:30 | 1 | 0:30:00 | 3 / 3 | 0 |" in squeezed
    assert "| Thailand (THA) | 2 | 1 | 0:20:00 | 0 | — | 0 / 2 | 1 |" in squeezed
    assert "| Median time to acknowledge | 0:05:00 |" in squeezed
    assert "| Expectations met | 3 / 5 |" in squeezed
    assert "| +0:20:00 | Consultations | THA |" in squeezed  # the unanswered inject
    assert "Quick and complete." in squeezed
    # The questionnaire is anonymised by default.
    assert "Respondent 1" in squeezed and "Keep the contact list current." in squeezed
    assert "bert" not in squeezed


def test_the_pdf_read_by_pdftotext_names_each_states_times(played, tmp_path):
    text = _pdf_text(render_pdf(report.run_report(played)), tmp_path)
    assert "After-action report: Grid drill, run 1" in text
    assert "Started 2026-03-02 08:00 · status Ended" in text
    # A table row may wrap a long name ("Mongolia" / "(MNG)"): read the figures after it.
    assert re.search(r"Mongolia\s+2\s+2\s+0:03:30\s+1\s+0:30:00\s+3\s*/\s*3\s+0\b", text)
    assert re.search(r"Thailand\s+2\s+1\s+0:20:00\s+0\s+—\s+0\s*/\s*2\s+1\b", text)
    assert re.search(r"Median time to acknowledge\s+0:05:00", text)
    assert "█" in text and "░" in text  # the timeline chart's bars
    assert "Comparison with earlier runs" in text


def test_comparison_with_earlier_runs(played, sam, tmp_path):
    second = services.run_create(actor=sam, scenario=played.scenario)
    second = services.run_start(actor=sam, run=second, now=_at(120))
    services.runs_step(actor=SYSTEM, now=_at(180))
    text = " ".join(_docx_markdown(render_docx(report.run_report(second)), tmp_path).split())
    assert "| 1 | 2026-03-02 | 4 | 75% | 0:05:00 | 0:30:00 | 3 / 5 |" in text
    assert "| 2 | 2026-03-02 | 4 | 0% | — | — | 0 / 5 |" in text


def test_report_downloads_in_one_click(played, client_for, sam, bert):
    client = client_for(sam)
    response = client.get(reverse("exercises:run_report", args=[played.pk, "pdf"]))
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
    response = client.get(reverse("exercises:run_report", args=[played.pk, "docx"]))
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert client.get(reverse("exercises:run_report", args=[played.pk, "odt"])).status_code == 404
