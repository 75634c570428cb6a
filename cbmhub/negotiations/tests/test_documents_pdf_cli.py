"""PDF podium version and comparison; `cbmhub text docx|akn|pdf|import-docx|import-akn`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cbmhub.conftest import SHARED_DIR, shared_path
from cbmhub.negotiations import notation
from cbmhub.negotiations.documents.akn import read_akn, validate_akn
from cbmhub.negotiations.documents.docx import DocMeta, import_docx
from cbmhub.negotiations.documents.pdf import comparison_pdf, podium_html, podium_pdf
from cbmhub.negotiations.tests.docreaders import revised_copy

CORPUS = "corpus/004_b9720b24e8ee2ca3.txt"
META = DocMeta(title="Draft statement", symbol="SWG/OI/1262", revision="Rev.3", date="2022-10-04")
CYRILLIC = "ПП1. Признавая [важность [доверия]] (+РФ, -КНР) ~~старого~~ текста;\n\nОП1. Решаем.\n"
KAZAKH = (
    "PP1. Қазақстан Республикасы өңірлік ынтымақтастықты [қолдайды] (+KAZ);\n\n"
    "OP1. Әріптестік, ұлттық, үміт, һ, і, ғ, ң, ө.\n"
)


def pdf_text(data: bytes, tmp_path: Path, name: str = "out.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def test_podium_pdf_of_the_corpus_has_every_label_and_tag(tmp_path):
    source = shared_path(CORPUS).read_text(encoding="utf-8")
    analysis = notation.analyse(notation.parse(source))
    text = flat(pdf_text(podium_pdf(notation.parse(source), META), tmp_path))
    labels = {p.label.strip() for p in analysis.paragraphs if p.label.strip()}
    assert len(labels) > 40
    missing = [label for label in labels if label not in text]
    assert missing == []
    tags = {pos.text for p in analysis.paragraphs for pos in _positions(p)}
    assert len(tags) > 20
    assert [tag for tag in tags if flat(tag) not in text] == []
    assert "1 / " in text and "SWG/OI/1262" in text  # page numbers, the symbol


def _positions(info: notation.ParagraphInfo) -> list[notation.Position]:
    out = []
    stack: list[notation.tree.Inline] = list(info.node.children)
    while stack:
        node = stack.pop()
        if isinstance(node, notation.Position):
            out.append(node)
        elif isinstance(node, notation.Bracket | notation.Struck | notation.Emphasis):
            stack.extend(node.children)
    return out


def test_brackets_are_shaded_by_depth_in_the_page():
    html = podium_html(notation.parse("PP1. a [b [c [d]]] (+CHN) (IND: note)"), META)
    assert 'class="d1"' in html and 'class="d2"' in html and 'class="d3"' in html
    assert '<span class="position">(+CHN)</span>' in html
    assert '<span class="label">PP1.</span>' in html
    assert "counter(page)" in html


@pytest.mark.parametrize(("text", "letters"), [(CYRILLIC, "ПризнаваяРФКНР"), (KAZAKH, "ҚөңұүһіғӘ")])
def test_cyrillic_and_kazakh_render_with_fonts_that_have_the_glyphs(tmp_path, text, letters):
    data = podium_pdf(notation.parse(text), DocMeta(title="Проект", language="ru"))
    extracted = pdf_text(data, tmp_path)
    assert all(letter in extracted for letter in letters)
    path = tmp_path / "out.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in fonts.stdout.splitlines()[2:]]
    assert names and all("DejaVu" in name for name in names)  # no fallback font
    assert "\ufffd" not in extracted


def test_comparison_pdf_marks_insertions_and_deletions(tmp_path):
    old = shared_path(CORPUS).read_text(encoding="utf-8")
    new = revised_copy(old)
    data = comparison_pdf(
        notation.analyse(notation.parse(old)), notation.analyse(notation.parse(new)), META
    )
    text = flat(pdf_text(data, tmp_path))
    assert "PP5f. Welcoming the new [text] (+KAZ) inserted here;" in text
    assert "PP5e altern." in text  # the removed paragraph is shown, struck


# -- the command line ---------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("text", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_docx_round_trip_and_tracked_compare(tmp_path):
    corpus = SHARED_DIR / CORPUS
    revised = tmp_path / "revised.txt"
    revised.write_text(revised_copy(corpus.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "rev.docx"
    run("docx", str(corpus), "-o", str(out), "--title", "Draft", "--symbol", "SWG/OI/1262")
    assert run("import-docx", str(out)) == corpus.read_text(encoding="utf-8")
    tracked = tmp_path / "tracked.docx"
    run("docx", str(revised), "--against", str(corpus), "-o", str(tracked))
    result = import_docx(tracked.read_bytes())
    assert result.changes and "PP5f. Welcoming" in result.text
    assert "PP5f. Welcoming" not in result.rejected_text


def test_cli_akn_and_pdf(tmp_path):
    corpus = SHARED_DIR / CORPUS
    xml = tmp_path / "rev.xml"
    run("akn", str(corpus), "--lang", "ru", "-o", str(xml))
    assert validate_akn(xml.read_bytes()) == []
    assert read_akn(xml.read_bytes()).language == "rus"
    pdf = tmp_path / "rev.pdf"
    run("pdf", str(corpus), "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    revised = tmp_path / "revised.txt"
    revised.write_text(revised_copy(corpus.read_text(encoding="utf-8")), encoding="utf-8")
    run("pdf", str(revised), "--against", str(corpus), "-o", str(tmp_path / "cmp.pdf"))
    assert (tmp_path / "cmp.pdf").read_bytes().startswith(b"%PDF")


def test_cli_import_akn_prints_the_notation():
    text = run("import-akn", str(SHARED_DIR / "data/unsc/2024/English/S_RES_2722-2400437E.xml"))
    assert text.startswith("The Security Council,\n\nPP1. Reaffirming its primary responsibility")
    assert "\n\n1. Condemns in the strongest terms" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import-docx", "{missing}"), "no such file"),
        (("import-docx", "{text}"), "not a .docx file"),
        (("import-akn", "{text}"), "not well-formed XML"),
        (("import-akn", "{truncated}"), "not well-formed XML"),
        (("docx", "{binary}", "-o", "{out}"), "not UTF-8 text"),
        (("docx", "{text}", "-o", "{dir}/no/such/dir/x.docx"), "cannot be written"),
    ],
)
def test_cli_bad_input_is_one_clear_error(tmp_path, args, message):
    (tmp_path / "t.txt").write_text("PP1. text", encoding="utf-8")
    (tmp_path / "b.bin").write_bytes(b"\xff\xfe\x00")
    data = (SHARED_DIR / "data/unsc/2024/English/S_RES_2722-2400437E.xml").read_bytes()
    (tmp_path / "cut.xml").write_bytes(data[:5000])
    names = {
        "missing": str(tmp_path / "nope.docx"),
        "text": str(tmp_path / "t.txt"),
        "binary": str(tmp_path / "b.bin"),
        "truncated": str(tmp_path / "cut.xml"),
        "out": str(tmp_path / "o.docx"),
        "dir": str(tmp_path),
    }
    with pytest.raises(CommandError, match=message) as info:
        run(*(a.format(**names) for a in args))
    assert info.value.returncode == 2


def test_cli_runs_without_a_database(tmp_path):
    """`cbmhub text docx` as a person runs it: no DATABASE_URL, no SECRET_KEY."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SECRET_KEY")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/absent/db.sqlite3"
    out = tmp_path / "o.docx"
    done = subprocess.run(
        [sys.executable, "-m", "cbmhub", "text", "docx", str(SHARED_DIR / CORPUS), "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"PK")


def test_a_long_unbroken_string_wraps_and_keeps_every_character(tmp_path):
    text = "PP1. " + "x" * 5000 + " end"
    html = podium_html(notation.parse(text), META)
    assert html.count("<wbr>") == 5000 // 60 - (5000 % 60 == 0)
    extracted = pdf_text(podium_pdf(notation.parse(text), META), tmp_path)
    assert extracted.count("x") == 5000 and "end" in extracted


def test_neighbouring_runs_that_look_alike_are_one_box():
    html = podium_html(notation.parse("PP1. " + "[]" * 1000), META)
    body = html.split("</header>")[1].split("</div>", 1)[1]  # after the legend
    assert body.count('<span class="d1">') == 1  # not 2,000 spans: WeasyPrint's time is per box
    assert body.replace("<wbr>", "").count("[]") == 1000
