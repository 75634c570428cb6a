"""Benchmark of the negotiation-text notation engine (no Django needed).

    .venv/bin/python bench/notation.py [--corpus PATH] [--repeat N]

The corpus text (by default ../shared/corpus/004_b9720b24e8ee2ca3.txt beside the repository) is
repeated to about 100 KB, 1 MB and 10 MB. For each size it times parse + analyse, and, as a
baseline in the same run, one pass of a single regular expression that finds every bracket and
position tag. It prints MB/s for both and their ratio. Targets: parse + analyse within 5x of
the baseline, and linear in size (MB/s about the same at each size). Best of N runs (default
3). For reference it also prints a pure-Python floor: what building one object per paragraph
and per match costs, with nothing parsed or analysed.

With --hostile it also parses and analyses 1 MB of each marker character and of the densest
paragraphs, and prints the time and the peak memory (tracemalloc) per input byte: the figures
docs/notation.md states and test_notation_limits.py bounds.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cbmhub.negotiations.notation import analyse, parse  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/004_b9720b24e8ee2ca3.txt"
SIZES = [("100 KB", 100_000), ("1 MB", 1_000_000), ("10 MB", 10_000_000)]
# The baseline: brackets, ~~, and parenthesised position tags or notes, in one scan.
BASELINE = re.compile(r"\[|\]|~~|\([+\-−–][^()\r\n]*\)|\([^()\r\n:]*:[^()\r\n]*\)")


def best_of(runs: int, function, argument) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function(argument)
        best = min(best, time.perf_counter() - started)
    return best


def engine(text: str) -> None:
    analyse(parse(text))


def baseline(text: str) -> None:
    for _ in BASELINE.finditer(text):
        pass


class _Node:
    __slots__ = ("start", "end", "text", "children")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start, self.end, self.text, self.children = start, end, text, []


_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n|\n(?=(?:PP|OP)?\d)")


def floor(text: str) -> None:
    """A reference, not an engine: the least a pure-Python tree costs. One object per
    paragraph (split at blank lines and numbered lines) and one per baseline match, nothing
    parsed, nested or analysed."""
    paragraphs = []
    markers = BASELINE.finditer(text)
    marker = next(markers, None)
    start = 0
    for boundary in _PARAGRAPH_BREAK.finditer(text):
        paragraph = _Node(start, boundary.start(), "")
        paragraphs.append(paragraph)
        while marker is not None and marker.start() < boundary.start():
            paragraph.children.append(_Node(marker.start(), marker.end(), marker.group()))
            marker = next(markers, None)
        start = boundary.end()


HOSTILE = ["*", "~", "[", "]", "(", "-", "[]", "(+CHN)", "PP1.\n", "1.\n", "e)\n"]


def hostile(seed: str) -> None:
    """Time (untraced, best of one) and tracemalloc peak per input byte of 1 MB inputs."""
    print(f"{'1 MB of':>10} {'engine s':>9} {'peak B/byte':>12}")
    for unit in [*HOSTILE, "corpus"]:
        text = seed * 24 if unit == "corpus" else unit * (1_000_000 // len(unit))
        size = len(text.encode("utf-8"))
        started = time.perf_counter()
        engine(text)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        engine(text)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{unit!r:>10} {elapsed:>9.3f} {peak / size:>12.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best counts")
    parser.add_argument("--hostile", action="store_true", help="also 1 MB of each marker")
    args = parser.parse_args()
    seed = args.corpus.read_text(encoding="utf-8")
    if not seed.endswith("\n"):
        seed += "\n"
    seed_bytes = len(seed.encode("utf-8"))

    print(f"corpus: {args.corpus} ({seed_bytes} bytes), best of {args.repeat}")
    print(f"{'size':>8} {'bytes':>11} {'engine s':>9} {'engine MB/s':>12} "
          f"{'regex s':>8} {'regex MB/s':>11} {'ratio':>6}")  # fmt: skip
    worst = 0.0
    rates = []
    for name, target in SIZES:
        text = seed * max(1, round(target / seed_bytes))
        size = len(text.encode("utf-8"))
        engine_s = best_of(args.repeat, engine, text)
        regex_s = best_of(args.repeat, baseline, text)
        ratio = engine_s / regex_s
        worst = max(worst, ratio)
        rates.append(size / engine_s / 1e6)
        print(
            f"{name:>8} {size:>11} {engine_s:>9.3f} {size / engine_s / 1e6:>12.1f} "
            f"{regex_s:>8.3f} {size / regex_s / 1e6:>11.1f} {ratio:>5.1f}x"
        )
    text = seed * max(1, round(1_000_000 / seed_bytes))
    floor_s, regex_s = best_of(args.repeat, floor, text), best_of(args.repeat, baseline, text)
    print(
        f"pure-Python floor at 1 MB (one object per paragraph and per match, nothing parsed): "
        f"{floor_s * 1000:.1f} ms, {floor_s / regex_s:.1f}x the baseline"
    )
    linear = min(rates) / max(rates)
    print(f"worst ratio to the baseline: {worst:.1f}x (target <= 5x)")
    print(f"throughput at the slowest size / at the fastest: {linear:.2f} (1.00 = linear)")
    if args.hostile:
        hostile(seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
