"""One construct at a time: labels, brackets, tags, notes, struck text, emphasis, diagnostics."""

from __future__ import annotations

import pytest

from cbmhub.negotiations.notation import (
    Bracket,
    Emphasis,
    Note,
    Position,
    StrayClose,
    Struck,
    analyse,
    analysis_to_json,
    clean_text,
    paragraph_segments,
    parse,
    plain_text,
    render,
)


def only_paragraph(text: str):
    doc = parse(text)
    assert render(doc) == text
    (paragraph,) = doc.paragraphs
    return doc, paragraph


@pytest.mark.parametrize(
    ("text", "label", "name", "kind"),
    [
        ("PP4. Remaining convinced", "PP4.", "PP4", "preambular"),
        ("PP5b. Guided", "PP5b.", "PP5b", "preambular"),
        ("OP1. We hereby", "OP1.", "OP1", "operative"),
        ("1. We decide", "1.", "1", "operative"),
        ("- e) Improving", "e)", "(e)", "sub-item"),
        ("(1) The Conference", "(1)", "(1)", "sub-item"),
        ("[PP5e altern. We express]", "PP5e altern.", "PP5e-alt", "preambular"),
        ("ПП3. Признавая", "ПП3.", "PP3", "preambular"),
        ("Recognizing that", None, None, "other"),
    ],
)
def test_labels(text, label, name, kind):
    _, paragraph = only_paragraph(text)
    if label is None:
        assert paragraph.label is None
    else:
        assert (paragraph.label.text, paragraph.label.name, paragraph.label.kind) == (
            label,
            name,
            kind,
        )


def test_brackets_nest_to_any_depth():
    text = "a " + "[" * 50 + "deep" + "]" * 50 + " b"
    doc, paragraph = only_paragraph(text)
    node = paragraph.children[1]
    depth = 0
    while isinstance(node, Bracket):
        depth += 1
        assert node.depth == depth
        node = node.children[0]
    assert depth == 50
    assert doc.diagnostics == []
    assert analyse(doc).paragraphs[0].max_depth == 50


def test_position_tags_with_qualifiers_and_runs():
    doc, paragraph = only_paragraph("[x] (+QATAR), (+IRAN with reservation), (-ISR) (+CHN, -IND)")
    positions = [n for n in paragraph.children if isinstance(n, Position)]
    entries = [e for p in positions for e in p.entries]
    assert [(e.delegation, e.stance, e.qualifier) for e in entries] == [
        ("QATAR", "support", ""),
        ("IRAN", "support", "with reservation"),
        ("ISR", "oppose", ""),
        ("CHN", "support", ""),
        ("IND", "oppose", ""),
    ]
    info = analyse(doc).paragraphs[0]
    assert {p.attaches_to.number for p in info.positions} == {1}


def test_codes_in_any_script():
    doc, paragraph = only_paragraph("[текст] (+РФ) (−КНР)")
    data = analysis_to_json(analyse(doc))
    assert data["delegations"]["РФ"]["support"] == 1
    assert data["delegations"]["КНР"]["oppose"] == 1


@pytest.mark.parametrize(
    ("text", "codes", "body"),
    [
        ("(VIE: with PP5c)", ("VIE",), "with PP5c"),
        ("(IND, TUR, BANGL: depends on PP5b)", ("IND", "TUR", "BANGL"), "depends on PP5b"),
        ("(CHN, THA, IRAN original text)", ("CHN", "THA", "IRAN"), "original text"),
    ],
)
def test_notes(text, codes, body):
    _, paragraph = only_paragraph(f"PP1. Text; {text}")
    (note,) = [n for n in paragraph.children if isinstance(n, Note)]
    assert (note.delegations, note.body) == (codes, body)


@pytest.mark.parametrize("text", ["(CICA)", "(Revision 3)", "(UN Charter)", "(I)", "(SCO)"])
def test_ordinary_parentheses_are_text(text):
    _, paragraph = only_paragraph(f"The body {text} met.")
    assert not [n for n in paragraph.children if isinstance(n, Note | Position)]


def test_struck_and_emphasis():
    doc, paragraph = only_paragraph("in [~~accordance~~] with *the* text")
    bracket = paragraph.children[1]
    assert isinstance(bracket.children[0], Struck)
    assert any(isinstance(n, Emphasis) for n in paragraph.children)
    assert plain_text(doc) == "in accordance with the text"
    assert clean_text(doc) == "in with the text"


def test_unmatched_close_is_kept_and_reported_with_line_and_column():
    doc = parse("PP1. Agreed.\n\nPP2. one] two\n")
    assert render(doc) == "PP1. Agreed.\n\nPP2. one] two\n"
    assert any(isinstance(n, StrayClose) for n in doc.paragraphs[1].children)
    (diagnostic,) = doc.diagnostics
    assert (diagnostic.line, diagnostic.column, diagnostic.severity) == (3, 9, "error")
    assert "PP2." in diagnostic.message


def test_unclosed_bracket_closes_at_paragraph_end_and_is_reported():
    doc = parse("PP1. [one two\n\nPP2. three")
    (diagnostic,) = doc.diagnostics
    assert (diagnostic.line, diagnostic.column) == (1, 6)
    assert "not closed" in diagnostic.message
    statuses = [p.status for p in analyse(doc).paragraphs]
    assert statuses == ["bracketed", "agreed"]


def test_unclosed_strike_becomes_text_with_a_warning():
    doc, paragraph = only_paragraph("a ~~b c")
    assert not any(isinstance(n, Struck) for n in paragraph.children)
    assert [d.severity for d in doc.diagnostics] == ["warning"]


def test_lowercase_tag_is_text_with_a_warning():
    doc, paragraph = only_paragraph("x (+Iran) y")
    assert not any(isinstance(n, Position) for n in paragraph.children)
    assert "looks like a position tag" in doc.diagnostics[0].message


def test_crlf_tabs_bom_and_trailing_spaces_survive():
    text = "\ufeffPP1.\tText [x] (+CHN)  \r\n\r\n2. more\r\n  \r\n"
    doc = parse(text)
    assert render(doc) == text
    assert [p.label and p.label.name for p in doc.paragraphs] == ["PP1", "2"]


def test_page_break_split_joins_the_paragraph():
    doc = parse("PP3. refraining from force,\n\nand settlement of disputes;\n\nPP4. Next")
    assert [p.line for p in doc.paragraphs] == [1, 5]
    assert doc.paragraphs[0].end_line == 3


def test_consecutive_numbered_lines_are_separate_paragraphs():
    doc = parse("1. First\n2. Second\ncontinued\n- a) item")
    assert [p.label and p.label.name for p in doc.paragraphs] == ["1", "2", "(a)"]
    keys = [p.key for p in analyse(doc).paragraphs]
    assert keys == ["1", "2", "2(a)"]


def test_keys_are_unique_and_unlabelled_get_a_number():
    keys = [p.key for p in analyse(parse("Intro\n\n1. a\n\n1. b\n\nOutro")).paragraphs]
    assert keys == ["¶1", "1", "1#2", "¶4"]


def test_actors_are_not_resolved_and_unknown_codes_are_listed():
    doc = parse("[x] (+CHAIR) (+CHN) (-ZZZ)")
    calls = []

    def resolve(code):
        calls.append(code)
        return (7, "China") if code == "CHN" else None

    data = analysis_to_json(analyse(doc, resolve=resolve))
    assert sorted(calls) == ["CHN", "ZZZ"]
    assert data["delegations"]["CHN"]["state"] == {"id": 7, "name": "China"}
    assert data["unknown_codes"] == ["ZZZ"]
    assert data["actors"] == ["CHAIR"]


def test_segments_carry_depth_and_join_to_the_source():
    text = "PP1. a [b [c] (+CHN)] ~~d~~"
    doc, paragraph = only_paragraph(text)
    segments = paragraph_segments(analyse(doc).paragraphs[0])
    assert "".join(s.text for s in segments) == text
    assert [(s.kind, s.depth) for s in segments if s.kind in ("open", "close")] == [
        ("open", 1), ("open", 2), ("close", 2), ("close", 1),
    ]  # fmt: skip
    chip = next(s for s in segments if s.kind == "position")
    assert chip.entries[0].delegation == "CHN" and chip.depth == 1
    assert any(s.struck and s.text == "d" for s in segments)


def test_empty_and_blank_inputs():
    for text in ["", "\n", "  \n\t\n", "\ufeff"]:
        doc = parse(text)
        assert render(doc) == text
        assert analyse(doc).totals["paragraphs"] == len(doc.paragraphs)


def test_line_endings_do_not_change_the_paragraphs():
    """A text saved on Windows (CRLF) or old Mac (CR) splits into the same paragraphs as with LF:
    a CRLF is one line break, never a CR followed by a blank line."""
    from cbmhub.conftest import shared_path
    from cbmhub.negotiations.notation import analyse, parse, render

    corpus = shared_path("corpus/004_b9720b24e8ee2ca3.txt")
    lf = corpus.read_text(encoding="utf-8").replace("\r\n", "\n")
    expected = [(p.key, p.status, p.brackets) for p in analyse(parse(lf)).paragraphs]
    for eol in ("\r\n", "\r"):
        text = lf.replace("\n", eol)
        assert render(parse(text)) == text
        assert [(p.key, p.status, p.brackets) for p in analyse(parse(text)).paragraphs] == expected
