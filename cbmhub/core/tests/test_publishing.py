"""core/publishing.py: the same publication as PDF and DOCX, read back by independent readers."""

import shutil
import subprocess

import pytest

from cbmhub.core.publishing import (
    Contents,
    Heading,
    PageBreak,
    Paragraph,
    Publication,
    Table,
    render_docx,
    render_pdf,
)


def _publication() -> Publication:
    return Publication(title="Progress report 2026", language="ru", subtitle="Astana").add(
        Contents("Contents"),
        Heading("Итоги года", 1),
        Paragraph("Қазақстан Республикасы: five of six initiatives held."),
        Table(["State", "Held", "Planned"], [["KZ", "5", "6"], ["RU", "2", "3"]], "Figures"),
        PageBreak(),
        Heading("Annex", 2),
        Paragraph("Астана, 4 October 2022", "right"),
    )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: scripts/test.sh installs it")
    return path


def test_pdf_reads_back_with_pdftotext(tmp_path):
    pdf = render_pdf(_publication())
    assert pdf.startswith(b"%PDF")
    (tmp_path / "p.pdf").write_bytes(pdf)
    text = subprocess.run(
        [_tool("pdftotext"), str(tmp_path / "p.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in (
        "Progress report 2026",
        "Итоги года",
        "Қазақстан",
        "KZ",
        "Annex",
        "1/2",
        "2/2",
    ):
        assert expected in text


def test_docx_reads_back_with_pandoc(tmp_path):
    (tmp_path / "p.docx").write_bytes(render_docx(_publication()))
    text = subprocess.run(
        [_tool("pandoc"), "-f", "docx", "-t", "plain", str(tmp_path / "p.docx")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in ("Progress report 2026", "Итоги года", "Қазақстан", "KZ", "Annex"):
        assert expected in text
    assert text.index("Итоги года") < text.index("Annex")
