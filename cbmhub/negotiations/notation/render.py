"""Text out of the tree: the input back (``render``), the agreed text (``clean_text``), the
text without markup (``plain_text``), and segments for templates (``paragraph_segments``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
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
    # An explicit stack, not recursion: brackets nest up to parser.MAX_DEPTH (100) deep.
    stack: list[tuple[Iterator[Inline], str]] = [(iter(nodes), "")]
    while stack:
        for node in stack[-1][0]:
            if isinstance(node, Bracket | Struck):
                out.append(node.open)
                stack.append((iter(node.children), node.close))
                break
            if isinstance(node, Emphasis):
                out.append(node.marker)
                stack.append((iter(node.children), node.marker))
                break
            out.append(node.text)
        else:
            out.append(stack.pop()[1])


# -- clean and plain text --------------------------------------------------------------------

_SPACE_RUN = re.compile("  +")
_SPACE_BEFORE = re.compile(" (?=[,.;:!?)\\]])")
_DOUBLED = re.compile(r"([,;])(?:[ \t]*[,;])+")


def tidy(text: str) -> str:
    """Spacing after markup was taken out: one space between words, none before punctuation,
    no doubled commas, no spaces at the ends of lines or of the paragraph."""
    # Each pass only runs when its trigger is present: a cheap substring test first. Tabs and
    # no-break spaces become spaces and runs of spaces one space first, so every later rule
    # deals with single spaces: plain replacements, or a pattern that starts with a literal
    # space (which the regular-expression engine searches for quickly).
    if "\t" in text:
        text = text.replace("\t", " ")
    if "\u00a0" in text:
        text = text.replace("\u00a0", " ")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if " " in text:
        text = _SPACE_BEFORE.sub("", text)  # before , . ; : ! ? ) ]
        if "( " in text:
            text = text.replace("( ", "(")
        # At the ends of lines (the end of the paragraph is stripped below).
        if " \n" in text:
            text = text.replace(" \n", "\n")
        if " \r" in text:
            text = text.replace(" \r", "\r")
        if "\n " in text:
            text = text.replace("\n ", "\n")
    if (
        ",," in text
        or ";;" in text
        or ", ," in text
        or "; ;" in text
        or ", ;" in text
        or "; ," in text
    ):
        text = _DOUBLED.sub(r"\1", text)
    return text.strip(" \t")


def is_simple(paragraph: Paragraph) -> bool:
    """True when the paragraph holds no markup at all (only text and its label)."""
    return all(type(node) is Text or type(node) is Label for node in paragraph.children)


def paragraph_clean(paragraph: Paragraph) -> str:
    """The agreed text of a paragraph: brackets with their content, struck text, position tags
    and notes removed; emphasis markers removed; spacing tidied where markup was removed.
    "" when nothing is agreed beyond the label."""
    if is_simple(paragraph):
        return render_paragraph(paragraph)
    raw = raw_text(paragraph, agreed_only=True)
    return "" if is_empty(raw, paragraph.label) else tidy(raw)


def paragraph_plain(paragraph: Paragraph) -> str:
    """All the words of a paragraph with the markup (brackets, ~~, *, tags, notes) removed."""
    if is_simple(paragraph):
        return render_paragraph(paragraph)
    raw = raw_text(paragraph, agreed_only=False)
    return "" if is_empty(raw, None) else tidy(raw)


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
    stack: list[Iterator[Inline]] = [iter(nodes)]
    while stack:
        for node in stack[-1]:
            if isinstance(node, Text | Label):
                out.append(node.text)
            elif isinstance(node, Emphasis) or (
                isinstance(node, Bracket | Struck) and not agreed_only
            ):
                stack.append(iter(node.children))
                break
            # Position, Note and StrayClose are markup, and in agreed-only text brackets and
            # struck text are left out with what they hold.
        else:
            stack.pop()


def clean_text(doc: Document) -> str:
    """The agreed-only text of the whole document; paragraphs with nothing agreed are left out
    with the blank lines that followed them. Paragraphs without markup are kept as written."""
    return join_paragraphs(doc, [paragraph_clean(p) for p in doc.paragraphs])


def plain_text(doc: Document) -> str:
    """All the text of the document with the markup removed."""
    return join_paragraphs(doc, [paragraph_plain(p) for p in doc.paragraphs])


def join_paragraphs(doc: Document, texts: list[str]) -> str:
    """The document with each paragraph replaced by its text (one per paragraph, in order);
    a paragraph whose text is "" is left out with the gap after it."""
    out: list[str] = []
    keep_gap = True
    index = 0
    for block in doc.blocks:
        if isinstance(block, Gap):
            if keep_gap:
                out.append(block.text)
            continue
        text = texts[index]
        index += 1
        keep_gap = bool(text)
        if keep_gap:
            out.append(text)
    return "".join(out)


# -- segments for templates ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a paragraph as a template shows it.

    ``kind`` is one of: ``text``, ``label``, ``marker`` (``~~``, ``*``, ``**``), ``open`` /
    ``close`` (a bracket's ``[`` / ``]``; ``close`` with ``text == ""`` when the bracket was
    never closed), ``stray`` (a ``]`` with no ``[``), ``position`` (a tag; ``entries`` holds
    its stances), ``note`` (``delegations`` and ``body``). ``depth`` is how many brackets
    enclose the run (the bracket's own depth for open/close); ``struck`` says whether it is
    inside ``~~``, ``emphasis`` whether inside ``*`` or ``***`` (italic) and ``strong`` whether
    inside ``**`` or ``***`` (bold).
    """

    kind: str
    text: str
    depth: int = 0
    struck: bool = False
    emphasis: bool = False
    entries: tuple[PositionEntry, ...] = ()
    delegations: tuple[str, ...] = ()
    body: str = ""
    strong: bool = False


def paragraph_segments(paragraph: object) -> list[Segment]:
    """Segments of a ``Paragraph`` (or of anything with a ``.node`` that is one, such as an
    analysis paragraph) in reading order; their texts joined are the paragraph's source."""
    # Duck-typed: an analysis paragraph (analysis.py) carries its Paragraph as .node.
    node = paragraph if isinstance(paragraph, Paragraph) else paragraph.node  # type: ignore[attr-defined]  # noqa: E501
    out: list[Segment] = []
    _segments(node.children, out)
    return out


def _segments(nodes: Iterable[Inline], out: list[Segment]) -> None:
    # (children, depth, struck, italic, bold, closing segment) per open container.
    stack: list[tuple[Iterator[Inline], int, bool, bool, bool, Segment | None]] = [
        (iter(nodes), 0, False, False, False, None)
    ]
    while stack:
        children, depth, struck, italic, bold, _ = stack[-1]
        for node in children:
            if isinstance(node, Text):
                out.append(Segment("text", node.text, depth, struck, italic, strong=bold))
            elif isinstance(node, Label):
                out.append(Segment("label", node.text, depth, struck, italic, strong=bold))
            elif isinstance(node, Bracket):
                out.append(Segment("open", node.open, node.depth, struck, italic, strong=bold))
                close = Segment("close", node.close, node.depth, struck, italic, strong=bold)
                stack.append((iter(node.children), node.depth, struck, italic, bold, close))
                break
            elif isinstance(node, Struck):
                out.append(Segment("marker", node.open, depth, True, italic, strong=bold))
                close = Segment("marker", node.close, depth, True, italic, strong=bold)
                stack.append((iter(node.children), depth, True, italic, bold, close))
                break
            elif isinstance(node, Emphasis):
                # Markdown: * italic, ** bold, *** both.
                inner_italic = italic or len(node.marker) != 2
                inner_bold = bold or len(node.marker) >= 2
                out.append(
                    Segment("marker", node.marker, depth, struck, inner_italic, strong=inner_bold)
                )
                close = Segment(
                    "marker", node.marker, depth, struck, inner_italic, strong=inner_bold
                )
                stack.append((iter(node.children), depth, struck, inner_italic, inner_bold, close))
                break
            elif isinstance(node, Position):
                out.append(
                    Segment("position", node.text, depth, struck, italic, node.entries, strong=bold)
                )
            elif isinstance(node, Note):
                out.append(
                    Segment(
                        "note",
                        node.text,
                        depth,
                        struck,
                        italic,
                        (),
                        node.delegations,
                        node.body,
                        bold,
                    )
                )
            elif isinstance(node, StrayClose):
                out.append(Segment("stray", node.text, depth, struck, italic, strong=bold))
        else:
            closing = stack.pop()[5]
            if closing is not None:
                out.append(closing)
