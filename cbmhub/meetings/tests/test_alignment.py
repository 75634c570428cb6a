"""A note's language versions side by side, with a paragraph missing or extra flagged (the
shared aligner of core/alignment.py does the pairing)."""

from __future__ import annotations

import pytest

from cbmhub.meetings import package, selectors
from cbmhub.meetings.models import NoteVersion


def version(language: str, status: str, body: str) -> NoteVersion:
    return NoteVersion(language=language, status=status, body=body)


def test_missing_and_extra_paragraphs_are_flagged():
    en = version("en", "original", "1. First 2022.\n\n2. Second 45.\n\n3. Third 1262.")
    ru = version("ru", "translation", "1. Первый 2022.\n\n3. Третий 1262.\n\n4. Лишний 77.")
    rows = selectors.aligned_versions([en, ru])
    assert rows is not None
    assert [r.flag for r in rows] == ["", "missing", "", "extra"]
    assert rows[1].cells[0].text.startswith("2.") and rows[1].cells[1].text == ""
    assert rows[3].cells[0].text == "" and rows[3].cells[1].text.startswith("4.")


def test_one_version_is_not_aligned():
    assert selectors.aligned_versions([version("en", "original", "Text.")]) is None


def test_the_three_versions_of_corpus_004(corpus_004):
    split = package.split_package(corpus_004)
    versions = [
        version(v.language, "original" if i == 0 else "translation", v.text)
        for i, v in enumerate(split.versions)
    ]
    rows = selectors.aligned_versions(versions)
    assert rows is not None
    assert [c.language for c in rows[0].cells] == ["en", "ru", "kk"]
    paired = [r for r in rows if not r.flag]
    # The list of the six documents is one paragraph in each version; the three line up.
    listing = next(r for r in paired if "Recommendations of the SWG" in r.cells[0].text)
    assert "Рекомендации СРГ" in listing.cells[1].text
    assert "АЖТ ұсыныстары" in listing.cells[2].text
    # The Kazakh version has no letterhead: the letterhead rows are flagged missing.
    assert rows[0].flag == "missing" and rows[0].cells[2].text == ""


@pytest.mark.django_db
def test_note_page_shows_the_alignment(client_for, note, sam):
    page = client_for(sam).get(f"/meetings/notes/{note.pk}/").content.decode()
    assert 'data-testid="aligned"' in page and "Документы заседания" in page
