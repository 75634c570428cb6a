"""A note's PDF and DOCX, read back by independent readers (pdftotext, pandoc)."""

from __future__ import annotations

import subprocess

import pytest

from cbmhub.core.publishing import render_docx, render_pdf
from cbmhub.meetings import services
from cbmhub.meetings.notes import note_publication

pytestmark = pytest.mark.django_db


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "note.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pandoc(data: bytes, tmp_path) -> str:
    path = tmp_path / "note.docx"
    path.write_bytes(data)
    return subprocess.run(
        ["pandoc", "-f", "docx", "-t", "plain", "--wrap=none", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_english_and_russian_versions_read_back(note, sam, document, tmp_path):
    services.enclosure_add(
        actor=sam, note=note, title="Draft statement", document=document, pages=21
    )
    note = services.note_issue(actor=sam, note=note)
    en, ru = note.versions.order_by("language")
    pdf = pdftotext(render_pdf(note_publication(note, en, None)), tmp_path)
    assert "№ SWG/OI/1262" in pdf
    assert "presents its compliments to the Member States" in pdf
    assert "The documents of the SWG meeting are enclosed." in pdf
    assert "Enclosure: as stated, on 21 p." in pdf
    assert "Astana, " in pdf and "2022" in pdf
    docx = pandoc(render_docx(note_publication(note, ru, None)), tmp_path)
    assert "№ SWG/OI/1262" in docx
    assert "свидетельствует свое уважение" in docx
    assert "Документы заседания СРГ прилагаются." in docx


def test_formulas_the_secretariat_wrote_are_used(note, sam, cica, tmp_path):
    services.formula_set(
        actor=sam,
        organisation=cica,
        language="en",
        sender="CICA Secretariat",
        opening="The {sender} greets {addressees}.",
        closing="With respect, the {sender}.",
        addressees_members="the CICA Member States",
    )
    note = services.note_issue(actor=sam, note=note)
    en = note.versions.get(language="en")
    from cbmhub.meetings.selectors import formula_for

    text = pandoc(render_docx(note_publication(note, en, formula_for(note, "en"))), tmp_path)
    assert "The CICA Secretariat greets the CICA Member States." in text
    assert "With respect, the CICA Secretariat." in text
