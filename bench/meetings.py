"""Benchmark of the meetings' package split (pure; no Django needed).

    .venv/bin/python bench/meetings.py [--corpus PATH] [--repeat N]

Splits the corpus package (by default ../shared/corpus/004_b9720b24e8ee2ca3.txt: one note in
three languages and six enclosures, 42 KB) and packages made of it with its enclosures repeated
10 and 50 times (about 0.4 MB and 2 MB). Beside each it times the baseline measured in the same
run: the negotiations notation's parse + analyse of the same enclosure text, which the split
runs once per enclosure to find each one's paragraph labels. The split's own work (finding the
note's versions and the enclosure boundaries) is the difference; near-linear means about the
same microseconds per kilobyte at every size. Best of N runs (default 3).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cbmhub.meetings.package import blocks, split_package  # noqa: E402
from cbmhub.negotiations.notation import analyse, parse  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/004_b9720b24e8ee2ca3.txt"


def best(function, repeat: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def grown(text: str, times: int) -> str:
    """The package with its enclosures (everything after the note) repeated."""
    parts = blocks(text)
    first = next(i for i, b in enumerate(parts) if b.startswith("Secretariat"))
    return "\n\n".join(parts[:first] + parts[first:] * times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = args.corpus.read_text(encoding="utf-8")
    print(
        f"{'package':>10} {'KB':>7} {'encl.':>6} {'split s':>9} {'us/KB':>7} "
        f"{'notation s':>11} {'ratio':>6}"
    )
    for times in (1, 10, 50):
        package = grown(text, times)
        result = split_package(package)
        enclosures = "\n\n".join(e.text for e in result.enclosures)
        split = best(lambda p=package: split_package(p), args.repeat)
        notation = best(lambda t=enclosures: analyse(parse(t)), args.repeat)
        kb = len(package.encode()) / 1024
        print(
            f"{'x' + str(times):>10} {kb:7.0f} {len(result.enclosures):6d} {split:9.3f} "
            f"{split / kb * 1e6:7.0f} {notation:11.3f} {split / notation:6.2f}"
        )


if __name__ == "__main__":
    main()
