"""Where consensus stands: per paragraph, per delegation, and in total.

``analyse(parse(text))`` gives an ``Analysis``; ``analysis_to_json`` is the JSON that
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
from .render import (
    is_simple,
    join_paragraphs,
    paragraph_clean,
    paragraph_plain,
)
from .tree import (
    Bracket,
    Diagnostic,
    Document,
    Emphasis,
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
    delegations: tuple[str, ...]
    text: str
    line: int
    column: int


@dataclass(slots=True)
class ParagraphInfo:
    """One paragraph as analysed. ``key`` identifies it across revisions: the normalised label
    (``PP5b``; a sub-item under its parent, ``OP5(1)``), ``¶<n>`` when unlabelled, with
    ``#2``, ``#3`` ... for repeats."""

    node: Paragraph
    key: str
    label: str
    kind: ParagraphKind
    status: str  # "agreed" | "bracketed"
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


def _analyse(doc: Document, resolve: Resolver | None) -> Analysis:
    source = doc.source
    locate = _Locator(source)
    paragraphs: list[ParagraphInfo] = []
    delegations: dict[str, DelegationInfo] = {}
    seen_keys: dict[str, int] = {}
    parent_key = ""
    cleans: list[str] = []
    plains: list[str] = []

    for paragraph in doc.paragraphs:
        label = paragraph.label
        if label is None:
            base = f"¶{paragraph.index + 1}"
        elif label.kind == "sub-item":
            base = parent_key + label.name
        else:
            base = parent_key = label.name
        count = seen_keys.get(base, 0) + 1
        seen_keys[base] = count
        key = base if count == 1 else f"{base}#{count}"
        text = source[paragraph.start : paragraph.end]

        if is_simple(paragraph):
            # No markup: agreed, nothing to count, clean and plain text are the text itself.
            paragraphs.append(
                ParagraphInfo(
                    paragraph, key, label.text if label else "", label.kind if label else "other",
                    "agreed", 0, 0, 0, [], [], paragraph.line, paragraph.end_line, text,
                )
            )  # fmt: skip
            cleans.append(text)
            plains.append(text)
            continue

        walker = _Walker(locate)
        walker.walk(paragraph.children)
        status = "bracketed" if walker.brackets or walker.struck else "agreed"
        paragraphs.append(
            ParagraphInfo(
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
                text=text,
            )
        )
        cleans.append(paragraph_clean(paragraph))
        plains.append(paragraph_plain(paragraph))

        for position in walker.positions:
            entry = delegations.get(position.delegation)
            if entry is None:
                entry = delegations[position.delegation] = DelegationInfo(position.delegation)
            if position.stance == "support":
                entry.support += 1
            else:
                entry.oppose += 1
            if not entry.paragraphs or entry.paragraphs[-1] != key:
                entry.paragraphs.append(key)
        for note in walker.notes:
            for code in note.delegations:
                entry = delegations.get(code)
                if entry is None:
                    entry = delegations[code] = DelegationInfo(code)
                entry.notes += 1
                if not entry.paragraphs or entry.paragraphs[-1] != key:
                    entry.paragraphs.append(key)

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

    agreed = sum(1 for p in paragraphs if p.status == "agreed")
    labelled = [p for p in paragraphs if p.label]
    labelled_agreed = sum(1 for p in labelled if p.status == "agreed")
    errors = sum(1 for d in doc.diagnostics if d.severity == "error")
    totals = {
        "paragraphs": len(paragraphs),
        "agreed": agreed,
        "bracketed": len(paragraphs) - agreed,
        "labelled": len(labelled),
        "labelled_agreed": labelled_agreed,
        "agreed_percent": _percent(agreed, len(paragraphs)),
        "labelled_agreed_percent": _percent(labelled_agreed, len(labelled)),
        "brackets": sum(p.brackets for p in paragraphs),
        "struck": sum(p.struck for p in paragraphs),
        "positions": sum(len(p.positions) for p in paragraphs),
        "notes": sum(len(p.notes) for p in paragraphs),
        "delegations": len(delegations) - len(actors),
        "errors": errors,
        "warnings": len(doc.diagnostics) - errors,
    }
    return Analysis(
        paragraphs=paragraphs,
        delegations=dict(sorted(delegations.items())),
        unknown_codes=sorted(unknown),
        actors=sorted(actors),
        resolved=resolve is not None,
        totals=totals,
        diagnostics=list(doc.diagnostics),
        clean_text=join_paragraphs(doc, cleans),
        plain_text=join_paragraphs(doc, plains),
    )


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


class _Locator:
    """Offsets to (line, column), built lazily: most paragraphs carry no tag at all."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.starts: list[int] | None = None

    def __call__(self, offset: int) -> tuple[int, int]:
        if self.starts is None:
            self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self.source)]
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


class _Walker:
    """One walk over a paragraph's nodes: counts, tags with what they attach to, notes."""

    def __init__(self, locate: _Locator) -> None:
        self.locate = locate
        self.brackets = 0
        self.max_depth = 0
        self.struck = 0
        self.positions: list[PositionInfo] = []
        self.notes: list[NoteInfo] = []

    def walk(self, nodes: list[Inline]) -> None:
        # An explicit stack, not recursion: brackets nest to any depth. Each frame holds the
        # level's children, the bracket enclosing them, and the candidate: the bracket that
        # closed last at this level, as long as only separators, tags and notes followed it
        # (tags after "]" speak about that bracket).
        stack: list[list[Any]] = [[iter(nodes), None, None]]
        excerpts: dict[int, str] = {}
        while stack:
            frame = stack[-1]
            for node in frame[0]:
                if isinstance(node, Position):
                    target = frame[2] or frame[1]
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
                elif isinstance(node, Note):
                    line, column = self.locate(node.start)
                    self.notes.append(NoteInfo(node.delegations, node.body, line, column))
                elif isinstance(node, Text):
                    if node.text.strip(_SEPARATORS):
                        frame[2] = None
                elif isinstance(node, Bracket):
                    self.brackets += 1
                    self.max_depth = max(self.max_depth, node.depth)
                    frame[2] = node  # once its content is walked, tags after it attach to it
                    stack.append([iter(node.children), node, None])
                    break
                elif isinstance(node, Struck | Emphasis):
                    if isinstance(node, Struck):
                        self.struck += 1
                    frame[2] = None
                    stack.append([iter(node.children), frame[1], None])
                    break
                elif isinstance(node, StrayClose):
                    frame[2] = None
            else:
                stack.pop()


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
    text = " ".join("".join(out).split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1].rstrip() + "…"


def analysis_to_json(analysis: Analysis) -> dict[str, Any]:
    """The JSON shape of ``cbmhub text parse`` (documented field by field in docs/notation.md)."""
    return {
        "version": JSON_VERSION,
        "paragraphs": [
            {
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
                        "line": note.line,
                        "column": note.column,
                    }
                    for note in p.notes
                ],
                "text": p.text,
            }
            for p in analysis.paragraphs
        ],
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
    }
