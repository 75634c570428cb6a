"""The progress report and the compiled publication as PDF and DOCX, read back by independent
readers (pdftotext from poppler, pandoc), in the reader's language."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cbmhub.core.publishing import render_docx, render_pdf
from cbmhub.core.roles import SYSTEM
from cbmhub.measures import outputs, services

from .conftest import submit


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: scripts/test.sh installs it")
    return path


def pdf_text(pub, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(render_pdf(pub))
    return subprocess.run(
        [_tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def docx_text(pub, tmp_path) -> str:
    path = tmp_path / "out.docx"
    path.write_bytes(render_docx(pub))
    return subprocess.run(
        [_tool("pandoc"), "-f", "docx", "-t", "plain", "--wrap=none", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture
def progress(plan, state_a, state_b, catalogue):
    held = {"status": "held", "lead_state": state_a}
    services.initiative_save(
        actor=SYSTEM,
        plan=plan,
        kind="workshop",
        title="Online workshop 2022",
        year=2022,
        participants=[state_a, state_b],
        **held,
    )
    services.initiative_save(
        actor=SYSTEM,
        plan=plan,
        kind="workshop",
        title="Online workshop 2023",
        year=2023,
        participants=[state_a],
        **held,
    )
    services.initiative_save(
        actor=SYSTEM,
        plan=plan,
        kind="seminar",
        title="Expert seminar",
        year=2023,
        status="postponed",
    )
    other = services.plan_create(
        actor=SYSTEM,
        measure=catalogue.measures.get(code="1.2"),
        title="White papers",
        from_year=2022,
        to_year=2023,
    )
    services.initiative_save(actor=SYSTEM, plan=other, kind="document", title="Template", year=2022)
    return plan


@pytest.mark.parametrize("reader", ["pdf", "docx"])
def test_progress_report_in_english(reader, progress, tmp_path, state_c):
    pub = outputs.plan_report(progress, language="en")
    text = (pdf_text if reader == "pdf" else docx_text)(pub, tmp_path)
    for expected in [
        "Progress report: Plan of implementation",
        "Contents",
        "Summary",
        "Initiatives held: 2 of 3 planned.",
        "Participation: 2 of 3 member states took part.",
        "Online workshop 2022",
        "Postponed",
        "Roll-up over the catalogue",
    ]:
        assert expected in text, expected
    # Roll-up: item 1 counts both plans below it (2 held of 4), 1.1 its own (2 of 3).
    rows = [" ".join(line.split()) for line in text.splitlines()]
    assert any(r.startswith("1 Military-political dimension 2 4") for r in rows), rows
    assert any(r.startswith("1.1 Exchange of information 2 3") for r in rows)
    # A sibling's plan counts in the parent's figures, but is not a row of this plan's report.
    assert not any(r.startswith("1.2 Defence white papers") for r in rows)


@pytest.mark.parametrize("reader", ["pdf", "docx"])
def test_progress_report_in_russian(reader, progress, tmp_path):
    text = (pdf_text if reader == "pdf" else docx_text)(
        outputs.plan_report(progress, language="ru"), tmp_path
    )
    assert "Отчёт о ходе выполнения" in text
    assert "Проведено мероприятий: 2 из 3 запланированных." in text


@pytest.mark.parametrize("reader", ["pdf", "docx"])
def test_publication_has_only_publishable_submissions(
    reader, alice, bob, state_a, state_b, cycle, catalogue, tmp_path
):
    public = catalogue.measures.get(code="1.1")
    submit(
        alice,
        cycle,
        public,
        state_a,
        visibility="public",
        title="Kazakhstan briefing",
        text="Our defence policy in 2026.",
    )
    submit(
        bob,
        cycle,
        public,
        state_b,
        visibility="public",
        kind="nil_return",
        text="",
        nil_since_year=2024,
    )
    submit(
        alice,
        cycle,
        catalogue.measures.get(code="1.2"),
        state_a,
        visibility="members",
        text="MEMBERS ONLY TEXT",
    )
    services.submission_save(
        actor=alice,
        cycle=cycle,
        measure=catalogue.measures.get(code="2.1"),
        state=state_a,
        kind="briefing",
        text="DRAFT TEXT",
        visibility="public",
    )
    text = (pdf_text if reader == "pdf" else docx_text)(
        outputs.cycle_publication(cycle, language="en"), tmp_path
    )
    assert "Annual exchange 2026" in text and "Contents" in text
    assert "1.1 Exchange of information" in text
    assert "Our defence policy in 2026." in text and "Nothing new since 2024." in text
    assert "MEMBERS ONLY TEXT" not in text and "DRAFT TEXT" not in text
    assert "2 publishable submission(s) from 2 state(s)." in text
    # The contents page lists the headings before the body repeats them.
    assert text.index("Kazakhstan") < text.index("Our defence policy")
