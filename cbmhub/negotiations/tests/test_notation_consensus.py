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
