"""Compare two revisions of a text paragraph by paragraph.

Paragraphs are matched by their ``key`` (``PP5b``, ``OP5(1)``, ``¶3``). For a paragraph in both
revisions whose text differs, the change is given as a word-level diff of the source text, the
brackets added and removed (by their plain text) and the position tags added and removed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from .analysis import Analysis, ParagraphInfo
from .render import raw_text
from .tree import Bracket, Emphasis, Inline, Paragraph, Struck

_WORDS = re.compile(r"\s+|[^\s\[\]()~*]+|.", re.DOTALL)


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of a word diff: ``op`` is ``equal``, ``insert`` or ``delete``."""

    op: str
    text: str


@dataclass(slots=True)
class ParagraphChange:
    key: str
    old: ParagraphInfo
    new: ParagraphInfo
    diff: list[DiffOp]
    brackets_added: list[str]
    brackets_removed: list[str]
    positions_added: list[tuple[str, str, str]]  # (delegation, stance, qualifier)
    positions_removed: list[tuple[str, str, str]]

    @property
    def status_changed(self) -> bool:
        return self.old.status != self.new.status


@dataclass(slots=True)
class Comparison:
    added: list[ParagraphInfo] = field(default_factory=list)
    removed: list[ParagraphInfo] = field(default_factory=list)
    changed: list[ParagraphChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)


def compare(old: Analysis, new: Analysis) -> Comparison:
    """What changed from ``old`` to ``new``; pure, no database."""
    result = Comparison()
    old_by_key = {p.key: p for p in old.paragraphs}
    new_keys = {p.key for p in new.paragraphs}
    for paragraph in new.paragraphs:
        before = old_by_key.get(paragraph.key)
        if before is None:
            result.added.append(paragraph)
        elif before.text == paragraph.text:
            result.unchanged.append(paragraph.key)
        else:
            result.changed.append(_change(before, paragraph))
    result.removed = [p for p in old.paragraphs if p.key not in new_keys]
    result.totals = {
        name: {"old": old.totals[name], "new": value}
        for name, value in new.totals.items()
        if old.totals.get(name) != value
    }
    return result


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Word-level diff; the ``equal`` and ``delete`` runs joined give ``old``, the ``equal``
    and ``insert`` runs give ``new``."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("equal", "delete", "replace"):
            text = "".join(a[i1:i2])
            ops.append(DiffOp("equal" if tag == "equal" else "delete", text))
        if tag in ("insert", "replace"):
            ops.append(DiffOp("insert", "".join(b[j1:j2])))
    return ops


def _change(old: ParagraphInfo, new: ParagraphInfo) -> ParagraphChange:
    old_brackets = Counter(_bracket_texts(old.node.children))
    new_brackets = Counter(_bracket_texts(new.node.children))
    old_positions = Counter((p.delegation, p.stance, p.qualifier) for p in old.positions)
    new_positions = Counter((p.delegation, p.stance, p.qualifier) for p in new.positions)
    return ParagraphChange(
        key=new.key,
        old=old,
        new=new,
        diff=word_diff(old.text, new.text),
        brackets_added=list((new_brackets - old_brackets).elements()),
        brackets_removed=list((old_brackets - new_brackets).elements()),
        positions_added=list((new_positions - old_positions).elements()),
        positions_removed=list((old_positions - new_positions).elements()),
    )


def _bracket_texts(nodes: list[Inline]) -> list[str]:
    """The plain text of every bracket (nested ones too), spaces collapsed."""
    found: list[str] = []
    stack: list[Inline] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if isinstance(node, Bracket):
            holder = Paragraph(node.start, node.end, 0, 0, 0, None, node.children)
            found.append(" ".join(raw_text(holder, agreed_only=False).split()))
        if isinstance(node, Bracket | Struck | Emphasis):
            stack.extend(reversed(node.children))
    return found


def comparison_to_json(comparison: Comparison) -> dict[str, Any]:
    def brief(p: ParagraphInfo) -> dict[str, Any]:
        return {"key": p.key, "label": p.label, "status": p.status, "line": p.line}

    return {
        "added": [brief(p) for p in comparison.added],
        "removed": [brief(p) for p in comparison.removed],
        "changed": [
            {
                "key": c.key,
                "old": brief(c.old),
                "new": brief(c.new),
                "status_changed": c.status_changed,
                "diff": [{"op": op.op, "text": op.text} for op in c.diff],
                "brackets_added": c.brackets_added,
                "brackets_removed": c.brackets_removed,
                "positions_added": [
                    {"delegation": d, "stance": s, "qualifier": q} for d, s, q in c.positions_added
                ],
                "positions_removed": [
                    {"delegation": d, "stance": s, "qualifier": q}
                    for d, s, q in c.positions_removed
                ],
            }
            for c in comparison.changed
        ],
        "unchanged": comparison.unchanged,
        "totals": comparison.totals,
    }
