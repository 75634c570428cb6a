"""Paragraph alignment of two language versions of one text (pure: no Django).

``align(left, right)`` pairs the paragraphs of two versions of a text in different languages,
in order (a monotone alignment: pairs never cross). It is used for the language versions of a
revision (negotiations), for notes' language versions (meetings) and measured on the UN
Security Council's English-Russian resolution pairs (``bench/precedent.py``).

What it trusts, in order:

1. structure: the paragraph's kind ("preamble", "operative", "heading", "text" ...) and its
   label (the number or letter a reader sees: "1.", "(a)", "а)", "iv)"); letters are compared
   by their place in their alphabet, so Latin "(b)" and Cyrillic "б)" are the same label;
2. order: the relative position of a paragraph in its version;
3. content that survives translation: the numbers in the text (dates, resolution numbers,
   symbols, amounts, with any thousands separator) and the length of the text, relative to
   the two versions' overall length ratio.

It never uses ids (an AKN ``eId`` or a database key): the UN's own files show that ids differ
between the language versions of one text.

The alignment is a dynamic programme over (left, right) prefixes: a pair gains its similarity
minus a threshold, leaving a paragraph unpaired gains nothing. Only cells within a band around
the diagonal are computed (width grows with the difference in paragraph counts), so the work is
O(n * band), linear for versions of similar length.

Each ``AlignedPair`` says how it was made (``how``):

- ``"structure"``: same kind and the same non-empty label;
- ``"order"``: same kind, no labels on either side, paired by position and content;
- ``"content"``: paired although kind or label differ (content and order outweighed them);
- ``"left-only"``: ``right`` is None, the left paragraph has no counterpart (missing on the
  right);
- ``"right-only"``: ``left`` is None, the right paragraph has no counterpart (extra on the
  right).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["AlignItem", "AlignedPair", "align", "label_key", "similarity"]


@dataclass(frozen=True)
class AlignItem:
    """One paragraph: its kind, its visible label (may be "") and its text."""

    kind: str
    label: str
    text: str


@dataclass(frozen=True)
class AlignedPair:
    """Left and right paragraph indexes (None: no counterpart), similarity 0..1, and how."""

    left: int | None
    right: int | None
    score: float
    how: str


# A pair is worth making when its similarity exceeds this; below it, two unpaired paragraphs
# are the better reading.
THRESHOLD = 0.42
# Half-width of the band of the dynamic programme around the diagonal, at least.
MIN_BAND = 12

_NUMBER = re.compile(r"\d+(?:[ ,.\u00a0\u202f]\d+)*")
_LATIN = "abcdefghijklmnopqrstuvwxyz"
# Letters of Russian and Kazakh lists in their order (ё, й, ъ, ы, ь are not used in lists).
_CYRILLIC = "абвгдежзиклмнопрстуфхцчшщэюя"
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
    "xii": 12,
    "xiii": 13,
    "xiv": 14,
    "xv": 15,
}


def label_key(label: str) -> str:
    """A label compared across languages: "1." and "1" → "n:1", "(b)" and "б)" → "a:2"."""
    text = unicodedata.normalize("NFKC", label).strip().lower()
    core = "".join(ch for ch in text if ch.isalnum())
    if not core:
        return ""
    if core.isdigit():
        return f"n:{int(core)}"
    if core in _ROMAN and len(core) > 1:
        return f"r:{_ROMAN[core]}"
    if len(core) == 1 and core in _LATIN:
        return f"a:{_LATIN.index(core) + 1}"
    if len(core) == 1 and core in _CYRILLIC:
        return f"a:{_CYRILLIC.index(core) + 1}"
    return f"s:{core}"


def _numbers(text: str) -> Counter[str]:
    """The numbers in a text as digit strings ("1,000" and "1 000" are both "1000")."""
    return Counter(re.sub(r"\D", "", match) for match in _NUMBER.findall(text))


@dataclass(frozen=True)
class _Features:
    kind: str
    label: str
    numbers: Counter[str]
    length: float
    position: float


def _features(items: Sequence[AlignItem], scale: float) -> list[_Features]:
    count = max(len(items), 1)
    return [
        _Features(
            kind=item.kind,
            label=label_key(item.label),
            numbers=_numbers(item.text),
            length=(len(item.text) + 20) * scale,
            position=(index + 0.5) / count,
        )
        for index, item in enumerate(items)
    ]


def _label_similarity(left: str, right: str) -> float:
    if left and right:
        return 1.0 if left == right else 0.0
    if left or right:
        return 0.3
    return 0.7


def _number_similarity(left: Counter[str], right: Counter[str]) -> float | None:
    total = sum(left.values()) + sum(right.values())
    if not total:
        return None
    return 2 * sum((left & right).values()) / total


def _similarity(left: _Features, right: _Features) -> float:
    parts = [
        (0.3, _label_similarity(left.label, right.label)),
        (0.3, min(left.length, right.length) / max(left.length, right.length)),
        (0.15, max(0.0, 1.0 - 4 * abs(left.position - right.position))),
    ]
    numbers = _number_similarity(left.numbers, right.numbers)
    if numbers is not None:
        parts.append((0.3, numbers))
    score = sum(weight * value for weight, value in parts) / sum(weight for weight, _ in parts)
    if left.kind != right.kind:
        score *= 0.6
    return score


def similarity(left: AlignItem, right: AlignItem) -> float:
    """The similarity (0..1) of two paragraphs taken alone (same scale, same position)."""
    one, two = _features([left], 1.0), _features([right], 1.0)
    return _similarity(one[0], two[0])


def _length_scales(left: Sequence[AlignItem], right: Sequence[AlignItem]) -> tuple[float, float]:
    """Scale factors that make the two versions' total lengths equal (a translation is longer)."""
    total_left = sum(len(item.text) + 20 for item in left) or 1
    total_right = sum(len(item.text) + 20 for item in right) or 1
    return 1.0, total_left / total_right


def _how(left: _Features, right: _Features) -> str:
    if left.kind != right.kind:
        return "content"
    if left.label and left.label == right.label:
        return "structure"
    if not left.label and not right.label:
        return "order"
    return "content"


class _Band:
    """The cells of the dynamic programme kept: for row i, columns lo(i)..hi(i)."""

    def __init__(self, rows: int, columns: int) -> None:
        self.rows, self.columns = rows, columns
        self.width = max(MIN_BAND, abs(rows - columns) + MIN_BAND)

    def bounds(self, row: int) -> tuple[int, int]:
        centre = (row * self.columns) // self.rows if self.rows else 0
        return max(0, centre - self.width), min(self.columns, centre + self.width)


_MATCH, _UP, _LEFT = 0, 1, 2


def _best_step(
    column: int,
    previous: dict[int, float],
    current: dict[int, float],
    gain: float | None,
) -> tuple[float, int]:
    """The best way into cell (row, column): by a pair, or leaving one paragraph unpaired."""
    best, step = float("-inf"), _MATCH
    if gain is not None and column - 1 in previous:
        best = previous[column - 1] + gain
    if column in previous and previous[column] > best:
        best, step = previous[column], _UP
    if column - 1 in current and current[column - 1] > best:
        best, step = current[column - 1], _LEFT
    return best, step


def _fill(
    lefts: list[_Features], rights: list[_Features]
) -> tuple[list[dict[int, int]], dict[tuple[int, int], float]]:
    """Run the banded programme; return the back pointers per row and the pair scores used."""
    band = _Band(len(lefts), len(rights))
    previous: dict[int, float] = {}
    steps: list[dict[int, int]] = []
    scores: dict[tuple[int, int], float] = {}
    for row in range(len(lefts) + 1):
        low, high = band.bounds(row)
        current: dict[int, float] = {}
        moves: dict[int, int] = {}
        for column in range(low, high + 1):
            if row == 0 and column == 0:
                current[0], moves[0] = 0.0, _MATCH
                continue
            gain = None
            if row and column:
                score = _similarity(lefts[row - 1], rights[column - 1])
                scores[(row - 1, column - 1)] = score
                gain = score - THRESHOLD
            current[column], moves[column] = _best_step(column, previous, current, gain)
        steps.append(moves)
        previous = current
    return steps, scores


def _trace(
    steps: list[dict[int, int]],
    scores: dict[tuple[int, int], float],
    lefts: list[_Features],
    rights: list[_Features],
) -> list[AlignedPair]:
    row, column = len(lefts), len(rights)
    pairs: list[AlignedPair] = []
    while row or column:
        step = steps[row][column]
        if row and column and step == _MATCH:
            row, column = row - 1, column - 1
            how = _how(lefts[row], rights[column])
            pairs.append(AlignedPair(row, column, round(scores[(row, column)], 4), how))
        elif row and (step == _UP or not column):
            row -= 1
            pairs.append(AlignedPair(row, None, 0.0, "left-only"))
        else:
            column -= 1
            pairs.append(AlignedPair(None, column, 0.0, "right-only"))
    pairs.reverse()
    return pairs


def align(left: Sequence[AlignItem], right: Sequence[AlignItem]) -> list[AlignedPair]:
    """Pair the paragraphs of two versions in order; every paragraph appears exactly once.

    The result runs in reading order; a pair with ``right=None`` is a paragraph missing on the
    right, one with ``left=None`` a paragraph extra on the right.
    """
    if not left or not right:
        return [AlignedPair(i, None, 0.0, "left-only") for i in range(len(left))] + [
            AlignedPair(None, j, 0.0, "right-only") for j in range(len(right))
        ]
    left_scale, right_scale = _length_scales(left, right)
    lefts = _features(left, left_scale)
    rights = _features(right, right_scale)
    steps, scores = _fill(lefts, rights)
    return _trace(steps, scores, lefts, rights)
