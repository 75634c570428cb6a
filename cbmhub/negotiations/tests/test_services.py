"""revision_import keeps the text verbatim, refuses what is not UTF-8 text with the place of
the problem, never duplicates a retry, and checks who may import; documents and negotiations
are created by the secretariat of their organisation only."""

from __future__ import annotations

import hashlib

import pytest

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import services
from cbmhub.negotiations.models import Revision
from cbmhub.negotiations.services import NegotiationsError

from .conftest import SHORT_TEXT

pytestmark = pytest.mark.django_db


def test_import_keeps_every_character_and_the_hash_of_the_bytes(document, sam):
    # BOM, CRLF and a lone CR, tabs, trailing spaces, non-Latin scripts, a non-breaking space.
    data = "\ufeffПП1. [Текст]\u00a0(+КАЗ)\t \r\nOP1. 中文 [x] (-CHN)  \rOP2. end \n\n".encode()
    result = services.revision_import(
        actor=sam, document=document, data=data, kind="draft", source_name="d.txt"
    )
    revision = Revision.objects.get(pk=result.revision.pk)
    assert result.created
    assert revision.source_text.encode("utf-8") == data
    assert revision.source_sha256 == hashlib.sha256(data).hexdigest()
    assert revision.label == "Draft"
    assert revision.imported_by == sam
    assert revision.source_name == "d.txt"


def test_import_caches_totals_and_labels_a_revision(document, sam):
    revision = services.revision_import(
        actor=sam, document=document, data=SHORT_TEXT, kind="rev", number=3
    ).revision
    assert revision.label == "Rev.3"
    assert revision.totals["paragraphs"] == 4
    assert revision.totals["bracketed"] == 2
    assert revision.totals["errors"] == 1


def test_import_refuses_bytes_that_are_not_utf8_saying_where(document, sam):
    data = b"PP1. first line\nPP2. caf" + b"\xe9 latin-1\n"
    with pytest.raises(NegotiationsError) as caught:
        services.revision_import(
            actor=sam, document=document, data=data, kind="draft", source_name="old.txt"
        )
    assert caught.value.code == "not_utf8"
    message = caught.value.message
    assert "old.txt is not UTF-8" in message
    assert "0xe9" in message and "offset 24" in message and "line 2, byte 9" in message
    assert not Revision.objects.exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"PP1. a\x00b", "not_text"), (b"  \n\n", "empty"), ("", "empty")],
)
def test_import_refuses_nul_and_empty_text(document, sam, data, code):
    with pytest.raises(NegotiationsError) as caught:
        services.revision_import(actor=sam, document=document, data=data, kind="draft")
    assert caught.value.code == code


def test_import_refuses_an_oversized_file(document, sam, monkeypatch):
    monkeypatch.setattr(services, "MAX_SOURCE_BYTES", 10)
    with pytest.raises(NegotiationsError) as caught:
        services.revision_import(actor=sam, document=document, data=b"PP1. " * 5, kind="draft")
    assert caught.value.code == "too_large"


def test_a_retry_returns_the_first_revision(document, sam):
    first = services.revision_import(
        actor=sam, document=document, data=SHORT_TEXT, kind="rev", number=1
    )
    again = services.revision_import(
        actor=sam, document=document, data=SHORT_TEXT.encode(), kind="rev", number=1
    )
    assert first.created and not again.created
    assert again.revision.pk == first.revision.pk
    assert Revision.objects.count() == 1


def test_a_rev_number_with_another_text_is_refused(document, sam):
    services.revision_import(actor=sam, document=document, data=SHORT_TEXT, kind="rev", number=1)
    with pytest.raises(NegotiationsError) as caught:
        services.revision_import(
            actor=sam, document=document, data=SHORT_TEXT + "OP3. more\n", kind="rev", number=1
        )
    assert caught.value.code == "conflict"
    assert "Rev.1" in caught.value.message


@pytest.mark.parametrize(
    ("kind", "number", "field"),
    [("rev", None, "number"), ("draft", 2, "number"), ("final", None, "kind")],
)
def test_kind_and_number_must_agree(document, sam, kind, number, field):
    with pytest.raises(NegotiationsError) as caught:
        services.revision_import(
            actor=sam, document=document, data=SHORT_TEXT, kind=kind, number=number
        )
    assert caught.value.field == field
    assert caught.value.details == [{"field": field, "message": caught.value.message}]


@pytest.mark.parametrize("persona", ["alice", "anna", "carol", "olga", "sara"])
def test_only_the_secretariat_of_the_organisation_imports(document, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(Forbidden) as caught:
        services.revision_import(actor=user, document=document, data=SHORT_TEXT, kind="draft")
    assert caught.value.status_code == 403
    assert not Revision.objects.exists()


def test_operator_and_command_line_may_import(document, root):
    by_root = services.revision_import(actor=root, document=document, data="a", kind="draft")
    by_cli = services.revision_import(actor=SYSTEM, document=document, data="b", kind="podium")
    assert by_root.revision.imported_by == root
    assert by_cli.revision.imported_by is None


def test_no_actor_is_refused_not_a_silent_pass(document, cica):
    """``actor=None`` used to skip every check (the command line's way in); only the explicit
    SYSTEM actor passes now, so a caller that forgets its actor is refused."""
    with pytest.raises(Forbidden):
        services.revision_import(actor=None, document=document, data="a", kind="draft")
    with pytest.raises(Forbidden):
        services.negotiation_create(actor=None, organisation=cica, title="T")
    with pytest.raises(Forbidden):
        services.document_create(
            actor=None, negotiation=document.negotiation, symbol="S/9", title="T"
        )
    assert not Revision.objects.exists()


def test_negotiation_and_document_creation_is_for_the_secretariat(cica, sam, alice, swg):
    negotiation = services.negotiation_create(actor=sam, organisation=cica, title="T", body=swg)
    document = services.document_create(
        actor=sam, negotiation=negotiation, symbol=" SWG/1 ", title="Draft"
    )
    assert document.organisation == cica and document.body == swg and document.symbol == "SWG/1"
    with pytest.raises(Forbidden) as caught:
        services.negotiation_create(actor=alice, organisation=cica, title="Other")
    assert caught.value.status_code == 403
    with pytest.raises(Forbidden):
        services.document_create(actor=alice, negotiation=negotiation, symbol="X", title="Y")


def test_document_symbol_is_unique_in_its_organisation(negotiation):
    services.document_create(actor=SYSTEM, negotiation=negotiation, symbol="S/1", title="A")
    with pytest.raises(NegotiationsError) as caught:
        services.document_create(actor=SYSTEM, negotiation=negotiation, symbol="S/1", title="B")
    assert caught.value.code == "invalid"


def test_body_must_belong_to_the_organisation(negotiation, asean):
    from cbmhub.directory.models import Body

    other = Body.objects.create(organisation=asean, name="ISM", kind="working_group")
    with pytest.raises(NegotiationsError) as caught:
        services.document_create(
            actor=SYSTEM, negotiation=negotiation, symbol="S/2", title="A", body=other
        )
    assert caught.value.field == "body"
    assert caught.value.details[0]["field"] == "body"
    with pytest.raises(NegotiationsError) as caught:
        services.negotiation_create(
            actor=SYSTEM, organisation=negotiation.organisation, title="B", body=other
        )
    assert caught.value.field == "body" and "ISM is not a body of CICA" in caught.value.message


def test_demo_loads_two_revisions_once():
    from io import StringIO

    from cbmhub.accounts import demo as accounts_demo
    from cbmhub.directory import demo as directory_demo
    from cbmhub.negotiations import demo
    from cbmhub.negotiations.models import Document

    directory_demo.load()
    accounts_demo.load()
    out = StringIO()
    assert demo.load(stdout=out) == {"documents": 1, "revisions": 2}
    assert demo.load(stdout=out) == {}
    document = Document.objects.get(symbol=demo.SYMBOL)
    labels = [r.label for r in document.revisions.order_by("date")]
    assert labels == ["Rev.1", "Rev.2"]
    first = document.revisions.first()
    assert first is not None and first.imported_by is not None
    assert first.imported_by.username == "secretariat"
    assert "already loaded" in out.getvalue()
