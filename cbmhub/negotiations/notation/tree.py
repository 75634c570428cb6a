"""The tree a negotiation text parses into.

Every node knows its source offsets (``start``/``end``, Python string indices into
``Document.source``) and holds its own characters, so walking the tree and concatenating the
leaves and the markers gives back the input exactly (see ``render.render``). Nothing in the
input is dropped: text the parser cannot make sense of stays in the tree as ``Text`` or
``StrayClose`` and is reported as a ``Diagnostic``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Stance = Literal["support", "oppose"]
Severity = Literal["error", "warning"]
ParagraphKind = Literal["preambular", "operative", "sub-item", "other"]


@dataclass(slots=True)
class Text:
    """Running text (including spaces and line breaks inside a paragraph)."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Label:
    """A paragraph label as written: ``PP5b.``, ``OP1.``, ``1.``, ``e)``, ``(1)``,
    ``PP5e altern.``. ``name`` is the normalised form (``PP5b``, ``1``, ``(e)``,
    ``PP5e-alt``)."""

    start: int
    end: int
    text: str
    name: str
    kind: ParagraphKind


@dataclass(frozen=True, slots=True)
class PositionEntry:
    """One delegation's stance inside a position tag: ``+IRAN with reservation``."""

    delegation: str  # normalised code: NFKC, upper case, no dots ("IRAN", "РФ")
    code: str  # as written
    stance: Stance
    qualifier: str


@dataclass(slots=True)
class Position:
    """A position tag ``(+CHN)``, ``(-ISR)``, ``(+IRAN with reservation)``, ``(+CHN, -ISR)``."""

    start: int
    end: int
    text: str
    entries: tuple[PositionEntry, ...]


@dataclass(slots=True)
class Note:
    """A note naming delegations: ``(IND: keep original)``, ``(CHN, THA original text)``."""

    start: int
    end: int
    text: str
    delegations: tuple[str, ...]  # normalised codes
    body: str  # what the note says, without the codes


@dataclass(slots=True)
class StrayClose:
    """A ``]`` with no ``[`` open before it in its paragraph. Kept, and reported."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Bracket:
    """``[ ... ]``: text not agreed. ``close`` is ``""`` when the bracket was never closed
    (reported); ``depth`` is 1 for an outermost bracket; ``number`` counts brackets in the
    paragraph in order of opening, from 1."""

    start: int
    end: int
    open: str
    close: str
    depth: int
    number: int
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class Struck:
    """``~~ ... ~~``: text proposed for deletion."""

    start: int
    end: int
    open: str
    close: str
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class Emphasis:
    """``*...*`` or ``**...**`` (Markdown emphasis, mostly left by text extraction)."""

    start: int
    end: int
    marker: str
    children: list[Inline] = field(default_factory=list)


Inline = Text | Label | Position | Note | StrayClose | Bracket | Struck | Emphasis
Container = Bracket | Struck | Emphasis


@dataclass(slots=True)
class Paragraph:
    """A paragraph: the lines from a label (or a line after a blank line) to the next.

    ``line`` is the 1-based line where it starts; ``index`` its position among the document's
    paragraphs, from 0. It does not include the line break that ends its last line (that
    belongs to the following ``Gap``)."""

    start: int
    end: int
    line: int
    end_line: int
    index: int
    label: Label | None
    children: list[Inline] = field(default_factory=list)


@dataclass(slots=True)
class Gap:
    """Line breaks and blank lines between paragraphs (and at the start or end)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem in the text, pointed at by 1-based line and column (in characters)."""

    line: int
    column: int
    severity: Severity
    message: str
    offset: int


# At most this many diagnostics are kept per document (in text order); the others are only
# counted. A megabyte of "]" is a million errors: listing each would cost more memory than
# the text and help no reader.
MAX_DIAGNOSTICS = 1000


@dataclass(slots=True)
class Document:
    """A parsed negotiation text: paragraphs and gaps in order, plus what was wrong.

    ``diagnostics`` lists the first ``MAX_DIAGNOSTICS`` problems; ``omitted`` counts, by
    severity, those found beyond them."""

    source: str
    blocks: list[Paragraph | Gap]
    diagnostics: list[Diagnostic]
    omitted: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        listed = sum(1 for d in self.diagnostics if d.severity == "error")
        return listed + self.omitted.get("error", 0)

    @property
    def warnings(self) -> int:
        listed = sum(1 for d in self.diagnostics if d.severity == "warning")
        return listed + self.omitted.get("warning", 0)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [block for block in self.blocks if isinstance(block, Paragraph)]
