"""Property-based tests: no string makes the parser raise, and rendering gives it back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cbmhub.negotiations.notation import (
    analyse,
    analysis_to_json,
    clean_text,
    compare,
    paragraph_segments,
    parse,
    plain_text,
    render,
)

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
