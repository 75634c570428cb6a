"""Property-based tests: no string makes the parser raise, and rendering gives it back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbmhub.negotiations.notation import (
    analyse,
    analysis_to_json,
    clean_text,
    compare,
    paragraph_segments,
    parse,
    parser,
    plain_text,
    render,
)

from .bounds import within

# Fragments of the notation, so that random strings hit the interesting cases often.
NOTATION = st.sampled_from(
    ["[", "]", "(", ")", "~~", "*", "**", "(+CHN)", "(-ISR)", "(+IRAN with reservation)",
     "(IND: keep)", "(CHN, THA original)", "PP5b. ", "1. ", "e) ", "(1) ", "\n", "\r\n", "\r",
     "\n\n", " ", "\t", "\ufeff", "word", "Word", ",", ";", "(+РФ)", "[PP5e altern. "]
)  # fmt: skip
TEXTS = st.one_of(st.text(), st.lists(st.one_of(NOTATION, st.text(max_size=5))).map("".join))


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_parse_never_raises_and_round_trips(text):
    doc = parse(text)
    assert render(doc) == text
    for paragraph in doc.paragraphs:
        assert (
            "".join(s.text for s in paragraph_segments(paragraph))
            == text[paragraph.start : paragraph.end]
        )
    for diagnostic in doc.diagnostics:
        assert diagnostic.line >= 1 and diagnostic.column >= 1


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS)
def test_analysis_clean_plain_and_compare_never_raise(old, new):
    a, b = analyse(parse(old)), analyse(parse(new))
    analysis_to_json(a)
    clean_text(parse(old))
    plain_text(parse(old))
    result = compare(a, b)
    # Every paragraph of either revision is in exactly one pair.
    assert [p.new.key for p in result.pairs if p.new is not None] == [p.key for p in b.paragraphs]
    assert sorted(p.old.node.index for p in result.pairs if p.old is not None) == [
        p.node.index for p in a.paragraphs
    ]
    counts = result.counts
    assert counts["added"] + counts["changed"] + counts["moved"] + counts["unchanged"] == len(
        b.paragraphs
    )


# --- linear time on runs of markers (issue 8, item 4) -----------------------------------------

# Every character the notation gives a meaning to, and the prefixes of labels, repeated: the
# inputs on which a regular expression with overlapping quantifiers backtracks exponentially
# ("*" * 34 took 3.5 s, "*" * 60 more than a day).
MARKERS = ["*", "**", "~", "~~", "[", "]", "(", ")", "-", "+", "−", "–", "•", " ", "\t", "\n",
           "\r", "\r\n", "\ufeff", "* ", "[ ", "- ", "~~ ", "PP", "PP1", "ПП1", "1.", "1.2",
           "(1", "(i", "e", "(+", "(-", "(+CHN", "CHN,", "CHN ", "A:", ",", "altern ",
           "PP1 alt"]  # fmt: skip
RUNS = st.lists(
    st.tuples(st.sampled_from(MARKERS), st.integers(min_value=1, max_value=3000)),
    min_size=1,
    max_size=4,
).map(lambda runs: "".join(marker * count for marker, count in runs))
# A generous bound for at most 12,000 markers (about 0.1 s here): the exponential patterns
# took minutes on 40 asterisks.
RUN_BOUND_S = 5.0


@settings(max_examples=150, deadline=None)
@given(RUNS, st.sampled_from(["", "x", "PP1. a", "\n", ")", "]", "~"]))
def test_runs_of_markers_parse_in_linear_time(run, tail):
    text = run + tail
    with within(RUN_BOUND_S, f"parse + analyse of {len(text)} characters"):
        doc = parse(text)
        analyse(doc)
    assert render(doc) == text


# The label pattern as it was (exponential on runs of "*"), kept to show that the linear one
# finds the same labels; only ever run on strings of at most 12 characters.
_OLD_LABEL = re.compile(
    r"""
    \ufeff?[ \t]*(?:[-–•·*][ \t]+)?(?:(?:\[|~~|\*\*|\*)[ \t]*)*
    (?P<label>
        (?P<pp>PP|OP|ПП|ОП)[ \t]?(?P<num>\d{1,3}[a-zа-я]{0,3})
            (?P<alt>[ \t]+(?:alternative|altern|alt)\.?(?:[ \t]?\d{1,2}\b)?)?\.?
      | (?P<dotted>\d{1,3}(?:\.\d{1,3})*)\.
      | \((?P<paren>\d{1,3}|[a-z]{1,2}|[ivx]{1,5})\)
      | (?P<closing>\d{1,3}|[a-z]|[ivx]{1,5})\)
    )
    (?=[ \t]|\r|\n|\Z)
    """,
    re.VERBOSE,
)
LABEL_ALPHABET = st.lists(
    st.sampled_from(["*", "**", "~", "~~", "[", " ", "\t", "-", "•", "\ufeff", "PP", "1", "12",
                     ".", "a", "e", ")", "(", "i", "alt", "\n", "x"]),
    max_size=8,
).map("".join).filter(lambda s: len(s) <= 12)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(LABEL_ALPHABET)
def test_linear_label_pattern_finds_what_the_old_one_found(text):
    old, new = _OLD_LABEL.match(text), parser._LABEL.match(text)
    assert (old and old.span("label")) == (new and new.span("label"))
    if old and new:
        assert old.groupdict() == new.groupdict()


@pytest.mark.parametrize(
    "text", ["*" * 40 + "x", "*" * 60, "\n".join(["*" * 50] * 20), "ab\n" + "* " * 30 + "~"]
)
def test_asterisk_separator_lines_are_instant(text):
    # The finding: a 202-byte revision with a 36-star separator line cost 9 s per page.
    with within(RUN_BOUND_S, "parse"):
        doc = parse(text)
    assert render(doc) == text


def test_splitting_delegation_codes_is_linear_in_runs_of_spaces():
    # A note's head was split at "\s*,\s*", which restarts at each space of a run and costs
    # the square of the run (bounded in notes by their 400 characters, but not by _codes).
    head = "IND" + " " * 200_000 + "TUR"
    with within(RUN_BOUND_S, "splitting codes"):
        assert parser._codes(head) is None
        assert parser._codes("IND" + " " * 200_000 + ", TUR") == ("IND", "TUR")
