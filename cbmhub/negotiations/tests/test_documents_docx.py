"""Word in and out: export, tracked-changes comparison read back by pandoc, import."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import docx as python_docx
import pytest

from cbmhub.conftest import SHARED_DIR, shared_path
from cbmhub.negotiations import notation
from cbmhub.negotiations.documents.akn import import_akn
from cbmhub.negotiations.documents.docx import (
    DocMeta,
    DocxError,
    compare_docx,
    export_docx,
    import_docx,
)
from cbmhub.negotiations.tests.docreaders import pandoc_paragraphs, revised_copy, visible_paragraphs

META = DocMeta(
    title="Draft CICA Leaders' Statement",
    symbol="SWG/OI/1262",
    revision="Rev.3",
    date="2022-10-04",
    language="en",
    author="Special Working Group",
)
UNDOF_2023_JUNE = "data/unsc/2023/English/S_RES_2689_E.xml"
UNDOF_2023_DEC = "data/unsc/2023/English/S_RES_2718-2325849E.xml"


def corpus() -> str:
    return shared_path("corpus/004_b9720b24e8ee2ca3.txt").read_text(encoding="utf-8")


def analysed(text: str) -> notation.Analysis:
    return notation.analyse(notation.parse(text))


@pytest.mark.parametrize("name", sorted(p.name for p in (SHARED_DIR / "corpus").glob("*.txt")))
def test_round_trip_gives_the_identical_text(name):
    text = shared_path(f"corpus/{name}").read_text(encoding="utf-8")
    result = import_docx(export_docx(notation.parse(text), META))
    assert result.text == text
    assert result.changes == [] and result.comments == []
    assert result.title == META.title
    assert result.subtitle == "SWG/OI/1262 · Rev.3 · 2022-10-04"


@pytest.mark.parametrize(
    "text",
    [
        "PP1. a *b* **c** ***d*** ~~e~~ [f [g] (+CHN, -ISR)] (IND: keep)\tend\n",
        "\n\n  leading blank lines and spaces  \n\n\n",
        "line one\nline two of the same paragraph\n\n2. next\n\x0cpage two",
        "****\n\n~~*mixed*~~ *~~inside~~*\n\n*",  # markers that formatting cannot rebuild
        "ПП1. Признавая [важность] (+РФ) ~~текста~~;\n\nOP1. Қазақстан өңірлік ынтымақтастық",
        "",
    ],
)
def test_round_trip_of_markup_and_layout(text):
    assert import_docx(export_docx(notation.parse(text), META)).text == text


def test_export_shows_formatting_and_core_properties():
    text = "PP1. Keep ~~this~~ *and* **that** [bracketed [deeper]] (+CHN)"
    document = python_docx.Document(io.BytesIO(export_docx(notation.parse(text), META)))
    props = document.core_properties
    assert props.title == META.title
    assert props.subject == "SWG/OI/1262"
    assert props.version == "Rev.3"
    assert props.language == "en"
    assert props.author == "Special Working Group"
    title, subtitle, body = document.paragraphs[:3]
    assert title.style is not None and subtitle.style is not None
    assert (title.style.name, subtitle.style.name) == ("Title", "Subtitle")
    runs = {run.text: run for run in body.runs}
    assert runs["this"].font.strike and runs["and"].italic and runs["that"].bold
    assert "PP1." in runs and " Keep " in runs and "(+CHN)" in runs  # labels and tags: text
    xml = body._p.xml
    assert 'w:fill="E8E8E8"' in xml and 'w:fill="D0D0D0"' in xml  # shaded by depth
    styles = document.styles.element.xml
    assert 'w:val="en-GB"' in styles


def _pandoc_checks(path: Path, old: str, new: str) -> None:
    assert pandoc_paragraphs(path, "accept") == visible_paragraphs(new)
    assert pandoc_paragraphs(path, "reject") == visible_paragraphs(old)


def test_tracked_changes_on_the_corpus_text_read_by_pandoc(tmp_path):
    old, new = corpus(), revised_copy(corpus())
    comparison = notation.compare(analysed(old), analysed(new))
    assert comparison.counts["changed"] >= 3 and comparison.counts["removed"] >= 1
    path = tmp_path / "compare.docx"
    path.write_bytes(compare_docx(analysed(old), analysed(new), META))
    _pandoc_checks(path, old, new)
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert xml.count("<w:ins ") > 3 and xml.count("<w:del ") > 3
    assert 'w:author="Special Working Group" w:date="2022-10-04T00:00:00Z"' in xml
    # whole paragraphs: the paragraph mark is inserted/deleted too
    assert "<w:rPr><w:del " in xml and "<w:rPr><w:ins " in xml


def test_tracked_changes_between_two_un_resolutions_read_by_pandoc(tmp_path):
    _, old = import_akn(shared_path(UNDOF_2023_JUNE).read_bytes())
    _, new = import_akn(shared_path(UNDOF_2023_DEC).read_bytes())
    comparison = notation.compare(analysed(old), analysed(new))
    assert comparison.counts["changed"] > 3  # a real renewal: dates and paragraphs edited
    path = tmp_path / "undof.docx"
    path.write_bytes(compare_docx(analysed(old), analysed(new), META))
    _pandoc_checks(path, old, new)


def test_moved_paragraphs_are_deleted_and_inserted(tmp_path):
    old = "PP1. one\n\nPP2. two\n\nPP3. three\n\nOP1. four\n"
    new = "PP3. three\n\nPP1. one\n\nPP2. two, amended\n\nOP1. four\n"
    path = tmp_path / "moved.docx"
    path.write_bytes(compare_docx(analysed(old), analysed(new), META))
    _pandoc_checks(path, old, new)


def test_import_reads_tracked_changes_as_accepted_and_rejected_text():
    old, new = corpus(), revised_copy(corpus())
    result = import_docx(compare_docx(analysed(old), analysed(new), META))
    assert visible_paragraphs(result.text) == visible_paragraphs(new)
    assert visible_paragraphs(result.rejected_text) == visible_paragraphs(old)
    kinds = {change.kind for change in result.changes}
    assert kinds == {"insert", "delete"}
    assert {change.author for change in result.changes} == {"Special Working Group"}
    inserted = [c.text for c in result.changes if c.kind == "insert"]
    assert any("PP5f. Welcoming the new [text] (+KAZ)" in text for text in inserted)
    # The compare of the imported text against the old one finds the same edits.
    again = notation.compare(analysed(old), analysed(result.text))
    assert again.counts["added"] == notation.compare(analysed(old), analysed(new)).counts["added"]


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _word_file(body: str, comments: str = "") -> bytes:
    """A .docx as Word writes one: tracked changes and comments in raw WordprocessingML."""
    document = python_docx.Document()
    out = io.BytesIO()
    document.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = (
                    f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
                    f"{body}</w:body></w:document>"
                ).encode()
            archive.writestr(item, data)
        if comments:
            archive.writestr(
                "word/comments.xml",
                f'<w:comments xmlns:w="{W}">{comments}</w:comments>',
            )
    return target.getvalue()


def test_import_of_a_delegations_file_with_changes_and_comments():
    body = (
        "<w:p><w:r><w:t>PP1. Recalling </w:t></w:r>"
        '<w:del w:id="1" w:author="KAZ" w:date="2026-11-01T10:00:00Z"><w:r>'
        "<w:delText>old words</w:delText></w:r></w:del>"
        '<w:ins w:id="2" w:author="KAZ" w:date="2026-11-01T10:00:00Z"><w:r>'
        "<w:t>new words</w:t></w:r></w:ins>"
        '<w:commentRangeStart w:id="7"/><w:r><w:t xml:space="preserve"> and more</w:t></w:r>'
        '<w:commentRangeEnd w:id="7"/><w:r><w:commentReference w:id="7"/></w:r>'
        "<w:r><w:rPr><w:i/></w:rPr><w:t>;</w:t></w:r></w:p>"
        '<w:p><w:pPr><w:rPr><w:ins w:id="3" w:author="KAZ" w:date="2026-11-01T10:00:00Z"/>'
        '</w:rPr></w:pPr><w:ins w:id="4" w:author="KAZ" w:date="2026-11-01T10:00:00Z">'
        "<w:r><w:t>PP2. Inserted whole.</w:t></w:r></w:ins></w:p>"
        "<w:p><w:r><w:rPr><w:strike/></w:rPr><w:t>gone</w:t></w:r><w:r><w:tab/><w:t>x</w:t>"
        "</w:r></w:p>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    comments = (
        '<w:comment w:id="7" w:author="MNG" w:date="2026-11-02T09:00:00Z">'
        "<w:p><w:r><w:t>Please check this.</w:t></w:r></w:p></w:comment>"
    )
    result = import_docx(_word_file(body, comments))
    assert result.text == (
        "PP1. Recalling new words and more*;*\nPP2. Inserted whole.\n~~gone~~\tx\ncell"
    )
    assert result.rejected_text == "PP1. Recalling old words and more*;*\n~~gone~~\tx\ncell"
    assert [(c.kind, c.author, c.text) for c in result.changes] == [
        ("delete", "KAZ", "old words"),
        ("insert", "KAZ", "new words"),
        ("insert", "KAZ", "PP2. Inserted whole."),
    ]
    (comment,) = result.comments
    assert (comment.author, comment.text, comment.anchor) == (
        "MNG",
        "Please check this.",
        " and more",
    )
    assert "tables were read row by row, one paragraph per cell" in result.warnings


def _encrypted_file() -> bytes:
    """What Word writes for a password-protected .docx: an OLE compound file holding an
    EncryptedPackage stream (its header and a directory entry are enough to recognise it)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entry = "EncryptedPackage".encode("utf-16-le") + b"\x00" * 94
    return header + entry + b"\x00" * 2048


def _corrupt_docx() -> bytes:
    data = bytearray(export_docx(notation.parse("PP1. text"), META))
    middle = data.index(b"word/document.xml") + 40
    data[middle : middle + 200] = b"\xff" * 200
    return bytes(data)


def _renamed_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"plain text, not a document", "not a ZIP package"),
        (_renamed_zip(), "a ZIP archive but not a Word document: it has no word/document.xml"),
        (_encrypted_file(), "password-protected"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old binary Word file (.doc)"),
        (_corrupt_docx(), "corrupt"),
        (export_docx(notation.parse("x"), META)[:300], "corrupt"),
    ],
    ids=["empty", "text", "renamed-zip", "encrypted", "legacy-doc", "corrupt", "truncated"],
)
def test_bad_files_get_a_clear_error(data, message):
    with pytest.raises(DocxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_docx(data)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    base = io.BytesIO(export_docx(notation.parse("x"), META))
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename == "word/document.xml":
                bomb.writestr("word/document.xml", b" " * (130 * 1024 * 1024))
            else:
                bomb.writestr(item, source.read(item.filename))
    with pytest.raises(DocxError, match="unpacks to more than"):
        import_docx(out.getvalue())


@pytest.mark.slow
def test_libreoffice_opens_the_exports(tmp_path):
    old, new = corpus(), revised_copy(corpus())
    (tmp_path / "revision.docx").write_bytes(export_docx(notation.parse(new), META))
    (tmp_path / "compare.docx").write_bytes(compare_docx(analysed(old), analysed(new), META))
    for name in ("revision", "compare"):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(tmp_path / f"{name}.docx"),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        text = subprocess.run(
            ["pdftotext", str(tmp_path / f"{name}.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        flat = " ".join(text.split())
        assert "PP5f. Welcoming the new [text] (+KAZ) inserted here;" in flat
        assert "(+IRAN) (+KAZ) (+CHN)" in flat


def test_many_overlapping_comments_stay_linear():
    """20,000 comment ranges opened and never closed over 20,000 runs: the anchors are cut from
    the text once at the end (a list per open comment per run was 400 million appends)."""
    count = 20_000
    body = (
        "<w:p>"
        + "".join(
            f'<w:commentRangeStart w:id="{i}"/><w:r><w:t>w{i} </w:t></w:r>' for i in range(count)
        )
        + "</w:p>"
    )
    comments = "".join(
        f'<w:comment w:id="{i}" w:author="A"><w:p><w:r><w:t>c</w:t></w:r></w:p></w:comment>'
        for i in range(count)
    )
    result = import_docx(_word_file(body, comments))
    assert len(result.comments) == count
    assert result.comments[0].anchor.startswith("w0 w1 ") and len(result.comments[0].anchor) == 300
    assert result.comments[-1].anchor == f"w{count - 1} "


def test_deeply_nested_tables_get_a_clear_error():
    depth = 3000
    body = "<w:tbl><w:tr><w:tc>" * depth + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * depth
    with pytest.raises(DocxError, match="corrupt|nested too deeply"):
        import_docx(_word_file(body))


@pytest.mark.parametrize("unit", ["[]", "(+A) ", "~~a~~ *b* ", "e)\n"])
def test_dense_markup_round_trips(unit):
    """40,000 characters of one marker pattern. Moving a parsed body into python-docx's tree
    was quadratic in the runs of a paragraph (8,000 brackets: 6 s); the part is now parsed
    once (bench/documents.py; measured in docs/documents.md)."""
    text = unit * (40_000 // len(unit))
    assert import_docx(export_docx(notation.parse(text), META)).text == text
