"""Benchmark of the precedent search and of the language-version aligner (no database needed).

    .venv/bin/python bench/precedent.py [--data PATH] [--seed N] [--limit N]

Data: the UN Security Council resolutions in Akoma Ntoso (../shared/data/unsc beside the
repository: English 2000–2026, Russian 2020–2026), read by the documents reader
(``cbmhub/negotiations/documents/akn.py``). Source: United Nations.

1. Search, English: the paragraphs of resolutions adopted before 2024 are indexed (our engine,
   ``cbmhub/precedent/engine.py``, and bm25s on the same paragraphs, same words). Queries are
   made from the 2024–2026 paragraphs that have a precedent (a paragraph before 2024 with the
   same normalised text; every such paragraph is a right answer) by synthetic negotiation edits:
   ``delete`` 3–8 consecutive words, ``insert`` a stock qualifier, ``replace`` 2 words, and a
   10–15-word ``fragment``. Printed: recall@1 per edit kind for both, for fragments whether a
   source paragraph is among the exact-phrase results, the median latency of one query (ours
   and bm25s, one query at a time) and the index build times. SQLite FTS5 on the same
   paragraphs is measured too: whether its phrase queries return the same paragraphs as ours,
   its bm25 ranking's recall@1, latencies.
2. The same for Russian: indexed 2020–2023, queries from 2024–2026.
3. Alignment: every English–Russian resolution pair of 2020–2026 is aligned by
   ``cbmhub/core/alignment.py`` (kind, label, order, numbers, length; never ids). Where both
   versions have the same ids in the same order, the ids are the answer key and the share of
   paragraphs aligned right is printed; the pairs whose ids differ are listed with what the
   aligner did.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz.distance import Indel  # noqa: E402

from cbmhub.core.alignment import AlignItem, align, label_key  # noqa: E402
from cbmhub.precedent import engine  # noqa: E402
from cbmhub.precedent.sources import UnText, read_un_file  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/unsc"
QUALIFIERS = [
    "as appropriate",
    "inter alia",
    "where necessary",
    "in accordance with international law",
    "in a timely manner",
    "on a voluntary basis",
    "with full respect for national sovereignty",
    "in particular",
]
QUALIFIERS_RU = [
    "в надлежащих случаях",
    "в частности",
    "при необходимости",
    "в соответствии с международным правом",
    "своевременно",
    "на добровольной основе",
    "при полном уважении национального суверенитета",
]
EDITS = ["delete", "insert", "replace", "fragment"]


@dataclass
class Query:
    kind: str
    text: str
    answers: set[int]  # the paragraphs with the source's normalised text
    near: set[int]  # and those within NEAR word similarity of it (one word changed ...)
    source: list[str]  # the source paragraph's normalised words


# A looser answer key, printed beside the strict one: a paragraph this close to the source
# (Indel similarity of the words) is agreed language for it too ("the situation in Mali" for
# "the situation in Haiti" when the query deleted the country).
NEAR = 0.9


def load(data: Path, language: str) -> list[UnText]:
    """Every adopted resolution in ``language`` (files not well-formed are read as recovered)."""
    folder = "English" if language == "en" else "Russian"
    texts = []
    for path in sorted(data.rglob("*.xml")):
        if "Not adopted" in path.parts:
            continue
        if path.parent.name != folder and not (language == "en" and "Pre-2020" in path.parts):
            continue
        text = read_un_file(path)
        if text is not None and text.paragraphs:
            texts.append(text)
    return texts


def _entries(texts: list[UnText], *, before: str) -> list[engine.Entry]:
    entries = []
    for number, text in enumerate(texts):
        if text.date >= before:
            continue
        for paragraph in text.paragraphs:
            entries.append(
                engine.Entry(
                    key=len(entries),
                    text_key=number,
                    text=paragraph.text,
                    language=text.language,
                    year=int(text.date[:4]),
                    date=text.date,
                    body="UN Security Council",
                    kind=paragraph.kind,
                )
            )
    return entries


def _edit(kind: str, words: list[str], rng: random.Random, language: str) -> str | None:
    n = len(words)
    if kind == "delete" and n >= 12:
        size = rng.randint(3, 8)
        start = rng.randrange(0, n - size + 1)
        return " ".join(words[:start] + words[start + size :])
    if kind == "insert" and n >= 4:
        where = rng.randrange(1, n)
        qualifier = rng.choice(QUALIFIERS if language == "en" else QUALIFIERS_RU)
        return " ".join([*words[:where], qualifier, *words[where:]])
    if kind == "replace" and n >= 8:
        out = list(words)
        for position in rng.sample(range(n), 2):
            out[position] = rng.choice(words)[::-1]
        return " ".join(out)
    if kind == "fragment" and n >= 16:
        size = rng.randint(10, 15)
        start = rng.randrange(0, n - size + 1)
        return " ".join(words[start : start + size])
    return None


def _near(index: engine.Index, text: str) -> set[int]:
    return {hit.entry.key for hit in index.closest(text, limit=200) if hit.similarity >= NEAR}


def make_queries(texts: list[UnText], index: engine.Index, *, since: str, seed: int) -> list[Query]:
    entries = index.entries
    by_text: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        by_text[" ".join(engine.tokens(entry.text))].add(entry.key)
    rng = random.Random(seed)
    queries = []
    for text in texts:
        if text.date < since:
            continue
        for paragraph in text.paragraphs:
            answers = by_text.get(" ".join(engine.tokens(paragraph.text)))
            if not answers:
                continue
            words = paragraph.text.split()
            near = _near(index, paragraph.text) | answers
            for kind in EDITS:
                edited = _edit(kind, words, rng, text.language)
                if edited:
                    source = engine.tokens(paragraph.text)
                    queries.append(Query(kind, edited, answers, near, source))
    return queries


def _timed(run: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def _bm25(entries: list[engine.Entry]) -> tuple[Any, float]:
    import bm25s

    def build() -> Any:
        retriever = bm25s.BM25()
        retriever.index([engine.tokens(entry.text) for entry in entries], show_progress=False)
        return retriever

    return _timed(build)


def _bm25_top(retriever: Any, text: str) -> int | None:
    words = engine.tokens(text)
    known = [word for word in words if word in retriever.vocab_dict]
    if not known:
        return None
    documents, _ = retriever.retrieve([known], k=1, show_progress=False, n_threads=1)
    return int(documents[0][0])


def as_close(index: engine.Index, query: Query, top: int | None) -> bool:
    """The tie-aware key: ``top`` is right when it has the source's text, or when no engine
    could tell it from the source using the query alone: it is at least as close to the query
    as the source by plain word edit distance (Indel), or, for a fragment, it contains the
    fragment's words in order as the source does."""
    if top is None:
        return False
    if top in query.answers:
        return True
    words = engine.tokens(query.text)
    theirs = engine.tokens(index.entries[top].text)
    if query.kind == "fragment":
        return f" {' '.join(words)} " in f" {' '.join(theirs)} "
    return bool(Indel.distance(words, theirs) <= Indel.distance(words, query.source))


def _ours_top(index: engine.Index, text: str) -> int | None:
    hits = index.closest(text, limit=1)
    return hits[0].entry.key if hits else None


def _phrase_found(index: engine.Index, query: Query) -> bool:
    return any(entry.key in query.answers for entry in index.phrase(query.text))


COLUMNS = ["ours", "bm25s", "ours tie", "bm25s tie", "ours near", "bm25s near"]


def _table(right: dict[tuple[str, str], list[int]], part: str) -> None:
    print(f"  recall@1, {part}")
    print(f"  {'edit':<10}{'queries':>9}" + "".join(f"{name:>12}" for name in COLUMNS))
    total = [0] * (len(COLUMNS) + 1)
    for kind in [*EDITS, "all"]:
        counts = right[(part, kind)] if kind != "all" else total
        if kind != "all":
            total = [a + b for a, b in zip(total, counts, strict=True)]
        if counts[0]:
            shares = [count / counts[0] for count in counts[1:]]
            print(f"  {kind:<10}{counts[0]:>9}" + "".join(f"{share:>12.3f}" for share in shares))


def _fts5(entries: list[engine.Entry]) -> tuple[Any, float]:
    """SQLite FTS5 (the database's own full-text search) on the same paragraphs: the
    normalised words, unicode61 tokenizer, no stemming."""
    import sqlite3

    def build() -> Any:
        db = sqlite3.connect(":memory:")
        db.execute("CREATE VIRTUAL TABLE p USING fts5(body, tokenize='unicode61')")
        db.executemany(
            "INSERT INTO p(rowid, body) VALUES (?, ?)",
            ((e.key, " ".join(engine.tokens(e.text))) for e in entries),
        )
        db.commit()
        return db

    return _timed(build)


def _fts5_phrase(db: Any, text: str) -> set[int]:
    phrase = " ".join(engine.tokens(text)).replace('"', " ")
    rows = db.execute("SELECT rowid FROM p WHERE p MATCH ?", (f'"{phrase}"',))
    return {row[0] for row in rows}


def _fts5_top(db: Any, text: str) -> int | None:
    words = {w.replace('"', " ") for w in engine.tokens(text)}
    query = " OR ".join(f'"{w}"' for w in sorted(words))
    row = db.execute(
        "SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 1", (query,)
    ).fetchone()
    return row[0] if row else None


def measure_fts5(index: engine.Index, queries: list[Query]) -> None:
    """FTS5 beside ours: phrase results the same? ranked recall@1, latencies."""
    db, seconds = _fts5(index.entries)
    fragments = [q for q in queries if q.kind == "fragment"]
    same = 0
    ours_times, fts_times = [], []
    for query in fragments:
        ours, spent = _timed(lambda q=query: {e.key for e in index.phrase(q.text)})
        ours_times.append(spent)
        theirs, spent = _timed(lambda q=query: _fts5_phrase(db, q.text))
        fts_times.append(spent)
        same += ours == theirs
    ranked = queries[:1000]
    right = 0
    rank_times = []
    for query in ranked:
        top, spent = _timed(lambda q=query: _fts5_top(db, q.text))
        rank_times.append(spent)
        right += top in query.answers
    print(
        f"  SQLite FTS5: build {seconds:.2f} s; exact phrase, same paragraphs as ours on "
        f"{same}/{len(fragments)} fragments; median phrase latency ours "
        f"{statistics.median(ours_times) * 1000:.2f} ms, FTS5 "
        f"{statistics.median(fts_times) * 1000:.2f} ms"
    )
    print(
        f"  SQLite FTS5 bm25 ranking (OR of the words): recall@1 {right / len(ranked):.3f} "
        f"on {len(ranked)} queries, median {statistics.median(rank_times) * 1000:.2f} ms"
    )


def measure_persistence(
    entries: list[engine.Entry], index: engine.Index, query: str, build: float
) -> None:
    """A process's first query: before, the index was built in the process (tokenising every
    paragraph); now it is read from the file ``cbmhub precedent index`` saved. And what adding
    one more resolution costs (incremental: its paragraphs tokenised, postings merged)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "index.npz"
        _, save = _timed(lambda: index.save(path, {"stamp": "bench"}))
        size = path.stat().st_size
        loads = [_timed(lambda: engine.Index.load(path)) for _ in range(3)]
        loaded, load = loads[-1][0], statistics.median(spent for _, spent in loads)
    assert loaded is not None
    _, first = _timed(lambda: loaded[0].closest(query, limit=1))
    same = loaded[0].closest(query) == index.closest(query)
    print(
        f"  first query of a process: before (build in the process) {build + first:.2f} s; "
        f"now (load the saved index) {load + first:.3f} s = load {load * 1000:.0f} ms (median "
        f"of 3) + "
        f"query {first * 1000:.1f} ms; file {size / 2**20:.1f} MiB written in {save:.2f} s; "
        f"same answer: {same}"
    )
    last = max(entry.text_key for entry in entries)
    one = [entry for entry in entries if entry.text_key == last]

    def replace() -> None:  # as when a text is indexed again: its rows dead, added anew
        copied = index.copy()
        copied.remove([last])
        copied.add(one)

    _, grow = _timed(replace)
    print(
        f"  incremental: one resolution ({len(one)} paragraphs) replaced in the index "
        f"{grow * 1000:.0f} ms (a full build: {build:.2f} s)"
    )


def measure_search(
    texts: list[UnText], *, before: str, since: str, seed: int, limit: int, fts5: bool = True
) -> None:
    entries = _entries(texts, before=before)
    index, ours_build = _timed(lambda: engine.Index(entries))
    retriever, bm25_build = _bm25(entries)
    queries = make_queries(texts, index, since=since, seed=seed)
    if limit:
        queries = random.Random(seed).sample(queries, min(limit, len(queries)))
    print(f"  indexed paragraphs: {len(entries):,}; queries: {len(queries):,}")
    print(f"  index build: ours {ours_build:.2f} s, bm25s {bm25_build:.2f} s")
    if queries:
        measure_persistence(entries, index, queries[0].text, ours_build)
    # A fixed split: the engine's settings were chosen on the "tune" half; the "report" half
    # was not looked at while choosing.
    order = list(range(len(queries)))
    random.Random(seed).shuffle(order)
    tune = set(order[: len(order) // 2])
    right: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (len(COLUMNS) + 1))
    ours_times, bm25_times, phrase_ok, fragments = [], [], 0, 0
    for number, query in enumerate(queries):
        top, spent = _timed(lambda q=query: _ours_top(index, q.text))
        ours_times.append(spent)
        bm25_result, spent = _timed(lambda q=query: _bm25_top(retriever, q.text))
        bm25_times.append(spent)
        for part in ("tune" if number in tune else "report", "all queries"):
            counts = right[(part, query.kind)]
            counts[0] += 1
            counts[1] += top in query.answers
            counts[2] += bm25_result in query.answers
            counts[3] += as_close(index, query, top)
            counts[4] += as_close(index, query, bm25_result)
            counts[5] += top in query.near
            counts[6] += bm25_result in query.near
        if query.kind == "fragment":
            fragments += 1
            phrase_ok += _phrase_found(index, query)
    print(
        "  keys: strict = the source's normalised text; tie = as close to the query as the "
        "source (word edit distance; a fragment: contains it); near = word similarity >= 0.9"
    )
    for part in ("tune", "report", "all queries"):
        _table(right, part)
    if fragments:
        print(
            f"  fragments with a source among the exact-phrase results: {phrase_ok / fragments:.3f}"
        )
    ours_median = statistics.median(ours_times) * 1000
    bm25_median = statistics.median(bm25_times) * 1000
    print(
        f"  median latency: ours {ours_median:.2f} ms, bm25s {bm25_median:.2f} ms "
        f"(ratio {ours_median / bm25_median:.2f})"
    )
    if fts5:
        measure_fts5(index, queries)


def _items(text: UnText) -> list[AlignItem]:
    return [AlignItem(p.kind, p.label, p.text) for p in text.paragraphs]


def _ids(text: UnText) -> list[str]:
    return [p.eid for p in text.paragraphs]


def _describe(pairs: list[Any], english: UnText, russian: UnText) -> str:
    left_only = [english.paragraphs[p.left].label or f"#{p.left}" for p in pairs if p.right is None]
    right_only = [
        russian.paragraphs[p.right].label or f"#{p.right}" for p in pairs if p.left is None
    ]
    relabelled = sum(
        1
        for p in pairs
        if p.left is not None
        and p.right is not None
        and label_key(english.paragraphs[p.left].label)
        != label_key(russian.paragraphs[p.right].label)
    )
    paired = sum(1 for p in pairs if p.left is not None and p.right is not None)
    out = f"{len(english.paragraphs)} en / {len(russian.paragraphs)} ru: {paired} paired"
    if left_only:
        out += f"; English only: {', '.join(left_only[:8])}" + (" …" if len(left_only) > 8 else "")
    if right_only:
        out += f"; Russian only: {', '.join(right_only[:8])}" + (
            " …" if len(right_only) > 8 else ""
        )
    if relabelled:
        out += f"; {relabelled} paired across different labels"
    return out


def measure_alignment(english: list[UnText], russian: list[UnText]) -> None:
    by_symbol = {text.symbol: text for text in russian}
    agreed = checked = right = 0
    shifted = []
    spent = 0.0
    for text in english:
        other = by_symbol.get(text.symbol)
        if other is None or text.date < "2020":
            continue
        pairs, seconds = _timed(lambda a=text, b=other: align(_items(a), _items(b)))
        spent += seconds
        if _ids(text) != _ids(other):
            shifted.append((text, other, pairs))
            continue
        agreed += 1
        for pair in pairs:
            if pair.left is not None:
                checked += 1
                right += pair.right == pair.left
    print(f"  pairs with the same ids: {agreed}; paragraphs {checked:,}; aligned right: ", end="")
    print(f"{right:,} ({right / max(checked, 1):.4f})")
    print(f"  aligning every pair took {spent * 1000:.0f} ms")
    print(f"  pairs whose ids differ: {len(shifted)}")
    for text, other, pairs in shifted:
        print(f"    {text.symbol}: {_describe(pairs, text, other)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--limit", type=int, default=0, help="At most N queries per language.")
    parser.add_argument("--no-fts5", action="store_true", help="Leave SQLite FTS5 out (faster).")
    parser.add_argument(
        "--weighted", action="store_true", help="Variant: words weighted by rarity (idf)."
    )
    parser.add_argument(
        "--known-pairs",
        action="store_true",
        help="Variant: coverage counts only the query's pairs of words the index knows.",
    )
    args = parser.parse_args()
    engine.WEIGHTED = args.weighted
    engine.COVERAGE_ALL_PAIRS = not args.known_pairs
    (english, russian), seconds = _timed(lambda: (load(args.data, "en"), load(args.data, "ru")))
    print(f"Read {len(english)} English and {len(russian)} Russian resolutions in {seconds:.1f} s")
    print("Source: United Nations (Security Council resolutions, Akoma Ntoso).")
    print("\nEnglish: indexed before 2024, queries from 2024–2026")
    measure_search(
        english,
        before="2024",
        since="2024",
        seed=args.seed,
        limit=args.limit,
        fts5=not args.no_fts5,
    )
    print("\nRussian: indexed 2020–2023, queries from 2024–2026")
    measure_search(
        russian,
        before="2024",
        since="2024",
        seed=args.seed,
        limit=args.limit,
        fts5=not args.no_fts5,
    )
    print("\nAlignment, English–Russian, 2020–2026")
    measure_alignment(english, russian)


if __name__ == "__main__":
    main()
