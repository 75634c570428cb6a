"""Word (.docx) in and out for negotiation texts, with native tracked changes.

    data = export_docx(doc, meta)                     # a revision as a delegation expects it
    data = compare_docx(old_analysis, new_analysis, meta)  # the later one, changes tracked
    result = import_docx(data)                        # text in the notation, changes, comments

python-docx cannot write or read tracked changes (its issue #340), so the body is written and
read here as OOXML (WordprocessingML) with lxml; python-docx only supplies the package (its
default template: styles, settings) and the core properties.

How the notation maps to Word, both ways (docs/documents.md):

- Each line break *between* the engine's paragraphs (its ``Gap`` nodes) is a Word paragraph
  break, so a blank line is an empty Word paragraph; a line break *inside* a paragraph (text
  extracted from PDF) is a line break (``w:br``). A form feed is a page break, a tab a tab.
  Reading back joins Word paragraphs with ``\\n``: the text comes back exactly (``\\r\\n`` and
  ``\\r`` line ends are written as ``\\n``).
- Labels, brackets, position tags and notes stay as text; labels are bold (the ``Strong``
  character style), brackets shaded by depth.
- ``~~struck~~`` is strikethrough, ``*emphasis*`` italics, ``**strong**`` bold (``***`` both);
  reading back turns the formatting into the markers again. A paragraph whose markers could
  not be rebuilt from its formatting (an empty ``**`` pair, a struck run inside emphasis) is
  written with its markers as text, so the round trip stays exact.
- The document's title is a ``Title`` paragraph and its symbol, revision and date a
  ``Subtitle`` paragraph; reading back reports them as metadata, not as text.

No Django here: ``cbmhub text docx|import-docx`` use this module with no database.
"""

from __future__ import annotations

import io
import re
import zipfile
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import docx as python_docx
from lxml import etree  # type: ignore[import-untyped]

from cbmhub.negotiations.notation import (
    Analysis,
    Document,
    Gap,
    Paragraph,
    ParagraphInfo,
    compare,
    paragraph_segments,
    word_diff,
)
from cbmhub.negotiations.notation.render import render_paragraph

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W_NS + "}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# A .docx larger than this, or whose document part unpacks to more, is refused (a revision
# holds at most 2 MiB of text; Word's XML is about ten times the text).
MAX_DOCX_BYTES = 32 * 1024 * 1024
MAX_PART_BYTES = 128 * 1024 * 1024

# Shading of bracketed text by depth (1, 2, 3 and deeper), as on the podium version.
BRACKET_SHADES = ("E8E8E8", "D0D0D0", "B8B8B8")
POSITION_COLOUR = "1F4E79"
NOTE_COLOUR = "7B3F00"

WORD_LANGUAGES = {
    "en": "en-GB",
    "ru": "ru-RU",
    "kk": "kk-KZ",
    "zh-hans": "zh-CN",
    "zh": "zh-CN",
    "fr": "fr-FR",
    "es": "es-ES",
    "ar": "ar-SA",
}

# Characters XML 1.0 cannot hold (C0 controls but tab, line feed, carriage return).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")


class DocxError(ValueError):
    """The data is not a readable Word document; the message says why."""


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What a file says about the text: ``title``, ``symbol`` (SWG/OI/1262), ``revision``
    (its label: ``Rev.3``), ``date`` (ISO), ``language`` (en, ru, kk ...) and ``author`` (the
    body or the secretariat: the author of tracked changes and of the file)."""

    title: str = ""
    symbol: str = ""
    revision: str = ""
    date: str = ""
    language: str = "en"
    author: str = "CBM Hub"

    @property
    def subtitle(self) -> str:
        return " · ".join(part for part in (self.symbol, self.revision, self.date) if part)


# -- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """Visible text with its formatting: what a Word run holds."""

    text: str
    struck: bool = False
    italic: bool = False
    bold: bool = False
    depth: int = 0
    kind: str = "text"  # text | label | position | note | open | close | stray


def runs_of(paragraph: Paragraph) -> list[Run]:
    """The paragraph's visible runs: markers (``~~``, ``*``) become formatting. If the markers
    cannot be rebuilt from the formatting, the paragraph is written as its source text with
    the markers shown, so that reading it back gives the same text."""
    runs = [
        Run(s.text, s.struck, s.emphasis, s.strong, s.depth, s.kind)
        for s in paragraph_segments(paragraph)
        if s.kind != "marker" and s.text
    ]
    if any(s.kind == "marker" for s in paragraph_segments(paragraph)):
        if _markers(runs) != render_paragraph(paragraph):
            return [Run(render_paragraph(paragraph))]
    return runs


def _markers(runs: Iterable[tuple[str, bool, bool, bool] | Run]) -> str:
    """Text with formatting as the notation writes it: strikethrough outermost, then bold,
    then italics (``~~**x**~~``, ``***x***``)."""
    out: list[str] = []
    state = (False, False, False)
    for run in runs:
        if isinstance(run, Run):
            text, struck, italic, bold = run.text, run.struck, run.italic, run.bold
        else:
            text, struck, italic, bold = run
        new = (struck, bold, italic)
        if new != state:
            out.append(_close(state, new))
            out.append(_open(state, new))
            state = new
        out.append(text)
    out.append(_close(state, (False, False, False)))
    return "".join(out)


def _open(old: tuple[bool, bool, bool], new: tuple[bool, bool, bool]) -> str:
    # Once an outer marker changes, every inner one is reopened.
    out = []
    changed = False
    for index, marker in enumerate(("~~", "**", "*")):
        changed = changed or old[index] != new[index]
        if changed and new[index]:
            out.append(marker)
    return "".join(out)


def _close(old: tuple[bool, bool, bool], new: tuple[bool, bool, bool]) -> str:
    out = []
    first_change = next((i for i in range(3) if old[i] != new[i]), 3)
    for index in (2, 1, 0):
        if index >= first_change and old[index]:
            out.append(("~~", "**", "*")[index])
    return "".join(out)


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def _run_xml(run: Run, *, deleted: bool = False) -> str:
    # A label is bold through Word's "Strong" character style, not direct formatting: reading
    # back turns only direct bold into "**", so the label stays as written.
    props = ['<w:rStyle w:val="Strong"/>'] if run.kind == "label" else []
    if run.bold:
        props.append("<w:b/>")
    if run.italic:
        props.append("<w:i/>")
    if run.struck:
        props.append("<w:strike/>")
    if run.kind == "position":
        props.append(f'<w:color w:val="{POSITION_COLOUR}"/>')
    elif run.kind == "note":
        props.append(f'<w:color w:val="{NOTE_COLOUR}"/>')
    if run.depth:
        shade = BRACKET_SHADES[min(run.depth, len(BRACKET_SHADES)) - 1]
        props.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>')
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    tag = "w:delText" if deleted else "w:t"
    parts: list[str] = []
    for piece in re.split(r"(\n|\t|\f)", _xml_text(run.text)):
        if piece == "\n":
            parts.append("<w:br/>")
        elif piece == "\t":
            parts.append("<w:tab/>")
        elif piece == "\f":
            parts.append('<w:br w:type="page"/>')
        elif piece:
            parts.append(f'<{tag} xml:space="preserve">{escape(piece)}</{tag}>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


_PPR = '<w:pPr><w:spacing w:before="0" w:after="0"/>{mark}</w:pPr>'


class _Revisions:
    """Numbers and attributes of tracked changes (``w:id`` is unique per document)."""

    def __init__(self, author: str, date: str) -> None:
        self.next_id = 1
        self.attrs = f"w:author={quoteattr(author or 'CBM Hub')} w:date={quoteattr(date)}"

    def tag(self, kind: str, inner: str) -> str:
        self.next_id += 1
        return f'<w:{kind} w:id="{self.next_id}" {self.attrs}>{inner}</w:{kind}>'

    def mark(self, kind: str) -> str:
        self.next_id += 1
        return f'<w:rPr><w:{kind} w:id="{self.next_id}" {self.attrs}/></w:rPr>'


def _header_xml(meta: DocMeta) -> str:
    out = []
    if meta.title:
        out.append(
            '<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">{escape(_xml_text(meta.title))}</w:t></w:r></w:p>'
        )
    if meta.subtitle:
        out.append(
            '<w:p><w:pPr><w:pStyle w:val="Subtitle"/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">{escape(_xml_text(meta.subtitle))}</w:t></w:r></w:p>'
        )
    return "".join(out)


def _body_xml(doc: Document) -> Iterator[str]:
    """Word paragraphs of the whole text: every line break between the engine's paragraphs
    ends a Word paragraph, so blank lines stay blank lines."""
    current: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Gap):
            text = block.text.replace("\r\n", "\n").replace("\r", "\n")
            for index, piece in enumerate(text.split("\n")):
                if index:
                    yield "<w:p>" + _PPR.format(mark="") + "".join(current) + "</w:p>"
                    current = []
                if piece:
                    current.append(_run_xml(Run(piece)))
        else:
            current.extend(_run_xml(run) for run in runs_of(block))
    yield "<w:p>" + _PPR.format(mark="") + "".join(current) + "</w:p>"


def _package(body: Iterable[str], meta: DocMeta) -> bytes:
    """The paragraphs in python-docx's default package, with the core properties set."""
    document = python_docx.Document()
    props = document.core_properties
    props.title = meta.title[:255]
    props.subject = meta.symbol[:255]
    props.identifier = meta.symbol[:255]
    props.version = meta.revision[:255]
    props.keywords = " ".join(p for p in (meta.symbol, meta.revision) if p)[:255]
    props.language = meta.language
    props.author = meta.author[:255]
    props.last_modified_by = meta.author[:255]
    props.comments = "Exported by CBM Hub"
    props.revision = 1
    when = _datetime(meta.date)
    if when is not None:
        props.created = when
        props.modified = when
    styles = document.styles.element
    lang = WORD_LANGUAGES.get(meta.language.lower(), meta.language)
    for rpr in styles.iter(f"{_W}rPrDefault"):
        run_props = rpr.find(f"{_W}rPr")
        if run_props is not None:
            for old in run_props.findall(f"{_W}lang"):
                run_props.remove(old)
            lang_el = etree.SubElement(run_props, f"{_W}lang")
            lang_el.set(f"{_W}val", lang)
            lang_el.set(f"{_W}eastAsia", lang)
            lang_el.set(f"{_W}bidi", lang)
    # The whole document part is written as one string and parsed once: moving elements from
    # a parsed fragment into python-docx's tree made lxml fix up every node's namespace, in
    # time quadratic in the runs of a paragraph (8,000 brackets: 6 s).
    root = document.element
    sect = root.body.find(f"{_W}sectPr")
    declarations = " ".join(
        f'xmlns:{prefix}="{uri}"' if prefix else f'xmlns="{uri}"'
        for prefix, uri in root.nsmap.items()
    )
    sect_xml = etree.tostring(sect, encoding="unicode") if sect is not None else ""
    xml = f"<w:document {declarations}><w:body>{''.join(body)}{sect_xml}</w:body></w:document>"
    document.part._element = etree.fromstring(  # noqa: SLF001 - python-docx has no setter
        xml.encode("utf-8"), parser=etree.XMLParser(huge_tree=True)
    )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _datetime(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _w_date(value: str) -> str:
    parsed = _datetime(value) or datetime.now(UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_docx(doc: Document, meta: DocMeta) -> bytes:
    """The revision as a .docx: title and symbol line, then the text as written (labels,
    brackets and tags as text, shaded by depth; struck text struck, emphasis in italics)."""
    return _package([_header_xml(meta), *_body_xml(doc)], meta)


# -- the comparison, with tracked changes ------------------------------------------------------


def compare_docx(old: Analysis, new: Analysis, meta: DocMeta) -> bytes:
    """The later revision (``new``) with the changes from ``old`` as Word tracked changes:
    paragraphs added or removed are inserted or deleted whole (text and paragraph mark),
    changed ones get word-level insertions and deletions; paragraphs that moved are deleted
    where they stood and inserted where they stand. ``meta`` describes the later revision;
    its ``author`` and ``date`` are those of every change. Accepting all changes gives the
    later text, rejecting all the earlier one (paragraph by paragraph; paragraphs are
    separated by one blank line)."""
    revisions = _Revisions(meta.author, _w_date(meta.date))
    parts = [_header_xml(meta)]
    for kind, before, after in sequence(old, new):
        if kind == "delete":
            assert before is not None
            parts.append(_whole(before, revisions, "del"))
        elif kind == "insert":
            assert after is not None
            parts.append(_whole(after, revisions, "ins"))
        else:
            assert before is not None and after is not None
            parts.append(_changed(before, after, revisions))
        parts.append("<w:p>" + _PPR.format(mark="") + "</w:p>")
    return _package(parts, meta)


def sequence(
    old: Analysis, new: Analysis
) -> list[tuple[str, ParagraphInfo | None, ParagraphInfo | None]]:
    """Paragraphs of both revisions in one order in which the old ones read in their order
    and the new ones in theirs: the pairs that kept their order (anchors), and between two
    anchors what only the old side has (deleted, moved away) then what only the new side has
    (inserted, moved here). O(n log n)."""
    comparison = compare(old, new)
    anchors: list[tuple[int, int, ParagraphInfo, ParagraphInfo]] = []
    olds: list[tuple[int, ParagraphInfo]] = []
    news: list[tuple[int, ParagraphInfo]] = []
    for pair in comparison.pairs:
        if pair.old is not None and pair.new is not None and not pair.reordered:
            anchors.append((pair.old.node.index, pair.new.node.index, pair.old, pair.new))
        else:
            if pair.old is not None:
                olds.append((pair.old.node.index, pair.old))
            if pair.new is not None:
                news.append((pair.new.node.index, pair.new))
    anchors.sort(key=lambda a: a[1])
    olds.sort(key=lambda o: o[0])
    news.sort(key=lambda n: n[0])
    old_keys = [o[0] for o in olds]
    new_keys = [n[0] for n in news]
    out: list[tuple[str, ParagraphInfo | None, ParagraphInfo | None]] = []
    old_at = new_at = 0
    for old_index, new_index, before, after in [*anchors, (1 << 62, 1 << 62, None, None)]:
        old_to = bisect_left(old_keys, old_index)
        new_to = bisect_left(new_keys, new_index)
        out.extend(("delete", info, None) for _, info in olds[old_at:old_to])
        out.extend(("insert", None, info) for _, info in news[new_at:new_to])
        old_at, new_at = max(old_at, old_to), max(new_at, new_to)
        if before is not None:
            out.append(("keep", before, after))
    return out


def _whole(info: ParagraphInfo, revisions: _Revisions, kind: str) -> str:
    runs = "".join(_run_xml(run, deleted=kind == "del") for run in runs_of(info.node))
    return "<w:p>" + _PPR.format(mark=revisions.mark(kind)) + revisions.tag(kind, runs) + "</w:p>"


def changed_runs(before: ParagraphInfo, after: ParagraphInfo) -> list[tuple[str, list[Run]]]:
    """A changed paragraph as runs tagged ``equal`` / ``delete`` / ``insert``: a word diff of
    the visible text of both sides, each run keeping its formatting (the later side's for
    equal text)."""
    old_runs, new_runs = runs_of(before.node), runs_of(after.node)
    old_text = "".join(r.text for r in old_runs)
    new_text = "".join(r.text for r in new_runs)
    if old_text == new_text:
        return [("equal", new_runs)]
    out: list[tuple[str, list[Run]]] = []
    old_cursor = _Cursor(old_runs)
    new_cursor = _Cursor(new_runs)
    for op in word_diff(old_text, new_text):
        if op.op == "equal":
            old_cursor.take(len(op.text))
            out.append(("equal", new_cursor.take(len(op.text))))
        elif op.op == "delete":
            out.append(("delete", old_cursor.take(len(op.text))))
        else:
            out.append(("insert", new_cursor.take(len(op.text))))
    return out


def _changed(before: ParagraphInfo, after: ParagraphInfo, revisions: _Revisions) -> str:
    out: list[str] = []
    for op, runs in changed_runs(before, after):
        if op == "equal":
            out.extend(_run_xml(run) for run in runs)
        elif op == "delete":
            out.append(revisions.tag("del", "".join(_run_xml(r, deleted=True) for r in runs)))
        else:
            out.append(revisions.tag("ins", "".join(_run_xml(r) for r in runs)))
    return "<w:p>" + _PPR.format(mark="") + "".join(out) + "</w:p>"


class _Cursor:
    """Takes the next n characters of a list of runs, splitting a run where needed."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self.index = 0
        self.offset = 0

    def take(self, count: int) -> list[Run]:
        out: list[Run] = []
        while count > 0 and self.index < len(self.runs):
            run = self.runs[self.index]
            piece = run.text[self.offset : self.offset + count]
            out.append(Run(piece, run.struck, run.italic, run.bold, run.depth, run.kind))
            count -= len(piece)
            self.offset += len(piece)
            if self.offset >= len(run.text):
                self.index += 1
                self.offset = 0
        return out


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrackedChange:
    """One insertion or deletion found in the file: ``kind`` ``insert`` / ``delete``,
    ``author``, ``date`` (as written), ``text``, ``paragraph`` (1-based, in the file's
    body)."""

    kind: str
    author: str
    date: str
    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class Comment:
    """A Word comment: ``author``, ``date``, ``text`` and the text it is anchored to."""

    id: str
    author: str
    date: str
    text: str
    anchor: str


@dataclass(slots=True)
class DocxImport:
    """What ``import_docx`` read: ``text`` (the notation text, all changes accepted),
    ``rejected_text`` (all changes rejected: the text the changes were made to), ``changes``,
    ``comments``, ``title`` and ``subtitle`` (Title/Subtitle paragraphs, metadata rather than
    text), ``properties`` (core properties: title, subject ...), ``warnings`` (what was read
    in a way worth saying: tables, footnotes, text boxes)."""

    text: str
    rejected_text: str
    changes: list[TrackedChange] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    title: str = ""
    subtitle: str = ""
    properties: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _open_zip(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_DOCX_BYTES:
        raise DocxError(f"the file is larger than {MAX_DOCX_BYTES // (1024 * 1024)} MiB")
    if data.startswith(_CFB_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise DocxError(
                "the Word file is password-protected (encrypted): save it without a password"
                " and upload it again"
            )
        raise DocxError(
            "this is an old binary Word file (.doc) or another OLE file, not a .docx:"
            " save it as .docx (Word 2007 or later)"
        )
    if not data.startswith(b"PK"):
        raise DocxError("not a .docx file: it is not a ZIP package (the file may be corrupt)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        bad = archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise DocxError(f"the .docx file is corrupt: {exc}") from None
    except Exception as exc:  # zlib.error, NotImplementedError (unknown compression)
        raise DocxError(f"the .docx file is corrupt: {exc}") from None
    if bad is not None:
        raise DocxError(f"the .docx file is corrupt: part {bad!r} fails its checksum")
    names = set(archive.namelist())
    if "word/document.xml" not in names:
        found = ", ".join(sorted(names)[:5]) or "nothing"
        raise DocxError(
            "a ZIP archive but not a Word document: it has no word/document.xml"
            f" (it holds {found}{' ...' if len(names) > 5 else ''})"
        )
    return archive


def _read_part(archive: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise DocxError(f"{name} unpacks to more than {MAX_PART_BYTES // (1024 * 1024)} MiB")
    try:
        raw = archive.read(name)
    except Exception as exc:
        raise DocxError(f"the .docx file is corrupt: {name}: {exc}") from None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 0
        raise DocxError(
            f"the .docx file is corrupt: {name} is not well-formed XML (line {line})"
        ) from None


def _on(element: etree._Element | None) -> bool:
    """A Word toggle property (``<w:i/>``, ``<w:i w:val="0"/>``) is on?"""
    if element is None:
        return False
    return element.get(f"{_W}val", "true").lower() not in ("0", "false", "off", "none")


@dataclass(slots=True)
class _Piece:
    text: str
    struck: bool
    italic: bool
    bold: bool
    state: str  # "" | "ins" | "del"


class _Reader:
    def __init__(self) -> None:
        self.paragraphs: list[tuple[list[_Piece], str]] = []  # pieces, paragraph-mark state
        self.changes: list[TrackedChange] = []
        self.title: list[str] = []
        self.subtitle: list[str] = []
        self.warnings: set[str] = set()
        # Where each comment's range starts and ends, in characters of the accepted text:
        # the anchors are cut from it at the end (a file with many overlapping comments stays
        # linear).
        self.accepted: list[str] = []
        self.accepted_length = 0
        self.comment_ranges: dict[str, list[int]] = {}
        self.joined: str | None = None

    def block(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if tag == f"{_W}p":
                self.paragraph(child)
            elif tag == f"{_W}tbl":
                self.warnings.add("tables were read row by row, one paragraph per cell")
                for cell in child.iter(f"{_W}tc"):
                    self.block(cell)
            elif tag in (f"{_W}sdt", f"{_W}customXml"):
                content = child.find(f"{_W}sdtContent")
                self.block(content if content is not None else child)
            elif tag in (f"{_W}ins", f"{_W}moveTo"):
                self.block(child)  # a block-level insertion: its paragraphs count
            elif tag in (f"{_W}del", f"{_W}moveFrom"):
                self.block(child)

    def paragraph(self, p: etree._Element) -> None:
        style = p.find(f"{_W}pPr/{_W}pStyle")
        style_id = style.get(f"{_W}val", "") if style is not None else ""
        pieces: list[_Piece] = []
        self.inline(p, pieces, "", len(self.paragraphs) + 1)
        mark = ""
        mark_props = p.find(f"{_W}pPr/{_W}rPr")
        if mark_props is not None:
            if (
                mark_props.find(f"{_W}del") is not None
                or mark_props.find(f"{_W}moveFrom") is not None
            ):
                mark = "del"
            elif (
                mark_props.find(f"{_W}ins") is not None
                or mark_props.find(f"{_W}moveTo") is not None
            ):
                mark = "ins"
        if style_id in ("Title", "Subtitle") and not any(x.state for x in pieces):
            text = "".join(x.text for x in pieces).strip()
            (self.title if style_id == "Title" else self.subtitle).append(text)
            return
        self.paragraphs.append((pieces, mark))

    def inline(self, element: etree._Element, out: list[_Piece], state: str, number: int) -> None:
        for child in element:
            tag = child.tag
            if tag == f"{_W}r":
                self.run(child, out, state)
            elif tag in (f"{_W}ins", f"{_W}moveTo", f"{_W}del", f"{_W}moveFrom"):
                kind = "ins" if tag in (f"{_W}ins", f"{_W}moveTo") else "del"
                start = len(out)
                self.inline(child, out, kind, number)
                text = "".join(x.text for x in out[start:])
                if text:
                    self.changes.append(
                        TrackedChange(
                            "insert" if kind == "ins" else "delete",
                            child.get(f"{_W}author", ""),
                            child.get(f"{_W}date", ""),
                            text,
                            number,
                        )
                    )
            elif tag in (
                f"{_W}hyperlink",
                f"{_W}smartTag",
                f"{_W}fldSimple",
                f"{_W}customXml",
                f"{_W}bdo",
                f"{_W}dir",
            ):
                self.inline(child, out, state, number)
            elif tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.inline(content, out, state, number)
            elif tag == f"{_W}commentRangeStart":
                self.comment_ranges[child.get(f"{_W}id", "")] = [self.accepted_length, -1]
            elif tag == f"{_W}commentRangeEnd":
                span = self.comment_ranges.get(child.get(f"{_W}id", ""))
                if span is not None:
                    span[1] = self.accepted_length
            elif tag in (f"{{{_MATH_NS}}}oMath", f"{{{_MATH_NS}}}oMathPara"):
                self.warnings.add("equations were read as their text")
                self.inline(child, out, state, number)

    def run(self, r: etree._Element, out: list[_Piece], state: str) -> None:
        props = r.find(f"{_W}rPr")
        struck = italic = bold = False
        if props is not None:
            struck = _on(props.find(f"{_W}strike")) or _on(props.find(f"{_W}dstrike"))
            italic = _on(props.find(f"{_W}i"))
            bold = _on(props.find(f"{_W}b"))
            if _on(props.find(f"{_W}vanish")):
                self.warnings.add("hidden text was read as text")
        parts = [self.run_part(child) for child in r]
        text = "".join(parts)
        if text:
            out.append(_Piece(text, struck, italic, bold, state))
            if state != "del":
                self.accepted.append(text)
                self.accepted_length += len(text)

    def anchor(self, comment_id: str) -> str:
        """The accepted text a comment is anchored to, at most 300 characters."""
        span = self.comment_ranges.get(comment_id)
        if span is None:
            return ""
        if self.joined is None:
            self.joined = "".join(self.accepted)
        start, end = span
        end = self.accepted_length if end < 0 else end
        return self.joined[start : min(end, start + 300)]

    def run_part(self, child: etree._Element) -> str:
        """The characters of one child of a run."""
        tag = child.tag
        if tag in (f"{_W}t", f"{_W}delText"):
            return str(child.text or "")
        if tag in _RUN_CHARS:
            return _RUN_CHARS[tag]
        if tag == f"{_W}br":
            return "\f" if child.get(f"{_W}type") == "page" else "\n"
        if tag == f"{_W}sym":
            try:
                return chr(int(child.get(f"{_W}char", "0"), 16) or 0xFFFD)
            except ValueError:
                return "\ufffd"
        if tag in (f"{_W}footnoteReference", f"{_W}endnoteReference"):
            self.warnings.add(_FOOTNOTES)
        elif tag in (f"{_W}drawing", f"{_W}pict", f"{_W}object"):
            self.warnings.add("pictures, text boxes and objects are not imported")
        return ""


_MATH_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_FOOTNOTES = "footnotes and endnotes are not imported (their marks are left out)"
_RUN_CHARS = {
    f"{_W}tab": "\t",
    f"{_W}ptab": "\t",
    f"{_W}cr": "\n",
    f"{_W}noBreakHyphen": "\u2011",
    f"{_W}softHyphen": "\u00ad",
}


def _text(paragraphs: list[tuple[list[_Piece], str]], skip: str) -> str:
    """Word paragraphs joined with line breaks; ``skip`` is the state left out (``del`` to
    accept every change, ``ins`` to reject every one). A paragraph mark left out joins its
    paragraph to the next."""
    out: list[str] = []
    line: list[tuple[str, bool, bool, bool]] = []
    for index, (pieces, mark) in enumerate(paragraphs):
        line.extend((x.text, x.struck, x.italic, x.bold) for x in pieces if x.state != skip)
        if mark == skip and index < len(paragraphs) - 1:
            continue
        out.append(_markers(line))
        line = []
    return "\n".join(out)


def import_docx(data: bytes) -> DocxImport:
    """Read a .docx: the notation text with every tracked change accepted (and, apart, with
    every change rejected), the changes and the comments. ``DocxError`` with a clear message
    for a file that is not a readable, unencrypted .docx."""
    if not isinstance(data, bytes | bytearray):
        raise DocxError("a .docx must be given as bytes")
    if not data:
        raise DocxError("the file is empty")
    archive = _open_zip(bytes(data))
    root = _read_part(archive, "word/document.xml")
    if root is None or root.tag != f"{_W}document":
        raise DocxError("word/document.xml is not a WordprocessingML document")
    body = root.find(f"{_W}body")
    reader = _Reader()
    if body is not None:
        try:
            reader.block(body)
        except RecursionError:
            raise DocxError("the document is nested too deeply to be read") from None
    comments: list[Comment] = []
    comments_root = _read_part(archive, "word/comments.xml")
    if comments_root is not None:
        for comment in comments_root.iter(f"{_W}comment"):
            cid = comment.get(f"{_W}id", "")
            text = "\n".join(
                "".join(t.text or "" for t in p.iter(f"{_W}t")) for p in comment.iter(f"{_W}p")
            )
            comments.append(
                Comment(
                    cid,
                    comment.get(f"{_W}author", ""),
                    comment.get(f"{_W}date", ""),
                    text.strip(),
                    reader.anchor(cid),
                )
            )
    for part in ("word/footnotes.xml", "word/endnotes.xml"):
        notes = _read_part(archive, part)
        if notes is not None and any(
            (t.text or "").strip()
            for n in notes
            if n.get(f"{_W}type") is None
            for t in n.iter(f"{_W}t")
        ):
            reader.warnings.add(
                "footnotes and endnotes are not imported (their marks are left out)"
            )
    properties: dict[str, str] = {}
    core = _read_part(archive, "docProps/core.xml")
    if core is not None:
        for element in core:
            if isinstance(element.tag, str) and (element.text or "").strip():
                properties[etree.QName(element).localname] = element.text.strip()
    return DocxImport(
        text=_text(reader.paragraphs, "del"),
        rejected_text=_text(reader.paragraphs, "ins"),
        changes=reader.changes,
        comments=comments,
        title=" ".join(reader.title),
        subtitle=" ".join(reader.subtitle),
        properties=properties,
        warnings=sorted(reader.warnings),
    )
