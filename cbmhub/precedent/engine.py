"""The precedent search engine, in plain Python and numpy (no Django).

An in-process index of paragraphs (chosen by measurement, docs/precedent.md):

- ``normalise(text)``: NFKC, case folded, ё → е, every quote and apostrophe one ``'``, every
  dash and hyphen one ``-``, words split on anything that is not a letter or digit. No stemming:
  "calls" and "call", "государств" and "государства" stay apart.
- exact phrase: every paragraph whose word sequence contains the phrase's word sequence
  (candidates from the rarest word pair's postings, intersected with the others', then checked),
  sorted by date;
- closest precedent: candidates by the summed rarity (idf) of the query's word pairs found in a
  paragraph (postings read only for pairs rarer than a cut-off, so a query never walks the
  postings of "of the"), the best ``CANDIDATES`` rescored with rapidfuzz: ``similarity`` is the
  normalised Indel similarity of the two word sequences, ``coverage`` the share of the query's
  word pairs present in the paragraph, ``score`` the ranking figure (``max(similarity,
  COVERAGE_WEIGHT * coverage)``), newer paragraphs first on equal scores.

Every paragraph carries the attributes filters use (language, year, body, kind, text id); a
filter is a boolean mask over paragraphs, applied before ranking, so that a paragraph the user
may not read never reaches the results.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel

__all__ = [
    "Entry",
    "Filters",
    "Hit",
    "Index",
    "QueryError",
    "normalise",
    "tokens",
]

# The longest query accepted, in characters and in words (a paragraph of a long resolution is
# about 2,000 characters; a query above these is refused with a clear message).
MAX_QUERY_CHARS = 10_000
MAX_QUERY_WORDS = 1_500
# Candidates rescored per ranked query.
CANDIDATES = 40
# Postings read per query at most (rarest word pairs first), so "of the" is never walked.
POSTINGS_BUDGET = 20_000
MIN_PAIRS = 4
# A paragraph containing (nearly) all the query's word pairs is a precedent of a fragment:
# its score is at least COVERAGE_WEIGHT * coverage ** COVERAGE_POWER.
COVERAGE_WEIGHT = 0.97
COVERAGE_POWER = 8

_QUOTES = dict.fromkeys(map(ord, "\"'«»„“”‘’‚‛‹›`´"), "'")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−-"), "-")
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


class QueryError(ValueError):
    """A query the engine cannot run: empty, too long, or with no word in it."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def normalise(text: str) -> str:
    """The form both sides are compared in: case folded, ё → е, one quote, one dash."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.replace("ё", "е").translate(_QUOTES).translate(_DASHES)


def tokens(text: str) -> list[str]:
    """The words of a text after ``normalise``."""
    return _WORD.findall(normalise(text))


@dataclass(frozen=True)
class Entry:
    """One paragraph as indexed: ``key`` is the caller's id (a database primary key)."""

    key: int
    text_key: int
    text: str
    language: str
    year: int
    date: str
    body: str
    kind: str


@dataclass
class Filters:
    """Which paragraphs a query may return; ``None`` means no restriction."""

    languages: Sequence[str] | None = None
    year_from: int | None = None
    year_to: int | None = None
    bodies: Sequence[str] | None = None
    kinds: Sequence[str] | None = None
    text_keys: Iterable[int] | None = None
    exclude_text_keys: Iterable[int] = field(default_factory=tuple)


@dataclass(frozen=True)
class Hit:
    """One result: the paragraph (``entry``) and how close it is to the query."""

    entry: Entry
    score: float
    similarity: float
    coverage: float


def _check_query(text: str) -> list[str]:
    if not text.strip():
        raise QueryError("The query is empty: type a phrase or a paragraph.", "empty")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"The query is {len(text):,} characters long; at most {MAX_QUERY_CHARS:,} are "
            "searched. Search one paragraph or sentence at a time.",
            "too_long",
        )
    words = tokens(text)
    if not words:
        raise QueryError("The query has no words (letters or digits) to search for.", "no_words")
    if len(words) > MAX_QUERY_WORDS:
        raise QueryError(
            f"The query has {len(words):,} words; at most {MAX_QUERY_WORDS:,} are searched.",
            "too_long",
        )
    return words


class _Vocabulary:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def encode(self, words: Sequence[str], *, grow: bool) -> list[int]:
        out = []
        for word in words:
            found = self.ids.get(word)
            if found is None:
                if not grow:
                    found = -1
                else:
                    found = self.ids[word] = len(self.ids)
            out.append(found)
        return out


def _pair_keys(ids: Sequence[int]) -> list[int]:
    """Word pairs (and the word itself for a one-word text) as int64 keys; unknown words → none."""
    if len(ids) == 1:
        return [ids[0]] if ids[0] >= 0 else []
    return [
        (first + 1) * (1 << 31) + second
        for first, second in zip(ids, ids[1:], strict=False)
        if first >= 0 and second >= 0
    ]


class Index:
    """Paragraphs indexed by word pairs (sorted key/paragraph arrays), built once."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = []
        self.words: list[str] = []  # the normalised text, words joined by one space
        self._ids: list[list[int]] = []  # the words as vocabulary ids
        self._vocabulary = _Vocabulary()
        keys: list[int] = []
        rows: list[int] = []
        for entry in entries:
            row = len(self.entries)
            words = tokens(entry.text)
            self.entries.append(entry)
            self.words.append(" ".join(words))
            ids = self._vocabulary.encode(words, grow=True)
            self._ids.append(ids)
            pairs = set(_pair_keys(ids))
            pairs.update(ids)  # single words, for one-word queries
            keys.extend(pairs)
            rows.extend([row] * len(pairs))
        order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
        self._keys = np.asarray(keys, dtype=np.int64)[order]
        self._rows = np.asarray(rows, dtype=np.int32)[order]
        self._columns()

    def _columns(self) -> None:
        self._languages = np.asarray([e.language for e in self.entries], dtype=object)
        self._years = np.asarray([e.year for e in self.entries], dtype=np.int32)
        self._bodies = np.asarray([e.body for e in self.entries], dtype=object)
        self._kinds = np.asarray([e.kind for e in self.entries], dtype=object)
        self._texts = np.asarray([e.text_key for e in self.entries], dtype=np.int64)
        self._dates = np.asarray([e.date for e in self.entries], dtype=object)
        self._sizes = np.asarray([max(len(ids) - 1, 1) for ids in self._ids], dtype=np.float64)
        # A tie-break smaller than any difference in rarity: newer paragraphs first.
        order = (
            np.argsort(self._dates, kind="stable") if self.entries else np.empty(0, dtype=np.int64)
        )
        self._recency = np.zeros(len(self.entries))
        self._recency[order] = np.arange(len(self.entries)) * (1e-7 / max(len(self.entries), 1))

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def languages(self) -> set[str]:
        return set(self._languages.tolist())

    def _postings(self, key: int) -> np.ndarray[Any, Any]:
        low = int(np.searchsorted(self._keys, key, side="left"))
        high = int(np.searchsorted(self._keys, key, side="right"))
        return self._rows[low:high]

    def _frequency(self, key: int) -> int:
        low = int(np.searchsorted(self._keys, key, side="left"))
        return int(np.searchsorted(self._keys, key, side="right")) - low

    def mask(self, filters: Filters | None) -> np.ndarray[Any, Any]:
        """The paragraphs a query with ``filters`` may return (a boolean array)."""
        keep = np.ones(len(self.entries), dtype=bool)
        if filters is None or not self.entries:
            return keep
        if filters.languages is not None:
            keep &= np.isin(self._languages, list(filters.languages))
        if filters.year_from is not None:
            keep &= self._years >= filters.year_from
        if filters.year_to is not None:
            keep &= self._years <= filters.year_to
        if filters.bodies is not None:
            keep &= np.isin(self._bodies, list(filters.bodies))
        if filters.kinds is not None:
            keep &= np.isin(self._kinds, list(filters.kinds))
        if filters.text_keys is not None:
            keep &= np.isin(self._texts, np.fromiter(filters.text_keys, dtype=np.int64))
        excluded = np.fromiter(filters.exclude_text_keys, dtype=np.int64)
        if excluded.size:
            keep &= ~np.isin(self._texts, excluded)
        return keep

    def unknown(self, text: str) -> bool:
        """Whether no word of ``text`` occurs in the index (e.g. a script it has never seen)."""
        return all(word not in self._vocabulary.ids for word in tokens(text))

    # --- exact phrase ---------------------------------------------------------------------

    def phrase(self, text: str, filters: Filters | None = None) -> list[Entry]:
        """Every paragraph containing the phrase (its words in order), oldest first."""
        words = _check_query(text)
        ids = self._vocabulary.encode(words, grow=False)
        if -1 in ids:
            return []
        pairs = sorted(set(_pair_keys(ids)), key=self._frequency)
        if not pairs:
            return []
        rows = self._postings(pairs[0])
        for key in pairs[1:8]:
            if rows.size == 0:
                break
            rows = np.intersect1d(rows, self._postings(key), assume_unique=True)
        rows = rows[self.mask(filters)[rows]]
        needle = f" {' '.join(words)} "
        found = [int(row) for row in rows if needle in f" {self.words[int(row)]} "]
        found.sort(key=lambda row: (self._dates[row], row))
        return [self.entries[row] for row in found]

    # --- closest precedent ----------------------------------------------------------------

    def _used_pairs(self, pairs: list[int]) -> list[tuple[int, int]]:
        """(frequency, key) of the query's pairs whose postings are read: the rarest first,
        until ``POSTINGS_BUDGET`` postings (at least ``MIN_PAIRS`` pairs)."""
        frequencies = sorted((self._frequency(key), key) for key in set(pairs))
        used: list[tuple[int, int]] = []
        spent = 0
        for df, key in frequencies:
            if not df:
                continue
            if spent + df > POSTINGS_BUDGET and len(used) >= MIN_PAIRS:
                break
            used.append((df, key))
            spent += df
        return used

    def _candidates(
        self, pairs: list[int], keep: np.ndarray[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """The rows sharing the most rare word pairs with the query (idf-weighted), and those
        most like it in size (Dice of pair counts); with the count of shared pairs per row."""
        total = len(self.entries)
        used = self._used_pairs(pairs)
        if not used:
            return np.empty(0, dtype=np.int64), np.zeros(total)
        postings = np.concatenate([self._postings(key) for _, key in used])
        weights = np.concatenate([np.full(df, math.log(1 + total / df)) for df, _ in used])
        shared = np.bincount(postings, minlength=total).astype(np.float64)
        rarity = np.bincount(postings, weights=weights, minlength=total) + self._recency
        rarity[~keep] = 0.0
        hits = np.flatnonzero(rarity > 1e-6)
        dice = shared[hits] * 2 / (len(set(pairs)) + self._sizes[hits]) + self._recency[hits]
        chosen = set(_top(hits, rarity[hits], CANDIDATES)) | set(_top(hits, dice, CANDIDATES))
        return np.fromiter(chosen, dtype=np.int64), shared

    def closest(self, text: str, filters: Filters | None = None, *, limit: int = 10) -> list[Hit]:
        """The paragraphs closest to ``text``, best first (newest first on equal scores)."""
        words = _check_query(text)
        ids = self._vocabulary.encode(words, grow=False)
        pairs = _pair_keys(ids)
        if not pairs:
            return []
        rows, shared = self._candidates(pairs, self.mask(filters))
        # Coverage counts the pairs of known words (measured better than counting all pairs).
        query_pairs = len(set(pairs))
        hits = [self._rescore(int(row), ids, float(shared[row]) / query_pairs) for row in rows]
        # Equal scores rank the newer paragraph first: the latest agreed wording is the one a
        # negotiator cites (and, measured, the likelier source of a fragment).
        hits.sort(key=lambda hit: (-hit.score, _newest(hit.entry), -hit.similarity))
        return hits[: max(limit, 0)]

    def _rescore(self, row: int, ids: list[int], coverage: float) -> Hit:
        theirs = self._ids[row]
        similarity = Indel.normalized_similarity(ids, theirs)
        coverage = min(coverage, 1.0)
        score = max(similarity, COVERAGE_WEIGHT * coverage**COVERAGE_POWER)
        return Hit(self.entries[row], round(score, 4), round(similarity, 4), round(coverage, 4))


def _top(rows: np.ndarray[Any, Any], values: np.ndarray[Any, Any], count: int) -> list[int]:
    if rows.size <= count:
        return [int(row) for row in rows]
    return [int(row) for row in rows[np.argpartition(values, -count)[-count:]]]


def _newest(entry: Entry) -> tuple[int, ...]:
    """A sort key putting newer dates first (dates are ISO strings)."""
    return tuple(-ord(ch) for ch in entry.date)
