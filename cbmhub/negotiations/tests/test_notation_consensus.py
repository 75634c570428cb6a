"""`consensus(analysis)`: the stances per delegation and who blocks most, and its part of the
JSON (`consensus.blockers`)."""

from __future__ import annotations

from cbmhub.negotiations.notation import (
    Consensus,
    ConsensusRow,
    analyse,
    analysis_to_json,
    consensus,
    parse,
)

TIES = (
    "PP1. [a] (-BBB) (-BBB) (-AAA)\n"
    "\n"
    "PP2. [b] (-AAA) (+BBB)\n"
    "\n"
    "PP3. [c] (-CCC) (-DDD)\n"
    "\n"
    "PP4. [d] (-CCC)\n"
)


def summed_up(text: str, **kwargs) -> Consensus:
    return consensus(analyse(parse(text), **kwargs))


def test_ties_go_to_most_paragraphs_then_code():
    result = summed_up(TIES)
    # AAA and CCC: two objections in two paragraphs each; BBB: two in one paragraph.
    assert [(row.code, row.oppose, row.opposes) for row in result.blockers] == [
        ("AAA", 2, ("PP1", "PP2")),
        ("CCC", 2, ("PP3", "PP4")),
        ("BBB", 2, ("PP1",)),
        ("DDD", 1, ("PP3",)),
    ]
    assert result.rows == result.blockers  # every delegation here objects and is a state


def test_opposing_twice_in_one_paragraph_counts_the_paragraph_once():
    result = summed_up("PP1. [a] (-ISR) [b] (-ISR, +CHN) (-ISR)\n\nPP2. [c] (+ISR)\n")
    (isr,) = result.blockers
    assert isr == ConsensusRow(
        code="ISR", support=1, oppose=3, notes=0, actor=False, state=None, opposes=("PP1",)
    )


def test_actors_and_delegations_that_only_support_never_block():
    text = "PP1. [a] (-CHAIR) (-CHAIR) (-FACILITATOR) (-MNG) (+KAZ)\n\nOP1. (KAZ: fine)\n"
    result = summed_up(text)
    assert [row.code for row in result.blockers] == ["MNG"]
    # The rows list everyone, actors included, in the same order.
    assert [(row.code, row.actor, row.oppose) for row in result.rows] == [
        ("CHAIR", True, 2),
        ("FACILITATOR", True, 1),
        ("MNG", False, 1),
        ("KAZ", False, 0),
    ]
    kaz = result.rows[-1]
    assert (kaz.support, kaz.notes, kaz.opposes) == (1, 1, ())
    blockers = analysis_to_json(analyse(parse(text)))["consensus"]["blockers"]
    assert blockers == [{"delegation": "MNG", "oppose": 1, "paragraphs": ["PP1"]}]


def test_totals_and_resolved_states_are_carried():
    analysis = analyse(
        parse("PP1. Agreed.\n\nPP2. [a] (-MNG)\n"),
        resolve=lambda code: (7, "Mongolia") if code == "MNG" else None,
    )
    result = consensus(analysis)
    assert result.totals == analysis.totals
    assert (result.totals["agreed"], result.totals["bracketed"]) == (1, 1)
    assert result.blockers[0].state == (7, "Mongolia")


def test_empty_text():
    analysis = analyse(parse(""))
    result = consensus(analysis)
    assert (result.rows, result.blockers) == ((), ())
    assert result.totals["paragraphs"] == 0
    assert analysis_to_json(analysis)["consensus"] == {"blockers": []}


def test_json_lists_every_blocker_in_order():
    blockers = analysis_to_json(analyse(parse(TIES)))["consensus"]["blockers"]
    assert blockers == [
        {"delegation": "AAA", "oppose": 2, "paragraphs": ["PP1", "PP2"]},
        {"delegation": "CCC", "oppose": 2, "paragraphs": ["PP3", "PP4"]},
        {"delegation": "BBB", "oppose": 2, "paragraphs": ["PP1"]},
        {"delegation": "DDD", "oppose": 1, "paragraphs": ["PP3"]},
    ]


# -- conditional paragraphs (issue 10, item 4) -------------------------------------------------

CONDITIONS = (
    "PP1. Recalling the Charter; (VIE: with PP3)\n"
    "\n"
    "PP2. Noting the workshop; (IND, TUR: depends on PP1 and PP3)\n"
    "\n"
    "PP3. Welcoming the list; (IND: keep original)\n"
    "\n"
    "PP4. Stressing replies; (THA: a comment on style)\n"
    "\n"
    "PP5. [Deciding] to meet; (RUS: subject to OP2)\n"
    "\n"
    "PP6. Agreed outright.\n"
)


def test_a_note_that_makes_a_paragraph_depend_on_others_leaves_it_conditional():
    analysis = analyse(parse(CONDITIONS))
    statuses = {p.key: p.status for p in analysis.paragraphs}
    assert statuses == {
        "PP1": "conditional",  # with another paragraph
        "PP2": "conditional",  # depends on others
        "PP3": "conditional",  # asks to keep the original text
        "PP4": "agreed",  # a note that sets no condition is a comment
        "PP5": "bracketed",  # brackets weigh more than a condition
        "PP6": "agreed",
    }
    totals = analysis.totals
    assert (totals["agreed"], totals["conditional"], totals["bracketed"]) == (2, 3, 1)
    assert totals["agreed"] + totals["conditional"] + totals["bracketed"] == totals["paragraphs"]
    assert totals["labelled_agreed"] == 2 and totals["agreed_percent"] == 33.3
    notes = analysis_to_json(analysis)["paragraphs"][3]["notes"]
    assert notes == [
        {"delegations": ["THA"], "text": "a comment on style", "conditional": False,
         "line": 7, "column": 25},
    ]  # fmt: skip
    assert summed_up(CONDITIONS).totals["conditional"] == 3


def test_the_corpus_pp5a_and_pp5c_are_conditional_not_agreed():
    from cbmhub.conftest import shared_path

    text = shared_path("corpus/004_b9720b24e8ee2ca3.txt").read_text(encoding="utf-8")
    analysis = analyse(parse(text))
    by_key = {p.key: p for p in analysis.paragraphs}
    # PP5a: "(VIE: with PP5c) (IND, TUR, BANGL, ISR, RUS: depends on PP5b and PP5c)";
    # PP5c: "(RUS: keep PP5b or delete both PP5b and PP5c)". Nothing in them is bracketed.
    assert by_key["PP5a"].status == "conditional" and by_key["PP5a"].brackets == 0
    assert by_key["PP5c"].status == "conditional"
    assert [n.conditional for n in by_key["PP5a"].notes] == [True, True]
    # Before: 182 agreed, 9 bracketed; now 180 agreed, 2 conditional, 9 bracketed.
    totals = analysis.totals
    assert (totals["agreed"], totals["conditional"], totals["bracketed"]) == (180, 2, 9)
    assert (totals["labelled_agreed"], totals["labelled"]) == (80, 91)
