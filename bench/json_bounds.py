"""Benchmark: is the API's bounded JSON parsing linear, and what does the bound cost?

Times ``cbmhub.core.jsonbounds.loads`` against Python's ``json.loads`` on documents of 1, 2
and 4 MB (an import-like list of objects), and the refusal of hostile inputs of the same
sizes (a million open brackets, a number of a million digits). Prints the median times and
the 4 MB / 1 MB ratio: near 4 means linear. No Django needed.

    .venv/bin/python bench/json_bounds.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cbmhub.core import jsonbounds  # noqa: E402


def document(megabytes: int) -> str:
    row = {"iso3": "KAZ", "name": "Kazakhstan [KZ] {x}", "aliases": ["KAZ", "КАЗ"], "n": 12345}
    one = json.dumps(row, ensure_ascii=False)
    return "[" + ",".join([one] * (megabytes * 1_000_000 // (len(one) + 1))) + "]"


def median_seconds(function, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            function(text)
        except json.JSONDecodeError:
            pass
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    cases = {
        "document, bounded": (document, jsonbounds.loads),
        "document, json.loads": (document, json.loads),
        "open brackets, bounded": (lambda mb: "[" * (mb * 1_000_000), jsonbounds.loads),
        "long number, bounded": (lambda mb: "[" + "7" * (mb * 1_000_000) + "]", jsonbounds.loads),
    }
    print(f"{'case':<26}{'1 MB':>10}{'2 MB':>10}{'4 MB':>10}{'4/1':>8}")
    for name, (make, function) in cases.items():
        seconds = [median_seconds(function, make(mb), runs) for mb in (1, 2, 4)]
        cells = "".join(f"{s * 1000:>8.1f}ms" for s in seconds)
        print(f"{name:<26}{cells}{seconds[2] / seconds[0]:>8.1f}")


if __name__ == "__main__":
    main()
