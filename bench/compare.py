"""Benchmark of the revision comparison (paragraph alignment by content; no Django needed).

    .venv/bin/python bench/compare.py [--corpus PATH] [--repeat N]

The corpus text (by default ../shared/corpus/004_b9720b24e8ee2ca3.txt beside the repository) is
repeated to about 100 KB, 1 MB and 4 MB (a 400-page text is about 1 MB). Each size is compared
against three edited copies, with the analyses made beforehand so that only ``compare`` is
timed:

- ``three edits``: in every copy of the corpus a tag added to PP4, PP5b's brackets removed and
  PP5e-alt deleted (the issue's example, repeated);
- ``every paragraph``: one word inserted in every paragraph, so every paragraph goes through
  the similarity pass and gets a word diff (the worst case for the alignment);
- ``renumbered``: the first paragraph deleted and every label renumbered, so nothing pairs by
  label and every labelled paragraph is a move.

It prints the time and microseconds per paragraph; near-linear means about the same
microseconds per paragraph at every size. Best of N runs (default 3).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cbmhub.negotiations.notation import analyse, compare, parse  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/004_b9720b24e8ee2ca3.txt"
SIZES = [("100 KB", 100_000), ("1 MB", 1_000_000), ("4 MB", 4_000_000)]
_LABEL = re.compile(r"^(PP|OP)(\d+)", re.M)


def three_edits(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        if line.startswith("PP4."):
            line = line.replace("(+IRAN) (+CHN)", "(+IRAN) (+KAZ) (+CHN)", 1)
        elif line.startswith("PP5b."):
            line = line.replace("[", "").replace("]", "")
        elif line.startswith("[PP5e altern."):
            continue
        lines.append(line)
    return "\n".join(lines)


def every_paragraph(text: str) -> str:
    return re.sub(r"(?m)^(\S+ \S+)", r"\1 indeed", text)


def renumbered(text: str) -> str:
    first = text.index("\n\n") + 2
    return _LABEL.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", text[first:])


EDITS = [("three edits", three_edits), ("every paragraph", every_paragraph),
         ("renumbered", renumbered)]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best counts")
    args = parser.parse_args()
    seed = args.corpus.read_text(encoding="utf-8")
    if not seed.endswith("\n"):
        seed += "\n"
    seed_bytes = len(seed.encode("utf-8"))
    print(f"corpus: {args.corpus} ({seed_bytes} bytes), best of {args.repeat}")
    head = f"{'edit':>16} {'size':>7} {'paragraphs':>10} {'compare s':>10} {'us/paragraph':>13}"
    print(f"{head}  counts")
    for edit_name, edit in EDITS:
        for size_name, target in SIZES:
            text = seed * max(1, round(target / seed_bytes))
            old, new = analyse(parse(text)), analyse(parse(edit(text)))
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = compare(old, new)
                best = min(best, time.perf_counter() - started)
            count = len(old.paragraphs) + len(new.paragraphs)
            counts = " ".join(f"{k}={v}" for k, v in result.counts.items() if v)
            print(
                f"{edit_name:>16} {size_name:>7} {count:>10} {best:>10.3f} "
                f"{best / count * 1e6:>13.1f}  {counts}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
