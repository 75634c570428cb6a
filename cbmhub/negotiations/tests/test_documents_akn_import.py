"""A UN resolution in Akoma Ntoso as a document and its revision (service and command)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from cbmhub.conftest import SHARED_DIR
from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import notation, services
from cbmhub.negotiations.documents.docx import DocMeta, export_docx
from cbmhub.negotiations.models import Document, Revision

pytestmark = pytest.mark.django_db

EN = SHARED_DIR / "data/unsc/2024/English/S_RES_2722-2400437E.xml"
RU = SHARED_DIR / "data/unsc/2024/Russian/S_RES_2722-2400437R.xml"
DRAFT = next(iter(sorted((SHARED_DIR / "data/unsc/Not adopted/English").glob("*.xml"))))


def test_a_resolution_becomes_a_document_and_its_adopted_revision(negotiation):
    result = services.document_import_akn(
        actor=SYSTEM, negotiation=negotiation, data=EN.read_bytes(), source_name=EN.name
    )
    revision = result.revision
    document = revision.document
    assert (document.symbol, document.title, document.language) == (
        "S/RES/2722 (2024)",
        "Resolution 2722 (2024)",
        "en",
    )
    assert (revision.kind, revision.label, str(revision.date)) == (
        "adopted",
        "Adopted text",
        "2024-01-10",
    )
    assert revision.source_text.startswith("The Security Council,\n\nPP1. Reaffirming")
    analysis = notation.analyse(notation.parse(revision.source_text))
    assert [p.key for p in analysis.paragraphs if p.kind == "operative"][:3] == ["1", "2", "3"]
    again = services.document_import_akn(
        actor=SYSTEM, negotiation=negotiation, data=EN.read_bytes(), source_name=EN.name
    )
    assert not again.created and again.revision.pk == revision.pk
    assert Document.objects.filter(symbol="S/RES/2722 (2024)").count() == 1


def test_russian_and_draft_resolutions(negotiation):
    ru = services.document_import_akn(actor=SYSTEM, negotiation=negotiation, data=RU.read_bytes())
    assert ru.revision.document.language == "ru"
    draft = services.document_import_akn(
        actor=SYSTEM, negotiation=negotiation, data=DRAFT.read_bytes()
    )
    assert draft.revision.kind == "draft"


def test_a_broken_file_stores_nothing(negotiation):
    with pytest.raises(services.NegotiationsError, match="not well-formed XML") as info:
        services.document_import_akn(
            actor=SYSTEM, negotiation=negotiation, data=EN.read_bytes()[:3000], source_name="x.xml"
        )
    assert info.value.code == "unreadable"
    assert not Document.objects.exists() and not Revision.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "carol", "sara", "olga"])
def test_only_the_secretariat_adds_a_resolution(negotiation, request, persona):
    with pytest.raises(Forbidden):
        services.document_import_akn(
            actor=request.getfixturevalue(persona), negotiation=negotiation, data=EN.read_bytes()
        )
    assert not Document.objects.exists()


def test_command_imports_a_resolution_and_a_word_file(negotiation, document, tmp_path):
    out = io.StringIO()
    call_command("revision_import", "--negotiation", str(negotiation.pk), str(EN), stdout=out)
    assert "S/RES/2722 (2024) Adopted text imported" in out.getvalue()
    word = tmp_path / "rev.docx"
    word.write_bytes(export_docx(notation.parse("PP1. From *Word*.\n"), DocMeta()))
    out = io.StringIO()
    call_command(
        "revision_import", "--document", str(document.pk), str(word), "--kind", "draft", stdout=out
    )
    assert document.revisions.get().source_text == "PP1. From *Word*.\n"
    with pytest.raises(CommandError, match="no negotiation 999"):
        call_command("revision_import", "--negotiation", "999", str(EN))
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04broken")
    with pytest.raises(CommandError, match="cannot be read as a Word document"):
        call_command(
            "revision_import", "--document", str(document.pk), str(broken), "--kind", "draft"
        )
