"""Text out of the tree: the input back (``render``), the agreed text (``clean_text``), the
text without markup (``plain_text``), and segments for templates (``paragraph_segments``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .tree import (
    Bracket,
    Document,
    Emphasis,
    Gap,
    Inline,
    Label,
    Note,
    Paragraph,
    Position,
    PositionEntry,
    StrayClose,
    Struck,
    Text,
)


def render(doc: Document) -> str:
    """The text the tree was parsed from, character for character."""
    out: list[str] = []
    append = out.append
    for block in doc.blocks:
        if isinstance(block, Gap):
            append(block.text)
        else:
            _render_inline(block.children, out)
    return "".join(out)


def render_paragraph(paragraph: Paragraph) -> str:
    out: list[str] = []
    _render_inline(paragraph.children, out)
    return "".join(out)


def _render_inline(nodes: list[Inline], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Bracket | Struck):
            out.append(node.open)
            _render_inline(node.children, out)
            out.append(node.close)
        elif isinstance(node, Emphasis):
            out.append(node.marker)
            _render_inline(node.children, out)
            out.append(node.marker)
        else:
            out.append(node.text)


# -- clean and plain text --------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0]+")
_SPACE_BEFORE = re.compile(r"[ \t]+(?=[,.;:!?)\]])")
_SPACE_AFTER_OPEN = re.compile(r"(?<=\()[ \t]+")
_DOUBLED = re.compile(r"([,;])(?:[ \t]*[,;])+")
_LINE_EDGES = re.compile(r"[ \t]+(?=\r?\n|\r|$)|(?<=\n)[ \t]+")


def tidy(text: str) -> str:
    """Spacing after markup was taken out: one space between words, none before punctuation,
    no doubled commas, no spaces at the ends of lines or of the paragraph."""
    text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE.sub("", text)
    text = _SPACE_AFTER_OPEN.sub("", text)
    text = _DOUBLED.sub(r"\1", text)
    text = _LINE_EDGES.sub("", text)
    return text.strip(" \t")


def paragraph_clean(paragraph: Paragraph) -> str:
    """The agreed text of a paragraph: brackets with their content, struck text, position tags
    and notes removed; emphasis markers removed; spacing tidied. "" when nothing is agreed
    beyond the label."""
    raw = raw_text(paragraph, agreed_only=True)
    return "" if is_empty(raw, paragraph.label) else tidy(raw)


def paragraph_plain(paragraph: Paragraph) -> str:
    """All the words of a paragraph with the markup (brackets, ~~, *, tags, notes) removed."""
    return tidy(raw_text(paragraph, agreed_only=False))


def raw_text(paragraph: Paragraph, *, agreed_only: bool) -> str:
    """The paragraph's text with markup left out but spacing not yet tidied."""
    out: list[str] = []
    _plain(paragraph.children, out, agreed_only=agreed_only)
    return "".join(out)


_EMPTY_CHARS = " \t\r\n*-–•·~[,;.:"


def is_empty(raw: str, label: Label | None) -> bool:
    """True when nothing but the label and punctuation is left."""
    if label is not None:
        raw = raw.replace(label.text, "", 1)
    return not raw.strip(_EMPTY_CHARS)


def _plain(nodes: list[Inline], out: list[str], *, agreed_only: bool) -> None:
    for node in nodes:
        if isinstance(node, Text | Label):
            out.append(node.text)
        elif isinstance(node, Bracket | Struck):
            if not agreed_only:
                _plain(node.children, out, agreed_only=False)
        elif isinstance(node, Emphasis):
            _plain(node.children, out, agreed_only=agreed_only)
        # Position, Note and StrayClose are markup: left out.


def clean_text(doc: Document) -> str:
    """The agreed-only text of the whole document; paragraphs with nothing agreed are left out
    with the blank lines that followed them."""
    return join_paragraphs(doc, [raw_text(p, agreed_only=True) for p in doc.paragraphs])


def plain_text(doc: Document) -> str:
    """All the text of the document with the markup removed."""
    return join_paragraphs(doc, [raw_text(p, agreed_only=False) for p in doc.paragraphs])


def join_paragraphs(doc: Document, raws: list[str]) -> str:
    """The document with each paragraph replaced by its raw text (one per paragraph, in order),
    empty paragraphs left out with the gap after them, and spacing tidied in one pass."""
    out: list[str] = []
    keep_gap = True
    index = 0
    for block in doc.blocks:
        if isinstance(block, Gap):
            if keep_gap:
                out.append(block.text)
            continue
        raw = raws[index]
        index += 1
        keep_gap = not is_empty(raw, block.label)
        if keep_gap:
            out.append(raw)
    return tidy("".join(out))


# -- segments for templates ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a paragraph as a template shows it.

    ``kind`` is one of: ``text``, ``label``, ``marker`` (``~~``, ``*``, ``**``), ``open`` / ``close`` (a bracket's ``[`` / ``]``;
    ``close`` with ``text == ""`` when the bracket was never closed), ``stray`` (a ``]`` with no
    ``[``), ``position`` (a tag; ``entries`` holds its stances), ``note`` (``delegations`` and
    ``body``). ``depth`` is how many brackets enclose the run (the bracket's own depth for
    open/close), ``struck`` and ``emphasis`` whether it is inside ``~~`` or ``*``.
    """

    kind: str
    text: str
    depth: int = 0
    struck: bool = False
    emphasis: bool = False
    entries: tuple[PositionEntry, ...] = ()
    delegations: tuple[str, ...] = ()
    body: str = ""


def paragraph_segments(paragraph: object) -> list[Segment]:
    """Segments of a ``Paragraph`` (or of anything with a ``.node`` that is one, such as an
    analysis paragraph) in reading order; their texts joined are the paragraph's source."""
    node = paragraph if isinstance(paragraph, Paragraph) else paragraph.node  # type: ignore[attr-defined]
    out: list[Segment] = []
    _segments(node.children, out, 0, False, False)
    return out


def _segments(
    nodes: Iterable[Inline], out: list[Segment], depth: int, struck: bool, emphasis: bool
) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(Segment("text", node.text, depth, struck, emphasis))
        elif isinstance(node, Label):
            out.append(Segment("label", node.text, depth, struck, emphasis))
        elif isinstance(node, Bracket):
            out.append(Segment("open", node.open, node.depth, struck, emphasis))
            _segments(node.children, out, node.depth, struck, emphasis)
            out.append(Segment("close", node.close, node.depth, struck, emphasis))
        elif isinstance(node, Struck):
            out.append(Segment("marker", node.open, depth, True, emphasis))
            _segments(node.children, out, depth, True, emphasis)
            out.append(Segment("marker", node.close, depth, True, emphasis))
        elif isinstance(node, Emphasis):
            out.append(Segment("marker", node.marker, depth, struck, True))
            _segments(node.children, out, depth, struck, True)
            out.append(Segment("marker", node.marker, depth, struck, True))
        elif isinstance(node, Position):
            out.append(Segment("position", node.text, depth, struck, emphasis, node.entries))
        elif isinstance(node, Note):
            out.append(
                Segment("note", node.text, depth, struck, emphasis, (), node.delegations, node.body)
            )
        elif isinstance(node, StrayClose):
            out.append(Segment("stray", node.text, depth, struck, emphasis))
