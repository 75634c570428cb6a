"""Paragraph-level comparison of two revisions."""

from __future__ import annotations

from cbmhub.negotiations.notation import analyse, compare, comparison_to_json, parse, word_diff

OLD = "PP1. Agreed text.\n\nPP2. We [strongly] (+CHN) support it.\n\nPP3. Gone.\n"
NEW = "PP1. Agreed text.\n\nPP2. We support it [fully] (-ISR).\n\nPP4. New.\n"


def test_added_removed_changed():
    result = compare(analyse(parse(OLD)), analyse(parse(NEW)))
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


def test_word_diff_reassembles_both_sides():
    old, new = "We [strongly] support it.", "We support it fully."
    ops = word_diff(old, new)
    assert "".join(o.text for o in ops if o.op != "insert") == old
    assert "".join(o.text for o in ops if o.op != "delete") == new
