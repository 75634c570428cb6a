"""Paragraph-level comparison of two revisions: paragraphs aligned by content, so that one
inserted, deleted, moved or renumbered paragraph is reported as that edit and nothing more."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cbmhub.conftest import shared_path
from cbmhub.negotiations.notation import analyse, compare, comparison_to_json, parse, word_diff

OLD = "PP1. Agreed text.\n\nPP2. We [strongly] (+CHN) support it.\n\nPP3. Gone.\n"
NEW = "PP1. Agreed text.\n\nPP2. We support it [fully] (-ISR).\n\nPP4. New.\n"


def diff(old: str, new: str):
    return compare(analyse(parse(old)), analyse(parse(new)))


def test_added_removed_changed():
    result = diff(OLD, NEW)
    assert [p.key for p in result.added] == ["PP4"]
    assert [p.key for p in result.removed] == ["PP3"]
    assert result.unchanged == ["PP1"]
    (change,) = result.changed
    assert change.key == "PP2"
    assert change.brackets_added == ["fully"]
    assert change.brackets_removed == ["strongly"]
    assert change.positions_added == [("ISR", "oppose", "")]
    assert change.positions_removed == [("CHN", "support", "")]
    data = comparison_to_json(result)
    assert data["changed"][0]["diff"]
    assert data["counts"] == {"added": 1, "removed": 1, "changed": 1, "moved": 0, "unchanged": 1}


def test_word_diff_reassembles_both_sides():
    old, new = "We [strongly] support it.", "We support it fully."
    ops = word_diff(old, new)
    assert "".join(o.text for o in ops if o.op != "insert") == old
    assert "".join(o.text for o in ops if o.op != "delete") == new


def test_word_diff_of_long_paragraphs_is_bounded_and_still_reassembles():
    # Two long, wholly different paragraphs: the middle is given as deleted and inserted
    # whole instead of a quadratic word diff.
    old = " ".join(f"a{i}" for i in range(3000))
    new = "Same start " + " ".join(f"b{i}" for i in range(3000)) + " same end"
    ops = word_diff("Same start " + old + " same end", new)
    assert [o.op for o in ops] == ["equal", "delete", "insert", "equal"]
    assert "".join(o.text for o in ops if o.op != "insert") == "Same start " + old + " same end"
    assert "".join(o.text for o in ops if o.op != "delete") == new


# -- the corpus text with three edits (issue 10, item 3) --------------------------------------


def corpus_with_three_edits() -> tuple[str, str]:
    """The seed text, and the same with a tag added to PP4, PP5b's brackets removed and
    PP5e-alt deleted (its line; the blank lines around it stay)."""
    source = shared_path("corpus/004_b9720b24e8ee2ca3.txt").read_text(encoding="utf-8")
    lines = []
    for line in source.split("\n"):
        if line.startswith("PP4."):
            assert "(+IRAN) (+CHN)" in line
            line = line.replace("(+IRAN) (+CHN)", "(+IRAN) (+KAZ) (+CHN)", 1)
        elif line.startswith("PP5b."):
            line = line.replace("[", "").replace("]", "")
        elif line.startswith("[PP5e altern."):
            continue
        lines.append(line)
    return source, "\n".join(lines)


def test_corpus_three_edits_are_one_removed_two_changed():
    old, new = corpus_with_three_edits()
    result = diff(old, new)
    # Paired by key and position this read "9 added, 10 removed, 26 changed": every
    # unlabelled paragraph after PP5e-alt had its number (¶n) shifted by one.
    assert result.counts == {
        "added": 0, "removed": 1, "changed": 2, "moved": 0, "unchanged": 188,
    }  # fmt: skip
    assert [c.key for c in result.changed] == ["PP4", "PP5b"]
    assert [p.key for p in result.removed] == ["PP5e-alt"]
    pp4, pp5b = result.changed
    assert pp4.positions_added == [("KAZ", "support", "")]
    # Its brackets are gone, but "(IND: keep original)" still holds it back.
    assert len(pp5b.brackets_removed) == 4 and pp5b.new.status == "conditional"
    # The removed paragraph is listed where it stood: after PP5e, before PP6.
    order = [(p.old or p.new).key for p in result.pairs]
    assert order.index("PP5e-alt") == order.index("PP5e") + 1
    data = comparison_to_json(result)
    removed = [p for p in data["paragraphs"] if p["change"] != "unchanged"]
    assert [(p["old_label"], p["new_label"], p["change"]) for p in removed] == [
        ("PP4.", "PP4.", "changed"),
        ("PP5b.", "PP5b.", "changed"),
        ("PP5e altern.", None, "removed"),
    ]


def test_demo_renumbering_is_recognised():
    from cbmhub.negotiations.demo import REV_1, REV_2

    result = diff(REV_1, REV_2)
    moved = [(p.old.key, p.new.key) for p in result.moved]
    assert moved == [("OP5", "OP6")]  # "Decide to remain seized of the matter."
    assert [p.key for p in result.added] == ["PP5", "OP5"]
    assert [p.key for p in result.removed] == ["OP4-alt"]
    assert "OP5" not in [c.key for c in result.changed]
    assert "OP6" not in [c.key for c in result.changed]


def test_a_moved_paragraph_is_moved_and_others_stay_unchanged():
    old = "PP1. Alpha one;\n\nPP2. Beta two;\n\nPP3. Gamma three;\n\nPP4. Delta four;\n"
    new = "PP1. Alpha one;\n\nPP3. Gamma three;\n\nPP4. Delta four;\n\nPP2. Beta two;\n"
    result = diff(old, new)
    assert result.counts["moved"] == 1 and result.counts["unchanged"] == 3
    (moved,) = result.moved
    assert moved.new.key == "PP2" and moved.reordered


def test_renumbered_and_edited_is_one_change_not_soup():
    # PP2 deleted; PP3 renumbered PP2 and edited; PP4 renumbered PP3.
    old = (
        "PP1. Recalling the charter;\n\n"
        "PP2. Noting the workshop held online in the capital;\n\n"
        "PP3. Stressing timely replies to requests for information through the network;\n\n"
        "PP4. Welcoming the list of points of contact;\n"
    )
    new = (
        "PP1. Recalling the charter;\n\n"
        "PP2. Stressing timely replies to urgent requests for information through the network;\n\n"
        "PP3. Welcoming the list of points of contact;\n"
    )
    result = diff(old, new)
    pairs = [(p.change, p.old and p.old.key, p.new and p.new.key) for p in result.pairs]
    assert pairs == [
        ("unchanged", "PP1", "PP1"),
        ("removed", "PP2", None),
        ("changed", "PP3", "PP2"),
        ("moved", "PP4", "PP3"),
    ]
    assert result.changed[0].relabelled


def test_a_paragraph_rewritten_under_its_label_is_changed():
    result = diff("OP1. Agree to meet twice a year.\n", "OP1. Decide nothing at all today.\n")
    assert [(p.change, p.new.key) for p in result.pairs] == [("changed", "OP1")]


# -- property: a random edit script is reported as exactly those edits ------------------------

COMMON = (
    "the of and to in states measures cooperation security confidence building regional "
    "information exchange national points contact network"
).split()
FRESH = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron".split()


@st.composite
def edit_scripts(draw):
    """Paragraphs with a unique signature word each (``sigN``), then a script of deletes,
    inserts (of new words only), small modifications, relabels and moves."""
    paragraphs = []  # [identity, label or "", words]
    for n in range(draw(st.integers(1, 12))):
        words = draw(st.lists(st.sampled_from(COMMON), min_size=5, max_size=12))
        labelled = n == 0 or draw(st.booleans())
        paragraphs.append([n, f"PP{n + 1}." if labelled else "", [*words, f"sig{n}"]])
    original = [list(p) for p in paragraphs]
    deleted: set[int] = set()
    modified: set[int] = set()
    relabelled: set[int] = set()
    moves = 0
    fresh = 0
    ops = draw(
        st.lists(st.sampled_from(["delete", "insert", "modify", "relabel", "move"]), max_size=6)
    )
    for op in ops:
        if op == "insert" or not paragraphs:
            fresh += 1
            words = draw(st.lists(st.sampled_from(FRESH), min_size=4, max_size=10))
            at = draw(st.integers(0, len(paragraphs)))
            paragraphs.insert(at, [1000 + fresh, f"OP{fresh}.", [*words, f"new{fresh}"]])
            continue
        at = draw(st.integers(0, len(paragraphs) - 1))
        identity = paragraphs[at][0]
        if op == "delete":
            paragraphs.pop(at)
            deleted.add(identity)
        elif op == "modify":
            words = list(paragraphs[at][2])
            words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(COMMON)))
            paragraphs[at][2] = words
            modified.add(identity)
        elif op == "relabel":
            fresh += 1
            paragraphs[at][1] = f"PP{100 + fresh}."
            relabelled.add(identity)
        else:
            moves += 1
            paragraph = paragraphs.pop(at)
            paragraphs.insert(draw(st.integers(0, len(paragraphs))), paragraph)
    return original, paragraphs, deleted, modified, relabelled, moves


def _text(paragraphs) -> str:
    out = []
    for _, label, words in paragraphs:
        body = "Recalling " + " ".join(words) + ";"
        out.append(f"{label} {body}" if label else body)
    return "\n\n".join(out) + "\n"


def _identity(info) -> int:
    word = next(w for w in info.text.replace(";", " ").split() if w[:3] in ("sig", "new"))
    return int(word[3:]) if word.startswith("sig") else 1000 + int(word[3:])


@settings(max_examples=300, deadline=None)
@given(edit_scripts())
def test_a_random_edit_script_is_reported_as_exactly_those_edits(script):
    original, edited, deleted, modified, relabelled, moves = script
    result = diff(_text(original), _text(edited))
    got: dict[int, str] = {}
    for pair in result.pairs:
        if pair.old is not None and pair.new is not None:
            assert _identity(pair.old) == _identity(pair.new), pair  # the right partner
        got[_identity(pair.old or pair.new)] = pair.change
    for identity, *_ in original:
        if identity in deleted:
            expected = {"removed"}
        elif identity in modified:
            expected = {"changed"}
        elif identity in relabelled:
            expected = {"moved"}
        elif moves:
            expected = {"unchanged", "moved"}  # which of two swapped ones moved is a choice
        else:
            expected = {"unchanged"}
        assert got.pop(identity) in expected, (identity, got)
    assert set(got.values()) <= {"added"}
    assert len(got) == len([p for p in edited if p[0] >= 1000])
    reordered = [p for p in result.pairs if p.reordered]
    assert len(reordered) <= moves


def test_repeated_paragraphs_pair_where_they_stand_not_across_others():
    # "(a) None." three times; the first one deleted: one removed, nothing moved.
    old = "Intro one;\n\n(a) None.\n\nMiddle two;\n\n(a) None.\n\nEnd three;\n\n(a) None.\n"
    new = "Intro one;\n\nMiddle two;\n\n(a) None.\n\nEnd three;\n\n(a) None.\n"
    result = diff(old, new)
    assert result.counts == {"added": 0, "removed": 1, "changed": 0, "moved": 0, "unchanged": 5}
    (removed,) = result.removed
    assert removed.line == 3
