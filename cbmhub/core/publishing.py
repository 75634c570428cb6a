"""One way to publish a document as PDF and as DOCX: reports, notes, after-action reports.

A module builds a `Publication` (title, language, blocks: headings, paragraphs, tables, a contents
page, page breaks) and asks for `render_pdf(pub)` or `render_docx(pub)`. Both outputs carry the
same text in the same order, so a test can read either back with an independent reader
(`pdftotext`, pandoc) and find the same headings and figures.

PDF goes through HTML (`core/publication.html`) and WeasyPrint, with DejaVu fonts, which cover
Latin, Cyrillic (Kazakh letters included), Greek and Arabic; pages are numbered. DOCX is written
with python-docx, with the title and language in the file's core properties. A module that needs
its own layout (the podium version of a negotiation text) renders its own HTML and calls
`html_to_pdf`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import docx
from django.template.loader import render_to_string
from django.utils import translation
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = chapter, 2 = section, 3 = subsection


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # "" | "small" | "quote" | "right" (place and date) | "center"


@dataclass(frozen=True)
class Table:
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    caption: str = ""


@dataclass(frozen=True)
class Contents:
    """The contents page: every level-1 and level-2 heading after it, in order."""

    title: str = ""


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Contents | PageBreak


@dataclass
class Publication:
    title: str
    language: str = "en"
    subtitle: str = ""
    author: str = "CBM Hub"
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Publication:
        self.blocks.extend(blocks)
        return self

    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and b.level <= 2]


# -- PDF ---------------------------------------------------------------------------------------


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """A whole HTML page as PDF bytes (WeasyPrint; no network: only local resources)."""
    import weasyprint  # type: ignore[import-untyped]  # noqa: PLC0415 - heavy (Pango, fonts): only when a PDF is made

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one line per step
    return bytes(weasyprint.HTML(string=html, base_url=base_url).write_pdf())


def render_html(pub: Publication) -> str:
    """The publication as the HTML page the PDF is made from (also a printable page)."""
    blocks = [
        {"kind": type(block).__name__.lower(), "block": block, "index": index}
        for index, block in enumerate(pub.blocks)
    ]
    toc = [
        {"level": b.level, "text": b.text, "index": index}
        for index, b in enumerate(pub.blocks)
        if isinstance(b, Heading) and b.level <= 2
    ]
    with translation.override(pub.language):
        return render_to_string(
            "core/publication.html",
            {
                "pub": pub,
                "blocks": blocks,
                "toc": toc,
                "dir": "rtl" if pub.language.split("-")[0] in RTL_LANGUAGES else "ltr",
            },
        )


def render_pdf(pub: Publication) -> bytes:
    return html_to_pdf(render_html(pub))


# -- DOCX --------------------------------------------------------------------------------------


def render_docx(pub: Publication) -> bytes:
    """The publication as a .docx: Word's own heading styles (so its navigation pane and a
    contents field work), tables in the "Table Grid" style, title and language in the core
    properties."""
    document = docx.Document()
    props = document.core_properties
    props.title = pub.title
    props.subject = pub.subtitle
    props.author = pub.author
    props.language = pub.language
    # The title as a bold paragraph, not Word's "Title" style: readers such as pandoc take that
    # style for metadata and leave it out of the text.
    title = document.add_paragraph().add_run(pub.title)
    title.bold = True
    title.font.size = Pt(18)
    if pub.subtitle:
        document.add_paragraph(pub.subtitle)
    for block in pub.blocks:
        _docx_block(document, block, pub)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_block(document: DocxDocument, block: Block, pub: Publication) -> None:
    if isinstance(block, Heading):
        document.add_heading(block.text, level=min(max(block.level, 1), 9))
    elif isinstance(block, Paragraph):
        paragraph = document.add_paragraph(block.text)
        if block.style == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif block.style == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.style == "quote":
            paragraph.style = document.styles["Quote"]
    elif isinstance(block, Table):
        _docx_table(document, block)
    elif isinstance(block, Contents):
        if block.title:
            document.add_heading(block.title, level=1)
        for heading in pub.headings():
            indent = "    " * (heading.level - 1)
            document.add_paragraph(f"{indent}{heading.text}")
    elif isinstance(block, PageBreak):
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _docx_table(document: DocxDocument, block: Table) -> None:
    if block.caption:
        document.add_paragraph(block.caption)
    table = document.add_table(rows=1, cols=len(block.columns))
    table.style = document.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, block.columns, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)
