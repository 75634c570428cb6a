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
  normalised Indel similarity of the two word sequences; ``coverage`` the share of the query's
  word pairs present in the paragraph (counted exactly on each candidate), ``score`` the
  ranking figure (``max(similarity, COVERAGE_WEIGHT * coverage ** COVERAGE_POWER)``), newer
  paragraphs first on equal scores.

The index is saved (``save``: numpy arrays in one ``.npz``, no pickle, written atomically) and
read back (``load``) without tokenising again; ``add`` appends paragraphs and merges their
postings, ``remove`` marks a text's rows dead (filtered out like any other row).

Every paragraph carries the attributes filters use (language, year, body, kind, text id); a
filter is a boolean mask over paragraphs, applied before ranking, so that a paragraph the user
may not read never reaches the results.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

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
# WEIGHTED: the similarity weighs each word by its rarity (idf / WEIGHT_UNIT, rounded, at
# least 1: "the" 1, a country's name 4 or 5). Measured on the tuning half of the bench's
# queries it did no better (English +0.001, Russian -0.005 recall@1) and is slower: off, kept
# for the bench (--weighted) and docs/precedent.md.
WEIGHT_UNIT = 2.0
WEIGHTED = False
# Coverage counts the query's word pairs with a word the index has never seen (they are in
# no paragraph); False: only the pairs of known words.
COVERAGE_ALL_PAIRS = True

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


class _Entries(Sequence[Entry]):
    """The index's paragraphs as ``Entry`` objects, made on demand from its columns (a loaded
    index holds no Python object per paragraph)."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index._keys_of)

    @overload
    def __getitem__(self, row: int) -> Entry: ...

    @overload
    def __getitem__(self, row: slice) -> list[Entry]: ...

    def __getitem__(self, row: int | slice) -> Entry | list[Entry]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        index = self._index
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        return Entry(
            key=int(index._keys_of[row]),
            text_key=int(index._texts[row]),
            text=index._raw(row),
            language=str(index._languages[row]),
            year=int(index._years[row]),
            date=str(index._dates[row]),
            body=str(index._bodies[row]),
            kind=str(index._kinds[row]),
        )


_CATEGORIES = ("languages", "dates", "bodies", "kinds")
FORMAT = "precedent-index-1"


class Index:
    """Paragraphs indexed by word pairs (sorted key/paragraph arrays).

    Built from entries, grown by ``add`` (new rows, postings merged), shrunk by ``remove``
    (rows of a text marked dead, never returned), written by ``save`` and read back by
    ``load`` without tokenising anything again."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._vocabulary = _Vocabulary()
        self._words: list[str] = []  # the vocabulary, by id
        self._keys_of = np.empty(0, dtype=np.int64)  # the caller's key per row
        self._texts = np.empty(0, dtype=np.int64)
        self._years = np.empty(0, dtype=np.int32)
        self._languages = np.empty(0, dtype=object)
        self._dates = np.empty(0, dtype=object)
        self._bodies = np.empty(0, dtype=object)
        self._kinds = np.empty(0, dtype=object)
        self._alive = np.empty(0, dtype=bool)
        self._flat = np.empty(0, dtype=np.int32)  # every row's word ids, one after the other
        self._offsets = np.zeros(1, dtype=np.int64)  # row r: _flat[_offsets[r] : _offsets[r + 1]]
        self._blob = np.empty(0, dtype=np.uint8)  # every row's text, UTF-8
        self._blob_offsets = np.zeros(1, dtype=np.int64)
        self._keys = np.empty(0, dtype=np.int64)  # postings: sorted pair keys ...
        self._rows = np.empty(0, dtype=np.int32)  # ... and their rows
        self.entries: Sequence[Entry] = _Entries(self)
        self._weights: np.ndarray[Any, Any] | None = None
        self.add(entries)

    # --- building, growing, shrinking ---------------------------------------------------------

    def add(self, entries: Iterable[Entry]) -> int:
        """Append paragraphs (tokenised here) and merge their postings; the number added."""
        first = len(self._keys_of)
        added: list[Entry] = []
        flat: list[int] = []
        sizes: list[int] = []
        keys: list[int] = []
        rows: list[int] = []
        for entry in entries:
            row = first + len(added)
            added.append(entry)
            ids = self._vocabulary.encode(tokens(entry.text), grow=True)
            flat.extend(ids)
            sizes.append(len(ids))
            pairs = set(_pair_keys(ids))
            pairs.update(ids)  # single words, for one-word queries
            keys.extend(pairs)
            rows.extend([row] * len(pairs))
        if not added:
            self._columns()
            return 0
        self._words.extend(list(self._vocabulary.ids)[len(self._words) :])
        texts = [entry.text.encode() for entry in added]
        self._keys_of = np.concatenate([self._keys_of, [e.key for e in added]]).astype(np.int64)
        self._texts = np.concatenate([self._texts, [e.text_key for e in added]]).astype(np.int64)
        self._years = np.concatenate([self._years, [e.year for e in added]]).astype(np.int32)
        for name, values in (
            ("_languages", [e.language for e in added]),
            ("_dates", [e.date for e in added]),
            ("_bodies", [e.body for e in added]),
            ("_kinds", [e.kind for e in added]),
        ):
            column = np.empty(len(values), dtype=object)
            column[:] = values
            setattr(self, name, np.concatenate([getattr(self, name), column]))
        self._alive = np.concatenate([self._alive, np.ones(len(added), dtype=bool)])
        self._flat = np.concatenate([self._flat, np.asarray(flat, dtype=np.int32)])
        self._offsets = np.concatenate(
            [self._offsets, self._offsets[-1] + np.cumsum(sizes, dtype=np.int64)]
        )
        self._blob = np.concatenate([self._blob, np.frombuffer(b"".join(texts), dtype=np.uint8)])
        self._blob_offsets = np.concatenate(
            [self._blob_offsets, self._blob_offsets[-1] + np.cumsum([len(t) for t in texts])]
        ).astype(np.int64)
        # The new postings, sorted, inserted into the old ones (each after the old rows with
        # the same key): linear in the index's size, no sort of the whole.
        order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
        new_keys = np.asarray(keys, dtype=np.int64)[order]
        where = np.searchsorted(self._keys, new_keys, side="right")
        self._rows = np.insert(self._rows, where, np.asarray(rows, dtype=np.int32)[order])
        self._keys = np.insert(self._keys, where, new_keys)
        self._weights = None
        self._columns()
        return len(added)

    def remove(self, text_keys: Iterable[int]) -> int:
        """Mark every paragraph of these texts dead (never returned); the number marked."""
        gone = np.fromiter(text_keys, dtype=np.int64)
        if not gone.size or not len(self._texts):
            return 0
        dead = self._alive & np.isin(self._texts, gone)
        self._alive &= ~dead
        return int(dead.sum())

    def copy(self) -> Index:
        """An index to grow or shrink while this one goes on answering (arrays are shared
        until replaced; what ``add`` and ``remove`` change in place is copied)."""
        other = copy.copy(self)
        other._vocabulary = _Vocabulary()
        other._vocabulary.ids = dict(self._vocabulary.ids)
        other._words = list(self._words)
        other._alive = self._alive.copy()
        other.entries = _Entries(other)
        return other

    @property
    def dead(self) -> int:
        """Rows removed but still in the arrays (a rebuild drops them)."""
        return int((~self._alive).sum())

    def _columns(self) -> None:
        total = len(self._keys_of)
        self._sizes = np.maximum(np.diff(self._offsets) - 1, 1).astype(np.float64)
        # A tie-break smaller than any difference in rarity: newer paragraphs first.
        order = np.argsort(self._dates, kind="stable") if total else np.empty(0, dtype=np.int64)
        self._recency = np.zeros(total)
        self._recency[order] = np.arange(total) * (1e-7 / max(total, 1))

    def _raw(self, row: int) -> str:
        low, high = self._blob_offsets[row], self._blob_offsets[row + 1]
        return self._blob[low:high].tobytes().decode()

    def _ids_of(self, row: int) -> list[int]:
        return self._flat[self._offsets[row] : self._offsets[row + 1]].tolist()

    def _text_of(self, row: int) -> str:
        """The row's normalised words joined by one space."""
        words = self._words
        return " ".join(words[i] for i in self._ids_of(row))

    # --- persistence --------------------------------------------------------------------------

    def save(self, path: Path, meta: dict[str, Any] | None = None) -> None:
        """Write the index to ``path`` (numpy arrays, no pickle) atomically: a temporary file
        beside it, then renamed over it, so a reader sees the old file or the new one."""
        arrays: dict[str, np.ndarray[Any, Any]] = {
            "format": np.asarray([FORMAT]),
            "meta": np.asarray([json.dumps(meta or {})]),
            "words": np.frombuffer("\n".join(self._words).encode(), dtype=np.uint8),
            "keys_of": self._keys_of,
            "texts": self._texts,
            "years": self._years,
            "alive": self._alive,
            "flat": self._flat,
            "offsets": self._offsets,
            "blob": self._blob,
            "blob_offsets": self._blob_offsets,
            "keys": self._keys,
            "rows": self._rows,
            "recency": self._recency,
        }
        for name in _CATEGORIES:
            values, codes = np.unique(getattr(self, f"_{name}").astype(str), return_inverse=True)
            arrays[f"{name}_values"] = values
            arrays[f"{name}_codes"] = codes.astype(np.int32)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, allow_pickle=False, **arrays)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from the server's user
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    @staticmethod
    def read_meta(path: Path) -> dict[str, Any] | None:
        """The ``meta`` saved with the index at ``path`` (None: no index there, or not ours)."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                if str(saved["format"][0]) != FORMAT:
                    return None
                meta: dict[str, Any] = json.loads(str(saved["meta"][0]))
                return meta
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None

    @classmethod
    def load(cls, path: Path) -> tuple[Index, dict[str, Any]] | None:
        """The index saved at ``path`` and its ``meta``; None when missing or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                if str(saved["format"][0]) != FORMAT:
                    return None
                index = cls()
                meta: dict[str, Any] = json.loads(str(saved["meta"][0]))
                words = saved["words"].tobytes().decode()
                index._words = words.split("\n") if words else []
                index._vocabulary.ids = {word: i for i, word in enumerate(index._words)}
                for name in (
                    "keys_of", "texts", "years", "alive", "flat", "offsets", "blob",
                    "blob_offsets", "keys", "rows", "recency",
                ):  # fmt: skip
                    setattr(index, f"_{name}", saved[name])
                for name in _CATEGORIES:
                    values = np.asarray(saved[f"{name}_values"].tolist(), dtype=object)
                    setattr(index, f"_{name}", values[saved[f"{name}_codes"]])
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            return None
        index._sizes = np.maximum(np.diff(index._offsets) - 1, 1).astype(np.float64)
        return index, meta

    def __len__(self) -> int:
        return int(self._alive.sum())

    @property
    def languages(self) -> set[str]:
        return set(self._languages[self._alive].tolist())

    def _postings(self, key: int) -> np.ndarray[Any, Any]:
        low = int(np.searchsorted(self._keys, key, side="left"))
        high = int(np.searchsorted(self._keys, key, side="right"))
        return self._rows[low:high]

    def _frequency(self, key: int) -> int:
        low = int(np.searchsorted(self._keys, key, side="left"))
        return int(np.searchsorted(self._keys, key, side="right")) - low

    def mask(self, filters: Filters | None) -> np.ndarray[Any, Any]:
        """The paragraphs a query with ``filters`` may return (a boolean array)."""
        keep = self._alive.copy()
        if filters is None or not keep.size:
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
        found = [int(row) for row in rows if needle in f" {self._text_of(int(row))} "]
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
        total = len(self._keys_of)
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
        rows, _shared = self._candidates(pairs, self.mask(filters))
        hits = self._rescore(rows, ids, pairs)
        # Equal scores rank the newer paragraph first: the latest agreed wording is the one a
        # negotiator cites (and, measured, the likelier source of a fragment).
        hits.sort(key=_ranking)
        return hits[: max(limit, 0)]

    def _word_weights(self) -> np.ndarray[Any, Any]:
        """Each word's weight in the similarity: its rarity (idf), in whole units (a word is
        repeated that many times, so that rapidfuzz's edit distance weighs it)."""
        if self._weights is None or len(self._weights) < len(self._words):
            singles = int(np.searchsorted(self._keys, 1 << 31, side="left"))
            df = np.bincount(self._keys[:singles], minlength=len(self._words)).astype(np.float64)
            idf = np.log1p(max(len(self._keys_of), 1) / np.maximum(df, 1))
            self._weights = np.maximum(np.rint(idf / WEIGHT_UNIT), 1).astype(np.int64)
        return self._weights

    def _rescore(self, rows: np.ndarray[Any, Any], ids: list[int], pairs: list[int]) -> list[Hit]:
        """``similarity``: the Indel similarity of the two word sequences (with ``WEIGHTED``,
        each word weighted by its rarity); ``coverage``: the share of the query's word pairs
        found in the paragraph, counted exactly. Vectorised over the candidates (one rapidfuzz
        call for all of them)."""
        if not rows.size:
            return []
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self._offsets[rows], self._offsets[rows + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        # Every candidate's words, one after the other (and which candidate each belongs to).
        position = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        words = self._flat[np.repeat(starts, lengths) + position].astype(np.int64)
        owner = np.repeat(np.arange(rows.size), lengths)
        # Coverage: the query's distinct pairs each candidate contains.
        wanted = np.unique(np.asarray(pairs, dtype=np.int64))
        keys = (words[:-1] + 1) * (1 << 31) + words[1:]
        same = owner[:-1] == owner[1:]
        keys, pair_owner = keys[same], owner[:-1][same]
        if len(pairs) == 1 and len(ids) == 1:  # a one-word query: its "pair" is the word
            keys, pair_owner = words, owner
        where = np.minimum(np.searchsorted(wanted, keys), max(wanted.size - 1, 0))
        found = wanted[where] == keys if wanted.size else np.zeros(keys.size, dtype=bool)
        codes = np.unique(pair_owner[found] * max(wanted.size, 1) + where[found])
        covered = np.bincount(codes // max(wanted.size, 1), minlength=rows.size)
        # Pairs with a word the index has never seen are in no paragraph, but they count: a
        # query with two words replaced by new ones is not "wholly inside" a paragraph.
        unseen = sum(1 for a, b in zip(ids, ids[1:], strict=False) if a < 0 or b < 0)
        denominator = max(wanted.size + (unseen if COVERAGE_ALL_PAIRS else 0), 1)
        coverage = np.minimum(covered / denominator, 1.0)
        # Similarity on the words repeated by weight.
        query = np.asarray(ids, dtype=np.int64)
        if WEIGHTED:
            weights = self._word_weights()
            unknown_weight = int(weights.max()) if weights.size else 1
            query_weights = np.where(query >= 0, weights[np.maximum(query, 0)], unknown_weight)
            query = np.repeat(query, query_weights)
            word_weights = weights[words]
            words = np.repeat(words, word_weights)
            lengths = np.bincount(owner, weights=word_weights, minlength=rows.size).astype(int)
        flat = words.tolist()
        bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
        choices = [flat[bounds[i] : bounds[i + 1]] for i in range(rows.size)]
        similarity = cdist(
            [query.tolist()], choices, scorer=Indel.normalized_similarity, dtype=np.float64
        )[0]
        score = np.maximum(similarity, COVERAGE_WEIGHT * coverage**COVERAGE_POWER)
        return [
            Hit(self.entries[row], round(float(a), 4), round(float(b), 4), round(float(c), 4))
            for row, a, b, c in zip(rows.tolist(), score, similarity, coverage, strict=True)
        ]


def _ranking(hit: Hit) -> tuple[Any, ...]:
    """Best first; on equal scores the newer paragraph (the wording a new text copies is most
    often the latest), then the higher similarity."""
    return (-hit.score, _newest(hit.entry), -hit.similarity)


def _top(rows: np.ndarray[Any, Any], values: np.ndarray[Any, Any], count: int) -> list[int]:
    if rows.size <= count:
        return [int(row) for row in rows]
    return [int(row) for row in rows[np.argpartition(values, -count)[-count:]]]


def _newest(entry: Entry) -> tuple[int, ...]:
    """A sort key putting newer dates first (dates are ISO strings)."""
    return tuple(-ord(ch) for ch in entry.date)
