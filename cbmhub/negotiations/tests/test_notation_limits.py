"""Time and memory of the notation engine per input byte, on hostile inputs (issue 8, items 4
and 8): a megabyte of each marker character, and of the shortest paragraphs the notation
allows. The bounds are the ones docs/notation.md states:

- memory: the peak of parse + analyse (tracemalloc, which counts every Python allocation) is
  at most ``MAX_BYTES_PER_BYTE`` bytes per input byte; a real negotiation text takes about 13;
- time: a generous ``MAX_SECONDS_PER_MB`` per megabyte, against exponential or quadratic
  blow-up (on the development machine the worst of these takes about 1.5 s, 0.06 s for a
  real text; tracemalloc slows it three- to fivefold, a shared machine more).
"""

from __future__ import annotations

import time
import tracemalloc

import pytest

from cbmhub.negotiations.notation import MAX_DEPTH, MAX_DIAGNOSTICS, analyse, parse, render

from .bounds import within

MAX_BYTES_PER_BYTE = 400
MAX_SECONDS_PER_MB = 120.0
SIZE = 1_000_000

# Each marker character alone, the label-like prefixes, and the densest paragraphs: a
# paragraph costs about a kilobyte of objects, so "1.\n" (a paragraph every three bytes) is
# the worst case of the bound.
UNITS = ["*", "**", "~", "~~", "[", "]", "(", ")", "-", "+", ":", ",", "[]", "[ ", "* ",
         "- ", "(+", "(+CHN)", "(A, B: x)", "PP1.\n", "1.\n", "e)\n", "(1)\n", "\n\n", "x\n",
         "\r\n", "PP", "ПП1"]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS, ids=repr)
def test_a_megabyte_of_one_marker_stays_within_the_bounds(unit):
    text = unit * (SIZE // len(unit))
    size = len(text.encode("utf-8"))
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with within(MAX_SECONDS_PER_MB * size / 1e6, f"parse + analyse of {unit!r} * N"):
            doc = parse(text)
            analysis = analyse(doc)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert peak / size <= MAX_BYTES_PER_BYTE, f"{peak / size:.0f} bytes per input byte"
    assert elapsed <= MAX_SECONDS_PER_MB * size / 1e6
    assert len(analysis.diagnostics) <= MAX_DIAGNOSTICS
    assert render(doc) == text


def test_diagnostics_beyond_the_limit_are_counted_not_listed():
    text = "]" * (MAX_DIAGNOSTICS + 5) + " (+Iran)" * 7
    doc = parse(text)
    analysis = analyse(doc)
    assert len(doc.diagnostics) == MAX_DIAGNOSTICS
    assert doc.omitted == {"error": 5, "warning": 7}
    assert analysis.totals["errors"] == MAX_DIAGNOSTICS + 5
    assert analysis.totals["warnings"] == 7
    from cbmhub.negotiations.notation import analysis_to_json

    assert analysis_to_json(analysis)["diagnostics_omitted"] == 12


def test_brackets_deeper_than_the_limit_are_kept_as_text():
    text = "PP1. " + "[" * (MAX_DEPTH + 3) + "x" + "]" * (MAX_DEPTH + 3)
    doc = parse(text)
    assert render(doc) == text
    paragraph = analyse(doc).paragraphs[0]
    assert paragraph.max_depth == MAX_DEPTH and paragraph.brackets == MAX_DEPTH
    messages = [d.message for d in doc.diagnostics]
    assert sum("nested more than" in m for m in messages) == 3
    assert sum("unmatched ']'" in m for m in messages) == 3
