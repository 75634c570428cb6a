"""Akoma Ntoso 3.0 (OASIS LegalDocML) in and out, with the AKN4UN conventions of the UN's own
machine-readable resolutions.

    doc = read_akn(data)           # any AKN 3.0 statement / act / doc: metadata and paragraphs
    xml = write_akn(analysis, ...) # a revision as an AKN ``statement`` (see ``write_akn``)

``read_akn`` is the public reader other modules build on (the precedent index): its signature
and the fields of ``AknDocument`` / ``AknParagraph`` stay stable; fields may be added.

No Django here: the ``cbmhub text`` commands use this module with no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lxml import etree  # type: ignore[import-untyped]

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
            if isinstance(child.tag, str) and etree.QName(child).localname not in skip:
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
    out.append(
        AknParagraph("operative", _text(node.find(f"{_A}num")), _attr(node, "eId"), own, level)
    )
    for sub in node:
        name = _local(sub)
        if name == "list" or name in _ITEMS:
            _node(sub, out, level if name == "list" else level + 1)
        elif name == "wrapUp":
            _node(sub, out, level + 1)
