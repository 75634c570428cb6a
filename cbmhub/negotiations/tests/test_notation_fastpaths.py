"""The shortcuts taken for speed give what the plain definitions give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cbmhub.negotiations.notation import Document, Gap, analyse, parse
from cbmhub.negotiations.notation.render import join_paragraphs, paragraph_clean, paragraph_plain
from cbmhub.negotiations.notation.render import tidy as fast_tidy

# The spacing rules as first written: one regular expression per rule, applied in order.
_SPACES = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")
_SPACE_BEFORE = re.compile(r"[ \t]+(?=[,.;:!?)\]])")
_SPACE_AFTER_OPEN = re.compile(r"(?<=\()[ \t]+")
_DOUBLED = re.compile(r"([,;])(?:[ \t]*[,;])+")
_LINE_EDGES = re.compile(r"[ \t]+(?=\r?\n|\r|$)|(?<=\n)[ \t]+")


def reference_tidy(text: str) -> str:
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACES.sub(" ", text)
    text = _SPACE_BEFORE.sub("", text)
    text = _SPACE_AFTER_OPEN.sub("", text)
    text = _LINE_EDGES.sub("", text)
    if any(pair in text for pair in (",,", ";;", ", ,", "; ;", ", ;", "; ,")):
        text = _DOUBLED.sub(r"\1", text)
    return text.strip(" \t")


SPACING = st.lists(
    st.sampled_from([" ", "  ", "\t", "\u00a0", ",", ";", ".", ":", "!", "?", ")", "(", "]",
                     "\n", "\r", "\r\n", "a", "b c", "x"])
).map("".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.one_of(SPACING, st.text()))
def test_tidy_matches_the_rules_one_by_one(text):
    assert fast_tidy(text) == reference_tidy(text)


def test_clean_and_plain_text_of_a_document_not_made_by_parse():
    # Blocks that do not cover the source in order take the general join.
    doc = parse("PP1. Agreed.\n\nPP2. [Bracketed] (+CHN)\n\nPP3. Also agreed.\n")
    shuffled = Document(doc.source, [doc.blocks[2], Gap(0, 0, "~"), doc.blocks[0]], [])
    result = analyse(shuffled)
    paragraphs = shuffled.paragraphs
    assert result.clean_text == join_paragraphs(shuffled, [paragraph_clean(p) for p in paragraphs])
    assert result.plain_text == join_paragraphs(shuffled, [paragraph_plain(p) for p in paragraphs])


def test_excerpt_of_a_long_bracket_is_its_first_words():
    words = " ".join(f"w{i}" for i in range(400))
    doc = parse(f"PP1. [{words}] (+CHN)")
    (position,) = analyse(doc).paragraphs[0].positions
    excerpt = position.attaches_to.excerpt
    assert excerpt.endswith("…") and len(excerpt) <= 80
    assert words.startswith(excerpt[:-1])


def test_labels_and_markers_found_by_the_single_scan():
    # A label "(1)" is a parenthesis too; markers before a label open around it.
    doc = parse("(1) text (+CHN)\n[PP5e altern. We express] (-ISR)\n\n** PP6. x**\n")
    assert [p.label and p.label.name for p in doc.paragraphs] == ["(1)", "PP5e-alt", "PP6"]
    data = analyse(doc)
    assert [(p.key, len(p.positions)) for p in data.paragraphs] == [
        ("(1)", 1), ("PP5e-alt", 1), ("PP6", 0),
    ]  # fmt: skip
