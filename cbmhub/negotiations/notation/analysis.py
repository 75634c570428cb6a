"""Where consensus stands: per paragraph, per delegation, and in total.

``analyse(parse(text))`` gives an ``Analysis``; ``consensus(analysis)`` sums it up (who
supports, who opposes, who blocks most); ``analysis_to_json`` is the JSON that
``cbmhub text parse`` prints and the negotiations views and API serve (docs/notation.md).
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .codes import ACTORS
from .parser import line_starts
from .render import is_empty, join_paragraphs, paragraph_clean, paragraph_plain, tidy
from .tree import (
    Bracket,
    Diagnostic,
    Document,
    Emphasis,
    Gap,
    Inline,
    Label,
    Note,
    Paragraph,
    ParagraphKind,
    Position,
    StrayClose,
    Struck,
    Text,
)

Resolver = Callable[[str], "tuple[Any, str] | None"]

JSON_VERSION = 1
_EXCERPT = 80
# What may stand between a "]" and the tags that follow it without detaching them from it.
_SEPARATORS = " \t\r\n,;.:"
# A note that makes its paragraph wait on something else: it names another paragraph
# ("with PP5c", "depends on PP5b and PP5c", "keep PP5b or delete both"), states a dependency
# or condition, or asks to keep the original text. Such a paragraph is not agreed even when
# nothing in it is bracketed: it is "conditional".
_CONDITION = re.compile(
    r"\b(?:PP|OP|ПП|ОП)\s?\d"
    r"|\b(?:para(?:graph)?s?\.?\s*\d)"
    r"|(?i:\b(?:depend\w*|subject\s+to|condition\w*|linked\s+(?:to|with)|tied\s+to|pending"
    r"|together\s+with|in\s+conjunction\s+with|ad\s+ref\w*|original\w*|revert\w*)\b)"
)


def is_condition(note_text: str) -> bool:
    """Whether a note's text makes its paragraph conditional (see ``_CONDITION``)."""
    return _CONDITION.search(note_text) is not None


@dataclass(frozen=True, slots=True)
class Attachment:
    """What a position tag is about: a bracket of the paragraph (``number``, counted from 1 in
    order of opening, with an ``excerpt`` of its plain text) or the paragraph as a whole."""

    kind: str  # "bracket" | "paragraph"
    number: int | None = None
    excerpt: str = ""


@dataclass(frozen=True, slots=True)
class PositionInfo:
    delegation: str
    code: str
    stance: str
    qualifier: str
    attaches_to: Attachment
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class NoteInfo:
    """A note by delegations. ``conditional``: it makes the paragraph depend on others or asks
    to keep the original text, so the paragraph is not agreed (``is_condition``)."""

    delegations: tuple[str, ...]
    text: str
    line: int
    column: int
    conditional: bool = False


@dataclass(slots=True)
class ParagraphInfo:
    """One paragraph as analysed. ``key`` identifies it across revisions: the normalised label
    (``PP5b``; a sub-item under its parent, ``OP5(1)``), ``¶<n>`` when unlabelled, with
    ``#2``, ``#3`` ... for repeats."""

    node: Paragraph
    key: str
    label: str
    kind: ParagraphKind
    status: str  # "agreed" | "bracketed" | "conditional" (agreed text, a note holds it back)
    brackets: int
    max_depth: int
    struck: int
    positions: list[PositionInfo]
    notes: list[NoteInfo]
    line: int
    end_line: int
    text: str

    @property
    def clean(self) -> str:
        return paragraph_clean(self.node)

    @property
    def plain(self) -> str:
        return paragraph_plain(self.node)


@dataclass(slots=True)
class DelegationInfo:
    code: str
    support: int = 0
    oppose: int = 0
    notes: int = 0
    paragraphs: list[str] = field(default_factory=list)
    actor: bool = False
    state: tuple[Any, str] | None = None


@dataclass(slots=True)
class Analysis:
    paragraphs: list[ParagraphInfo]
    delegations: dict[str, DelegationInfo]
    unknown_codes: list[str]
    actors: list[str]
    resolved: bool
    totals: dict[str, Any]
    diagnostics: list[Diagnostic]
    clean_text: str
    plain_text: str

    def paragraph(self, key: str) -> ParagraphInfo | None:
        for paragraph in self.paragraphs:
            if paragraph.key == key:
                return paragraph
        return None


def analyse(doc: Document, *, resolve: Resolver | None = None) -> Analysis:
    """Analyse a parsed document. ``resolve(code)`` returns ``(state_id, state_name)`` for a
    delegation code or None; actors (CHAIR, FACILITATOR ...) are never passed to it."""
    # As in parse(): nothing built here forms a cycle, so the cyclic collector is paused.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyse(doc, resolve)
    finally:
        if enabled:
            gc.enable()


class _Totals:
    """The running counts of one analysis, summed paragraph by paragraph."""

    __slots__ = (
        "agreed", "conditional", "labelled", "labelled_agreed", "brackets", "struck",
        "positions", "notes",
    )  # fmt: skip

    def __init__(self) -> None:
        self.agreed = self.conditional = self.labelled = self.labelled_agreed = 0
        self.brackets = self.struck = self.positions = self.notes = 0

    def count_status(self, status: str, labelled: bool) -> None:
        if status == "conditional":
            self.conditional += 1
        elif status == "agreed":
            self.agreed += 1
            if labelled:
                self.labelled_agreed += 1

    def count_walker(self, walker: _Walker, status: str) -> None:
        self.count_status(status, walker.paragraph.label is not None)
        self.brackets += walker.brackets
        self.struck += walker.struck
        self.positions += len(walker.positions)
        self.notes += len(walker.notes)


class _Keys:
    """The key of each paragraph: its label's name (a sub-item's prefixed with its parent's),
    or "¶<n>"; a key met again takes "#<count>"."""

    __slots__ = ("seen", "parent")

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.parent = ""

    def key(self, paragraph: Paragraph) -> str:
        label = paragraph.label
        seen = self.seen
        if label is None:
            # "¶<n>" never repeats (indexes are unique) nor meets a label's key.
            key = f"¶{paragraph.index + 1}"
            if key in seen:  # only in a document not made by parse()
                count = seen[key] = seen[key] + 1
                return f"{key}#{count}"
            seen[key] = 1
            return key
        if label.kind == "sub-item":
            base = self.parent + label.name
        else:
            base = self.parent = label.name
        count = seen.get(base, 0) + 1
        seen[base] = count
        return base if count == 1 else f"{base}#{count}"


def _analyse(doc: Document, resolve: Resolver | None) -> Analysis:
    # One loop over the blocks. A paragraph without markup (most of a real text) costs its
    # key and its ParagraphInfo only: it is agreed, and its clean and plain text are its
    # source, so the clean and plain texts of the document take runs of such paragraphs and
    # the gaps between them as single slices of the source.
    source = doc.source
    paragraphs: list[ParagraphInfo] = []
    add_paragraph = paragraphs.append
    delegations: dict[str, DelegationInfo] = {}
    keys = _Keys()
    # Paragraphs with markup: (index in doc.blocks, clean text, plain text).
    marked: list[tuple[int, str, str]] = []
    contiguous = True  # the blocks cover the source in order, as parse() makes them
    expected = 0
    totals = _Totals()
    gap_type = Gap

    for block_index, block in enumerate(doc.blocks):
        if block.start != expected:
            contiguous = False
        expected = block.end
        if type(block) is gap_type or not isinstance(block, Paragraph):
            continue
        key = keys.key(block)
        if block.label is not None:
            totals.labelled += 1
        if not _has_markup(block):
            text = source[block.start : block.end]
            add_paragraph(_agreed_paragraph(block, key, text))
            totals.count_status("agreed", block.label is not None)
            if not text:
                contiguous = False  # not from parse(): take the general path below
            continue
        walker = _Walker(source, block)
        walker.walk(block.children)
        status = walker.status()
        totals.count_walker(walker, status)
        add_paragraph(_marked_paragraph(walker, key, status))
        marked.append((block_index, *_walker_texts(walker)))
        _count_delegations(delegations, walker, key)

    unknown, actors = _resolve_delegations(delegations, resolve)
    whole = contiguous and expected == len(source)
    return Analysis(
        paragraphs=paragraphs,
        delegations=dict(sorted(delegations.items())),
        unknown_codes=sorted(unknown),
        actors=sorted(actors),
        resolved=resolve is not None,
        totals=_totals_dict(doc, totals, paragraphs, len(delegations) - len(actors)),
        diagnostics=list(doc.diagnostics),
        clean_text=_join(doc, marked, 1, whole, paragraphs),
        plain_text=_join(doc, marked, 2, whole, paragraphs),
    )


def _has_markup(paragraph: Paragraph) -> bool:
    """Whether a paragraph holds anything but text and its label."""
    text_type, label_type = Text, Label
    for node in paragraph.children:
        kind = type(node)
        if kind is not text_type and kind is not label_type:
            return True
    return False


def _agreed_paragraph(paragraph: Paragraph, key: str, text: str) -> ParagraphInfo:
    """A paragraph without markup: agreed, nothing to count, its text as it stands."""
    label = paragraph.label
    return ParagraphInfo(
        paragraph, key, label.text if label else "", label.kind if label else "other",
        "agreed", 0, 0, 0, [], [], paragraph.line, paragraph.end_line, text,
    )  # fmt: skip


def _marked_paragraph(walker: _Walker, key: str, status: str) -> ParagraphInfo:
    paragraph = walker.paragraph
    label = paragraph.label
    return ParagraphInfo(
        node=paragraph,
        key=key,
        label=label.text if label else "",
        kind=label.kind if label else "other",
        status=status,
        brackets=walker.brackets,
        max_depth=walker.max_depth,
        struck=walker.struck,
        positions=walker.positions,
        notes=walker.notes,
        line=paragraph.line,
        end_line=paragraph.end_line,
        text=walker.source[paragraph.start : paragraph.end],
    )


def _walker_texts(walker: _Walker) -> tuple[str, str]:
    """The clean and plain text of a walked paragraph, tidied; "" where nothing is left."""
    raw_plain = "".join(walker.plain)
    if walker.hid:
        raw_clean = "".join(walker.clean)
        tidy_clean = tidy_plain = None
    else:  # nothing left out: the clean text is the plain text, tidied once
        raw_clean = raw_plain
        tidy_clean = tidy_plain = tidy(raw_plain)
    if is_empty(raw_clean, walker.paragraph.label):
        clean = ""
    else:
        clean = tidy_clean if tidy_clean is not None else tidy(raw_clean)
    if is_empty(raw_plain, None):
        plain = ""
    else:
        plain = tidy_plain if tidy_plain is not None else tidy(raw_plain)
    return clean, plain


def _delegation(delegations: dict[str, DelegationInfo], code: str, key: str) -> DelegationInfo:
    """The entry of a delegation, made on first sight, with the paragraph's key noted once."""
    entry = delegations.get(code)
    if entry is None:
        entry = delegations[code] = DelegationInfo(code)
    if not entry.paragraphs or entry.paragraphs[-1] != key:
        entry.paragraphs.append(key)
    return entry


def _count_delegations(delegations: dict[str, DelegationInfo], walker: _Walker, key: str) -> None:
    for position in walker.positions:
        entry = _delegation(delegations, position.delegation, key)
        if position.stance == "support":
            entry.support += 1
        else:
            entry.oppose += 1
    for note in walker.notes:
        for code in note.delegations:
            _delegation(delegations, code, key).notes += 1


def _resolve_delegations(
    delegations: dict[str, DelegationInfo], resolve: Resolver | None
) -> tuple[list[str], list[str]]:
    """Mark the actors and resolve the other codes; returns (unknown codes, actors)."""
    unknown: list[str] = []
    actors: list[str] = []
    for code, entry in delegations.items():
        if code in ACTORS:
            entry.actor = True
            actors.append(code)
        elif resolve is not None:
            entry.state = resolve(code)
            if entry.state is None:
                unknown.append(code)
    return unknown, actors


def _totals_dict(
    doc: Document, totals: _Totals, paragraphs: list[ParagraphInfo], delegations: int
) -> dict[str, Any]:
    count = len(paragraphs)
    return {
        "paragraphs": count,
        "agreed": totals.agreed,
        "bracketed": count - totals.agreed - totals.conditional,
        "conditional": totals.conditional,
        "labelled": totals.labelled,
        "labelled_agreed": totals.labelled_agreed,
        "agreed_percent": _percent(totals.agreed, count),
        "labelled_agreed_percent": _percent(totals.labelled_agreed, totals.labelled),
        "brackets": totals.brackets,
        "struck": totals.struck,
        "positions": totals.positions,
        "notes": totals.notes,
        "delegations": delegations,
        "errors": doc.errors,
        "warnings": doc.warnings,
    }


@dataclass(frozen=True, slots=True)
class ConsensusRow:
    """One delegation's stances: tag counts, and the keys of the paragraphs where it opposes
    something (each paragraph once, in text order, however many tags it has there)."""

    code: str
    support: int
    oppose: int
    notes: int
    actor: bool
    state: tuple[Any, str] | None
    opposes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Consensus:
    """Where consensus stands. ``rows``: every delegation, actors included, most oppositions
    first, then most paragraphs opposed, then code. ``blockers``: the rows of delegations
    that are not actors and oppose at least once, in the same order (an actor such as the
    chair proposes, it does not block)."""

    totals: dict[str, Any]
    rows: tuple[ConsensusRow, ...]
    blockers: tuple[ConsensusRow, ...]


def consensus(analysis: Analysis) -> Consensus:
    """Sum up an analysis: the totals, the stances per delegation and who blocks most."""
    opposed: dict[str, list[str]] = {}
    for paragraph in analysis.paragraphs:
        key = paragraph.key
        for position in paragraph.positions:
            if position.stance == "oppose":
                keys = opposed.setdefault(position.delegation, [])
                if not keys or keys[-1] != key:  # paragraphs come in order: once each
                    keys.append(key)
    rows = sorted(
        (
            ConsensusRow(
                code=code,
                support=entry.support,
                oppose=entry.oppose,
                notes=entry.notes,
                actor=entry.actor,
                state=entry.state,
                opposes=tuple(opposed.get(code, ())),
            )
            for code, entry in analysis.delegations.items()
        ),
        key=lambda row: (-row.oppose, -len(row.opposes), row.code),
    )
    return Consensus(
        totals=analysis.totals,
        rows=tuple(rows),
        blockers=tuple(row for row in rows if row.oppose and not row.actor),
    )


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


def _join(
    doc: Document,
    marked: list[tuple[int, str, str]],
    which: int,
    contiguous: bool,
    paragraphs: list[ParagraphInfo],
) -> str:
    """``render.join_paragraphs`` for the clean (``which`` 1) or plain (2) texts: the paragraphs
    without markup are their source, so when the blocks cover the source in order, what lies
    between two paragraphs with markup is copied in one slice."""
    source = doc.source
    if not contiguous:
        texts = {record[0]: record[1] if which == 1 else record[2] for record in marked}
        by_block = iter(paragraphs)
        replaced: list[str] = []
        for index, block in enumerate(doc.blocks):
            if isinstance(block, Paragraph):
                info = next(by_block)
                replaced.append(texts.get(index, info.text))
        return join_paragraphs(doc, replaced)
    blocks = doc.blocks
    out: list[str] = []
    position = 0
    for record in marked:
        index, text = record[0], record[1] if which == 1 else record[2]
        paragraph = blocks[index]
        out.append(source[position : paragraph.start])
        position = paragraph.end
        if text:
            out.append(text)
        elif index + 1 < len(blocks) and isinstance(blocks[index + 1], Gap):
            position = blocks[index + 1].end  # left out with the gap after it
    out.append(source[position:])
    return "".join(out)


class _Walker:
    """One walk over a paragraph's nodes: counts, tags with what they attach to, notes, and
    the pieces of its clean (agreed-only) and plain text (``render.raw_text``)."""

    def __init__(self, source: str, paragraph: Paragraph) -> None:
        self.source = source
        self.paragraph = paragraph
        self.lines: list[int] | None = None
        self.brackets = 0
        self.max_depth = 0
        self.struck = 0
        self.positions: list[PositionInfo] = []
        self.notes: list[NoteInfo] = []
        self.clean: list[str] = []
        self.plain: list[str] = []
        self.hid = False  # whether a bracket or struck text was left out of the clean text

    def status(self) -> str:
        """After ``walk``: ``bracketed`` (a bracket or struck text), ``conditional`` (a note
        sets a condition) or ``agreed``."""
        if self.brackets or self.struck:
            return "bracketed"
        if any(note.conditional for note in self.notes):
            return "conditional"
        return "agreed"

    def locate(self, offset: int) -> tuple[int, int]:
        """Line and column of an offset inside the paragraph: its line starts are indexed on
        its first tag or note, most paragraphs have none."""
        lines = self.lines
        if lines is None:
            paragraph = self.paragraph
            lines = self.lines = line_starts(self.source, paragraph.start, paragraph.end)
        index = bisect_right(lines, offset)
        return self.paragraph.line + index - 1, offset - lines[index - 1] + 1

    def walk(self, nodes: list[Inline]) -> None:
        # An explicit stack, not recursion: brackets nest 100 deep. Each frame holds the
        # level's children, the bracket enclosing them, and the candidate: the bracket that
        # closed last at this level, as long as only separators, tags and notes followed it
        # (tags after "]" speak about that bracket); and whether the frame is a bracket or
        # struck text, left out of the clean text with all it holds.
        stack: list[list[Any]] = [[iter(nodes), None, None, False]]
        excerpts: dict[int, str] = {}
        hidden = 0  # open frames that are left out of the clean text
        clean, plain = self.clean, self.plain
        while stack:
            frame = stack[-1]
            for node in frame[0]:
                kind = type(node)
                if kind is Text or kind is Label:  # the common case, kept inline
                    text = node.text
                    plain.append(text)
                    if not hidden:
                        clean.append(text)
                    if kind is Text and text.strip(_SEPARATORS):
                        frame[2] = None
                elif isinstance(node, Bracket | Struck | Emphasis):
                    hidden += self._enter(node, frame, stack)
                    break
                else:
                    self._leaf(node, frame, excerpts, hidden)
            else:
                if stack.pop()[3]:
                    hidden -= 1

    def _enter(
        self, node: Bracket | Struck | Emphasis, frame: list[Any], stack: list[list[Any]]
    ) -> int:
        """Push the frame of a bracket, struck text or emphasis; returns 1 where its content
        is left out of the clean text, else 0."""
        if isinstance(node, Bracket):
            self.brackets += 1
            self.max_depth = max(self.max_depth, node.depth)
            frame[2] = node  # once its content is walked, tags after it attach to it
            self.hid = True
            stack.append([iter(node.children), node, None, True])
            return 1
        hides = isinstance(node, Struck)
        if hides:
            self.struck += 1
            self.hid = True
        frame[2] = None
        stack.append([iter(node.children), frame[1], None, hides])
        return 1 if hides else 0

    def _leaf(self, node: Inline, frame: list[Any], excerpts: dict[int, str], hidden: int) -> None:
        """A node without children to walk: a tag, a note, a stray "]" or a subclass of text."""
        if isinstance(node, Position):
            self._add_positions(node, frame[2] or frame[1], excerpts)
        elif isinstance(node, Note):
            line, column = self.locate(node.start)
            self.notes.append(
                NoteInfo(node.delegations, node.body, line, column, is_condition(node.body))
            )
        elif isinstance(node, Text | Label):  # subclasses
            self.plain.append(node.text)
            if not hidden:
                self.clean.append(node.text)
            if isinstance(node, Text) and node.text.strip(_SEPARATORS):
                frame[2] = None
        elif isinstance(node, StrayClose):
            frame[2] = None

    def _add_positions(
        self, node: Position, target: Bracket | None, excerpts: dict[int, str]
    ) -> None:
        """The entries of a position tag, attached to the bracket it speaks about, or to the
        paragraph where there is none."""
        if target is None:
            attachment = Attachment("paragraph")
        else:
            if target.start not in excerpts:
                excerpts[target.start] = _excerpt(target)
            attachment = Attachment("bracket", target.number, excerpts[target.start])
        line, column = self.locate(node.start)
        for entry in node.entries:
            self.positions.append(
                PositionInfo(
                    entry.delegation,
                    entry.code,
                    entry.stance,
                    entry.qualifier,
                    attachment,
                    line,
                    column,
                )
            )


def _excerpt(bracket: Bracket) -> str:
    """The first words of a bracket's plain text; stops reading once it has enough, so deep
    nests of tagged brackets stay linear."""
    out: list[str] = []
    length = 0
    stack: list[Iterator[Inline]] = [iter(bracket.children)]
    while stack and length <= 2 * _EXCERPT:
        for node in stack[-1]:
            if isinstance(node, Text | Label):
                out.append(node.text)
                length += len(node.text)
                if length > 2 * _EXCERPT:
                    break
            elif isinstance(node, Bracket | Struck | Emphasis):
                stack.append(iter(node.children))
                break
        else:
            stack.pop()
    raw = "".join(out)
    text = ""
    if len(raw) > 8 * _EXCERPT:  # one long text node: its first words are enough
        # Normalising a prefix gives a prefix of the normalised whole; more than _EXCERPT
        # characters of it decide the excerpt exactly.
        text = " ".join(raw[: 8 * _EXCERPT].split())
    if len(text) <= _EXCERPT + 1:
        text = " ".join(raw.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1].rstrip() + "…"


def paragraph_to_json(p: ParagraphInfo) -> dict[str, Any]:
    """One paragraph of the JSON (``paragraphs[]`` in docs/notation.md)."""
    return {
        "key": p.key,
        "label": p.label,
        "kind": p.kind,
        "status": p.status,
        "line": p.line,
        "end_line": p.end_line,
        "brackets": p.brackets,
        "max_depth": p.max_depth,
        "struck": p.struck,
        "positions": [
            {
                "delegation": pos.delegation,
                "stance": pos.stance,
                "qualifier": pos.qualifier,
                "attaches_to": {
                    "kind": pos.attaches_to.kind,
                    "bracket": pos.attaches_to.number,
                    "excerpt": pos.attaches_to.excerpt,
                },
                "line": pos.line,
                "column": pos.column,
            }
            for pos in p.positions
        ],
        "notes": [
            {
                "delegations": list(note.delegations),
                "text": note.text,
                "conditional": note.conditional,
                "line": note.line,
                "column": note.column,
            }
            for note in p.notes
        ],
        "text": p.text,
    }


def analysis_to_json(analysis: Analysis, *, paragraphs: bool = True) -> dict[str, Any]:
    """The JSON shape of ``cbmhub text parse`` (documented field by field in docs/notation.md).
    ``paragraphs=False`` leaves the paragraph list empty (a caller that stores or pages them
    one by one, with ``paragraph_to_json``, need not hold them all at once)."""
    return {
        "version": JSON_VERSION,
        "paragraphs": [paragraph_to_json(p) for p in analysis.paragraphs] if paragraphs else [],
        "delegations": {
            code: {
                "support": entry.support,
                "oppose": entry.oppose,
                "notes": entry.notes,
                "paragraphs": entry.paragraphs,
                "actor": entry.actor,
                "state": ({"id": entry.state[0], "name": entry.state[1]} if entry.state else None),
            }
            for code, entry in analysis.delegations.items()
        },
        "resolved": analysis.resolved,
        "unknown_codes": analysis.unknown_codes,
        "actors": analysis.actors,
        "totals": analysis.totals,
        "diagnostics": [
            {
                "line": d.line,
                "column": d.column,
                "severity": d.severity,
                "message": d.message,
            }
            for d in analysis.diagnostics
        ],
        # The problems found beyond the first MAX_DIAGNOSTICS listed (tree.py); the totals
        # count them all.
        "diagnostics_omitted": analysis.totals["errors"]
        + analysis.totals["warnings"]
        - len(analysis.diagnostics),
        "consensus": {
            "blockers": [
                {"delegation": row.code, "oppose": row.oppose, "paragraphs": list(row.opposes)}
                for row in consensus(analysis).blockers
            ],
        },
    }
