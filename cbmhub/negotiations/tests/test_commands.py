"""`cbmhub revision_import`: by id or symbol, from a file or stdin, with clear errors."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations.models import Revision

from .conftest import SHORT_TEXT

pytestmark = pytest.mark.django_db


def test_import_a_file_by_symbol(document, tmp_path):
    path = tmp_path / "rev3.txt"
    data = SHORT_TEXT.replace("\n", "\r\n").encode()
    path.write_bytes(data)
    out = io.StringIO()
    call_command(
        "revision_import",
        "--document",
        "SWG/OI/9001",
        str(path),
        "--kind",
        "rev",
        "--number",
        "3",
        "--date",
        "2026-01-31",
        stdout=out,
    )
    revision = Revision.objects.get()
    assert revision.source_text.encode() == data and revision.label == "Rev.3"
    assert revision.imported_by is None and revision.source_name == "rev3.txt"
    assert "SWG/OI/9001 Rev.3 imported" in out.getvalue()


def test_import_from_stdin_by_id_under_a_user(document, sam):
    stdin = io.BytesIO(SHORT_TEXT.encode())
    call_command(
        "revision_import",
        "--document",
        str(document.pk),
        "-",
        "--kind",
        "podium",
        "--user",
        "sam",
        stdin=stdin,
        stdout=io.StringIO(),
    )
    assert Revision.objects.get().imported_by == sam


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--document", "NOPE/1", "FILE"], "no document with id or symbol 'NOPE/1'"),
        (["--document", "SWG/OI/9001", "FILE", "--kind", "rev"], "needs its number"),
        (["--document", "SWG/OI/9001", "FILE", "--date", "31.1.2026"], "YYYY-MM-DD"),
        (["--document", "SWG/OI/9001", "/nonexistent.txt", "--kind", "draft"], "no such file"),
        (["--document", "SWG/OI/9001", "FILE", "--kind", "draft", "--user", "ghost"], "no user"),
    ],
)
def test_errors_are_one_line_with_status_2(document, tmp_path, args, message):
    path = tmp_path / "t.txt"
    path.write_bytes(b"PP1. x")
    args = [str(path) if a == "FILE" else a for a in args]
    with pytest.raises(CommandError) as caught:
        call_command("revision_import", *args, stdout=io.StringIO())
    assert message in str(caught.value)
    assert caught.value.returncode == 2


def test_not_utf8_names_the_file(document, tmp_path):
    path = tmp_path / "cp1251.txt"
    path.write_bytes("ПП1. текст".encode("cp1251"))
    with pytest.raises(CommandError, match=r"cp1251.txt is not UTF-8 text: byte 0xcf at offset 0"):
        call_command("revision_import", "--document", "SWG/OI/9001", str(path), "--kind", "draft")


def test_a_user_who_may_not_import_is_refused(document, alice, tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"PP1. x")
    with pytest.raises(CommandError, match="may not import"):
        call_command(
            "revision_import",
            "--document",
            "SWG/OI/9001",
            str(path),
            "--kind",
            "draft",
            "--user",
            "alice",
        )


def test_an_ambiguous_symbol_asks_for_the_organisation(document, asean, tmp_path):
    from cbmhub.negotiations import services

    negotiation = services.negotiation_create(actor=SYSTEM, organisation=asean, title="N")
    services.document_create(actor=SYSTEM, negotiation=negotiation, symbol="SWG/OI/9001", title="T")
    path = tmp_path / "t.txt"
    path.write_bytes(b"PP1. x")
    with pytest.raises(CommandError, match="ACRONYM:SWG/OI/9001"):
        call_command("revision_import", "--document", "SWG/OI/9001", str(path), "--kind", "draft")
    call_command(
        "revision_import",
        "--document",
        "cica:SWG/OI/9001",
        str(path),
        "--kind",
        "draft",
        stdout=io.StringIO(),
    )
    assert Revision.objects.get().document == document
