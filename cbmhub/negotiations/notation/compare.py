"""Compare two revisions of a text paragraph by paragraph.

Paragraphs are aligned by their content, not by their number or position, so that inserting,
deleting, moving or renumbering one paragraph does not make every later one look changed:

1. exact content: paragraphs whose text without the label (spaces collapsed) is the same are
   paired through a hash table (repeats in order, same key first);
2. content similarity, for what is left: each new paragraph is scored against a few old
   candidates only, those sharing its rarest words (an inverted index that ignores words
   found in many paragraphs) and the unpaired old paragraphs nearest its expected position;
   a shared label adds to the score; pairs are taken best first;
3. labels: what is still unpaired with the same labelled key is paired (the label is how
   delegations name a paragraph, even one rewritten from end to end).

The paired paragraphs that keep their relative order are the longest increasing subsequence
of the pairs; the others moved. Each pair is ``unchanged`` (same text, in order), ``moved``
(same text apart from the label, but renumbered or out of order), ``changed`` (with a word
diff, the brackets and the position tags added and removed), or one side alone: ``added`` /
``removed``. Everything is near-linear: hashing, a bounded number of candidates per
paragraph, and O(n log n) for the order (docs/notation.md, "Comparing revisions").
"""

from __future__ import annotations

import gc
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from .analysis import Analysis, ParagraphInfo
from .render import raw_text
from .tree import Bracket, Emphasis, Inline, Paragraph, Struck

Change = Literal["unchanged", "changed", "moved", "added", "removed"]
COMPARE_JSON_VERSION = 1

_WORDS = re.compile(r"\s+|[^\s\[\]()~*]+|.", re.DOTALL)
_TOKENS = re.compile(r"\w+")
# A word found in more unpaired old paragraphs than this says little about which one a new
# paragraph comes from; it is left out of the candidate index, which keeps the index linear.
_MAX_POSTINGS = 8
_CANDIDATES = 6  # old paragraphs scored per new one, from the index
_WINDOW = 4  # unpaired old paragraphs on each side of the expected position, also scored
_MATCH = 0.5  # least weighted similarity for paragraphs to be the same one, edited
_LABEL_BONUS = 0.25  # the same label is evidence too
_SURE = 0.8  # the same label and this similar: no other candidate is scored
# A word diff of two long paragraphs is quadratic in the worst case: beyond this product of
# word counts (after the common start and end are set aside) the middle is shown as deleted
# and inserted whole.
_DIFF_LIMIT = 400_000


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of a word diff: ``op`` is ``equal``, ``insert`` or ``delete``."""

    op: str
    text: str


@dataclass(slots=True)
class ParagraphChange:
    """A paragraph present in both revisions whose text changed. ``key`` is its key in the
    new revision (``old.key`` in the old one)."""

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

    @property
    def relabelled(self) -> bool:
        return self.old.key != self.new.key and not _positional(self.new.key)


@dataclass(slots=True)
class ParagraphPair:
    """One line of the comparison: a paragraph of the old revision, of the new one, or both.
    ``reordered`` says that a paired paragraph left the order of the others (a move)."""

    change: Change
    old: ParagraphInfo | None
    new: ParagraphInfo | None
    detail: ParagraphChange | None = None
    reordered: bool = False

    @property
    def relabelled(self) -> bool:
        return (
            self.old is not None
            and self.new is not None
            and self.old.label.strip() != self.new.label.strip()
        )


@dataclass(slots=True)
class Comparison:
    """The pairs in reading order (the new revision's, with removed paragraphs where they
    stood) and the totals that moved (``{name: {"old": a, "new": b}}``)."""

    pairs: list[ParagraphPair] = field(default_factory=list)
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def added(self) -> list[ParagraphInfo]:
        return [p.new for p in self.pairs if p.change == "added" and p.new is not None]

    @property
    def removed(self) -> list[ParagraphInfo]:
        return [p.old for p in self.pairs if p.change == "removed" and p.old is not None]

    @property
    def changed(self) -> list[ParagraphChange]:
        return [p.detail for p in self.pairs if p.detail is not None]

    @property
    def moved(self) -> list[ParagraphPair]:
        return [p for p in self.pairs if p.change == "moved"]

    @property
    def unchanged(self) -> list[str]:
        """Keys (in the new revision) of the paragraphs that did not change."""
        return [p.new.key for p in self.pairs if p.change == "unchanged" and p.new is not None]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("added", "removed", "changed", "moved", "unchanged"), 0)
        for pair in self.pairs:
            counts[pair.change] += 1
        return counts


def compare(old: Analysis, new: Analysis) -> Comparison:
    """What changed from ``old`` to ``new``; pure, no database."""
    # As in parse() and analyse(): nothing built here forms a cycle, so the cyclic collector
    # is paused rather than made to walk the two analyses' objects again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _compare(old, new)
    finally:
        if enabled:
            gc.enable()


def _compare(old: Analysis, new: Analysis) -> Comparison:
    olds, news = old.paragraphs, new.paragraphs
    partner = _align(olds, news)  # new index -> old index
    in_order = _longest_increasing(partner)
    result = Comparison(pairs=_pairs(olds, news, partner, in_order))
    result.totals = {
        name: {"old": old.totals.get(name), "new": value}
        for name, value in new.totals.items()
        if old.totals.get(name) != value
    }
    return result


# -- alignment -------------------------------------------------------------------------------


def _positional(key: str) -> bool:
    """``¶12``: a number given by position, not a label anyone wrote."""
    return key.startswith("¶")


def _body(info: ParagraphInfo) -> str:
    """The paragraph's text without its label (and the spaces after it): what stays the same
    when it is renumbered."""
    label = info.node.label
    if label is None:
        return info.text
    start = label.start - info.node.start
    return info.text[:start] + info.text[start + len(label.text) :].lstrip(" \t")


def _align(olds: list[ParagraphInfo], news: list[ParagraphInfo]) -> dict[int, int]:
    partner: dict[int, int] = {}
    _exact_pass(olds, news, partner)
    _similar_pass(olds, news, partner)
    _label_pass(olds, news, partner)
    return partner


def _exact_pass(
    olds: list[ParagraphInfo], news: list[ParagraphInfo], partner: dict[int, int]
) -> None:
    """Pairs paragraphs whose text without the label is the same (spaces collapsed). A text
    found once on each side pairs at once; a text found several times (in a long document
    repeated clauses are common) pairs in order, each new occurrence with the next old one
    that lies nearest to where the unique pairs say it should be."""
    by_body: dict[str, list[int]] = {}
    for index, info in enumerate(olds):
        by_body.setdefault(" ".join(_body(info).split()), []).append(index)
    waiting: dict[str, list[int]] = {}
    for index, info in enumerate(news):
        body = " ".join(_body(info).split())
        if body in by_body:
            waiting.setdefault(body, []).append(index)
    repeated: list[tuple[list[int], list[int]]] = []
    for body, new_indexes in waiting.items():
        old_indexes = by_body[body]
        if len(old_indexes) == 1 and len(new_indexes) == 1:
            partner[new_indexes[0]] = old_indexes[0]
        else:
            repeated.append((old_indexes, new_indexes))
    if not repeated:
        return
    expected = _expected_positions(len(news), dict(partner))
    for old_indexes, new_indexes in repeated:
        at, last = 0, len(old_indexes) - 1
        for j in new_indexes:
            if at > last:
                break
            target = expected[j]
            # Skip old occurrences while the next one is nearer (one pass: O(occurrences)).
            while at < last and abs(old_indexes[at + 1] - target) <= abs(old_indexes[at] - target):
                at += 1
            partner[j] = old_indexes[at]
            at += 1


class _Weights:
    """Word multisets of the unpaired paragraphs, weighted by rarity (inverse document
    frequency over those paragraphs), and their similarity."""

    def __init__(self, bags: Iterable[Counter[str]], count: int) -> None:
        frequency: Counter[str] = Counter()
        for bag in bags:
            frequency.update(bag.keys())
        self.weight = {word: math.log(1 + count / n) for word, n in frequency.items()}

    def mass(self, bag: Counter[str]) -> float:
        weight = self.weight
        return sum(weight[word] * n for word, n in bag.items())

    def similarity(self, a: Counter[str], b: Counter[str], mass_a: float, mass_b: float) -> float:
        """Weighted Dice coefficient: 1.0 for the same words, 0.0 for none in common."""
        if not mass_a and not mass_b:
            return 1.0
        if len(a) > len(b):
            a, b = b, a
        weight = self.weight
        shared = sum(weight[word] * min(n, b[word]) for word, n in a.items() if word in b)
        return 2 * shared / (mass_a + mass_b)


def _similar_pass(
    olds: list[ParagraphInfo], news: list[ParagraphInfo], partner: dict[int, int]
) -> None:
    """Pairs edited paragraphs: each unpaired new paragraph is scored against at most
    ``_CANDIDATES`` old ones sharing its rarest words and ``2 * _WINDOW`` near its expected
    position, plus the old paragraph with its key; the best pairs are taken first."""
    taken = set(partner.values())
    free_old = [i for i in range(len(olds)) if i not in taken]
    free_new = [j for j in range(len(news)) if j not in partner]
    if not free_old or not free_new:
        return
    old_bags = {i: Counter(_TOKENS.findall(_body(olds[i]).lower())) for i in free_old}
    new_bags = {j: Counter(_TOKENS.findall(_body(news[j]).lower())) for j in free_new}
    weights = _Weights([*old_bags.values(), *new_bags.values()], len(free_old) + len(free_new))
    old_mass = {i: weights.mass(bag) for i, bag in old_bags.items()}
    postings: dict[str, list[int]] = {}
    for i in free_old:
        for word in old_bags[i]:
            posting = postings.setdefault(word, [])
            if len(posting) <= _MAX_POSTINGS:
                posting.append(i)
    old_by_key = {olds[i].key: i for i in free_old if not _positional(olds[i].key)}
    expected = _expected_positions(len(news), partner)
    scored: list[tuple[float, int, int]] = []
    for j in free_new:
        bag, mass = new_bags[j], weights.mass(new_bags[j])
        key_match = old_by_key.get(news[j].key)
        if key_match is not None:
            # The usual edit: the paragraph kept its label and most of its words. That pair
            # is taken without scoring other candidates.
            score = weights.similarity(bag, old_bags[key_match], mass, old_mass[key_match])
            if score >= _SURE:
                scored.append((score + _LABEL_BONUS, j, key_match))
                continue
        for i in _candidates(bag, postings, free_old, expected[j], key_match):
            score = weights.similarity(bag, old_bags[i], mass, old_mass[i])
            if i == key_match:
                score += _LABEL_BONUS
            if score >= _MATCH:
                scored.append((score, j, i))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    for _, j, i in scored:
        if j not in partner and i not in taken:
            partner[j] = i
            taken.add(i)


def _expected_positions(count: int, partner: dict[int, int]) -> list[int]:
    """For each new index, where in the old revision it would be if nothing had moved: the
    old partner of the nearest paired paragraph before it, plus the distance to it."""
    expected: list[int] = []
    anchor_new, anchor_old = -1, -1
    for j in range(count):
        i = partner.get(j)
        if i is not None:
            anchor_new, anchor_old = j, i
        expected.append(anchor_old + (j - anchor_new))
    return expected


def _candidates(
    bag: Counter[str],
    postings: dict[str, list[int]],
    free_old: list[int],
    expected: int,
    key_match: int | None,
) -> set[int]:
    hits: Counter[int] = Counter()
    for word in bag:
        posting = postings.get(word)
        if posting is not None and len(posting) <= _MAX_POSTINGS:
            hits.update(posting)
    found = {i for i, _ in hits.most_common(_CANDIDATES)}
    at = bisect_left(free_old, expected)
    found.update(free_old[max(0, at - _WINDOW) : at + _WINDOW])
    if key_match is not None:
        found.add(key_match)
    return found


def _label_pass(
    olds: list[ParagraphInfo], news: list[ParagraphInfo], partner: dict[int, int]
) -> None:
    """What is left unpaired with the same written label is the same paragraph, rewritten."""
    taken = set(partner.values())
    old_by_key = {
        info.key: i
        for i, info in enumerate(olds)
        if i not in taken and info.label and not _positional(info.key)
    }
    for j, info in enumerate(news):
        if j in partner or not info.label:
            continue
        i = old_by_key.pop(info.key, None)
        if i is not None:
            partner[j] = i


def _longest_increasing(partner: dict[int, int]) -> set[int]:
    """The new indexes of a largest set of pairs whose old indexes rise with the new ones:
    the paragraphs that kept their order (patience sorting, O(n log n))."""
    pairs = sorted(partner.items())
    tails: list[int] = []  # old index ending the best run of each length
    tail_at: list[int] = []  # position in ``pairs`` of that end
    previous: list[int] = [-1] * len(pairs)
    for position, (_, i) in enumerate(pairs):
        length = bisect_left(tails, i)
        if length == len(tails):
            tails.append(i)
            tail_at.append(position)
        else:
            tails[length] = i
            tail_at[length] = position
        previous[position] = tail_at[length - 1] if length else -1
    kept: set[int] = set()
    position = tail_at[-1] if tail_at else -1
    while position >= 0:
        kept.add(pairs[position][0])
        position = previous[position]
    return kept


def _pairs(
    olds: list[ParagraphInfo],
    news: list[ParagraphInfo],
    partner: dict[int, int],
    in_order: set[int],
) -> list[ParagraphPair]:
    """The pairs in the new revision's order; a removed paragraph comes just before the first
    in-order paragraph that followed it in the old revision."""
    paired_old = set(partner.values())
    pairs: list[ParagraphPair] = []
    next_old = 0

    def flush(until: int) -> None:
        nonlocal next_old
        for i in range(next_old, until):
            if i not in paired_old:
                pairs.append(ParagraphPair("removed", olds[i], None))
        next_old = max(next_old, until)

    for j, after in enumerate(news):
        i = partner.get(j)
        if i is None:
            pairs.append(ParagraphPair("added", None, after))
            continue
        if j in in_order:
            flush(i)
        pairs.append(_pair(olds[i], after, reordered=j not in in_order))
    flush(len(olds))
    return pairs


def _pair(before: ParagraphInfo, after: ParagraphInfo, *, reordered: bool) -> ParagraphPair:
    if before.text == after.text and not reordered:
        return ParagraphPair("unchanged", before, after)
    moved = reordered or before.label.strip() != after.label.strip()
    if moved and _body(before) == _body(after):
        return ParagraphPair("moved", before, after, reordered=reordered)
    return ParagraphPair("changed", before, after, _change(before, after), reordered)


# -- what changed inside a paragraph ---------------------------------------------------------


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Word-level diff; the ``equal`` and ``delete`` runs joined give ``old``, the ``equal``
    and ``insert`` runs give ``new``."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    head = 0
    limit = min(len(a), len(b))
    while head < limit and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < limit - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    ops: list[DiffOp] = []
    if head:
        ops.append(DiffOp("equal", "".join(a[:head])))
    if len(middle_a) * len(middle_b) > _DIFF_LIMIT:
        ops.append(DiffOp("delete", "".join(middle_a)))
        ops.append(DiffOp("insert", "".join(middle_b)))
    else:
        matcher = SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("equal", "delete", "replace"):
                text = "".join(middle_a[i1:i2])
                ops.append(DiffOp("equal" if tag == "equal" else "delete", text))
            if tag in ("insert", "replace"):
                ops.append(DiffOp("insert", "".join(middle_b[j1:j2])))
    if tail:
        ops.append(DiffOp("equal", "".join(a[len(a) - tail :])))
    return [op for op in ops if op.text]


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


# -- JSON ------------------------------------------------------------------------------------


def _brief(p: ParagraphInfo) -> dict[str, Any]:
    return {"key": p.key, "label": p.label, "status": p.status, "line": p.line}


def _pair_json(pair: ParagraphPair) -> dict[str, Any]:
    old, new = pair.old, pair.new
    return {
        "change": pair.change,
        "old_label": old.label if old else None,
        "new_label": new.label if new else None,
        "old_key": old.key if old else None,
        "new_key": new.key if new else None,
        "old_line": old.line if old else None,
        "new_line": new.line if new else None,
        "reordered": pair.reordered,
    }


def _change_json(c: ParagraphChange) -> dict[str, Any]:
    return {
        "key": c.key,
        "old": _brief(c.old),
        "new": _brief(c.new),
        "status_changed": c.status_changed,
        "diff": [{"op": op.op, "text": op.text} for op in c.diff],
        "brackets_added": c.brackets_added,
        "brackets_removed": c.brackets_removed,
        "positions_added": [
            {"delegation": d, "stance": s, "qualifier": q} for d, s, q in c.positions_added
        ],
        "positions_removed": [
            {"delegation": d, "stance": s, "qualifier": q} for d, s, q in c.positions_removed
        ],
    }


def comparison_to_json(comparison: Comparison) -> dict[str, Any]:
    """The JSON of ``cbmhub text compare --json`` and of the API (docs/notation.md)."""
    return {
        "version": COMPARE_JSON_VERSION,
        "counts": comparison.counts,
        "paragraphs": [_pair_json(pair) for pair in comparison.pairs],
        "added": [_brief(p) for p in comparison.added],
        "removed": [_brief(p) for p in comparison.removed],
        "moved": [
            {"old": _brief(p.old), "new": _brief(p.new), "reordered": p.reordered}
            for p in comparison.moved
            if p.old is not None and p.new is not None
        ],
        "changed": [_change_json(c) for c in comparison.changed],
        "unchanged": comparison.unchanged,
        "totals": comparison.totals,
    }
