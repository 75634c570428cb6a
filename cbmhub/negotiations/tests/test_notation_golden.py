"""The CICA package (corpus 004) as a golden test of the notation engine.

The expected numbers below were counted by hand (grep over the file), not produced by the parser.
"""

from __future__ import annotations

import pytest

from cbmhub.conftest import SHARED_DIR, shared_path
from cbmhub.negotiations.notation import analyse, analysis_to_json, clean_text, parse, render

CORPUS = SHARED_DIR / "corpus/004_b9720b24e8ee2ca3.txt"

# (+X) / (-X) tags per delegation in the file: `grep -o '([+-][^)]*)' | sort | uniq -c`,
# with "(+IRAN with reservation)" counted as IRAN support.
HAND_COUNTED = {
    "BANGL": (1, 1),
    "CHAIR": (2, 3),
    "CHN": (3, 0),
    "EGY": (1, 1),
    "IND": (2, 2),
    "IRAN": (4, 3),
    "IRAQ": (1, 1),
    "ISR": (4, 6),
    "JORDAN": (2, 1),
    "PAK": (1, 1),
    "PAL": (2, 2),
    "QATAR": (1, 1),
    "RUS": (3, 1),
    "TUR": (1, 0),
}

# Lines holding each (-X) tag: `grep -n -o '(-[A-Z][^)]*)'`; every one of them is the first
# line of its paragraph, and line 371 holds two (-ISR).
HAND_OPPOSED_LINES = {
    "BANGL": [216],
    "CHAIR": [206, 326],
    "EGY": [216],
    "IND": [202, 206],
    "IRAN": [216, 305, 326],
    "IRAQ": [216],
    "ISR": [202, 206, 214, 297, 371],
    "JORDAN": [216],
    "PAK": [326],
    "PAL": [216, 305],
    "QATAR": [216],
    "RUS": [244],
}


@pytest.fixture(scope="module")
def raw() -> bytes:
    return shared_path("corpus/004_b9720b24e8ee2ca3.txt").read_bytes()


@pytest.fixture(scope="module")
def result(raw):
    doc = parse(raw.decode("utf-8"))
    return doc, analysis_to_json(analyse(doc))


def test_round_trip_is_byte_identical(raw, result):
    doc, _ = result
    assert render(doc).encode("utf-8") == raw


def test_the_unmatched_bracket_is_reported_with_its_line_and_column(raw, result):
    _, data = result
    line_371 = raw.decode("utf-8").splitlines()[370]
    column = line_371.index("] (+CHAIR)") + 1
    assert [(d["line"], d["column"], d["severity"]) for d in data["diagnostics"]] == [
        (371, column, "error")
    ]
    assert "unmatched ']'" in data["diagnostics"][0]["message"]


def test_position_counts_per_delegation_match_the_text(result):
    _, data = result
    counted = {code: (d["support"], d["oppose"]) for code, d in data["delegations"].items()}
    with_positions = {code: pair for code, pair in counted.items() if pair != (0, 0)}
    assert with_positions == HAND_COUNTED
    assert data["totals"]["positions"] == sum(s + o for s, o in HAND_COUNTED.values()) == 51


def test_blockers_are_the_states_with_hand_counted_objections(result):
    _, data = result
    blockers = data["consensus"]["blockers"]
    states = {code: pair for code, pair in HAND_COUNTED.items() if pair[1] and code != "CHAIR"}
    assert {b["delegation"]: b["oppose"] for b in blockers} == {
        code: oppose for code, (_, oppose) in states.items()
    }
    # Most objections first, then most paragraphs, then code.
    assert [b["delegation"] for b in blockers] == sorted(
        states, key=lambda code: (-states[code][1], -len(HAND_OPPOSED_LINES[code]), code)
    )
    first_line = {p["key"]: p["line"] for p in data["paragraphs"]}
    for blocker in blockers:
        lines = [first_line[key] for key in blocker["paragraphs"]]
        assert lines == HAND_OPPOSED_LINES[blocker["delegation"]], blocker
    assert blockers[0] == {
        "delegation": "ISR", "oppose": 6, "paragraphs": ["PP4", "PP5b", "PP5e", "1#4", "2(e)"],
    }  # fmt: skip


def test_chair_is_an_actor_and_notes_name_delegations(result):
    _, data = result
    assert data["actors"] == ["CHAIR"]
    assert data["delegations"]["CHAIR"]["actor"] is True
    # VIE and THA appear only in notes.
    assert data["delegations"]["VIE"] == {
        "support": 0, "oppose": 0, "notes": 1, "paragraphs": ["PP5a"], "actor": False,
        "state": None,
    }  # fmt: skip
    pp5a = next(p for p in data["paragraphs"] if p["key"] == "PP5a")
    assert [n["delegations"] for n in pp5a["notes"]] == [
        ["VIE"],
        ["IND", "TUR", "BANGL", "ISR", "RUS"],
    ]
    assert pp5a["notes"][1]["text"] == "depends on PP5b and PP5c"


def test_paragraphs_of_the_astana_statement(result):
    _, data = result
    by_key = {p["key"]: p for p in data["paragraphs"]}
    pp4 = by_key["PP4"]
    assert (pp4["status"], pp4["brackets"], pp4["max_depth"]) == ("bracketed", 2, 2)
    # (-ISR) follows the inner bracket; (-IND) (+CHN) the outer one.
    attached = [(p["delegation"], p["attaches_to"]["bracket"]) for p in pp4["positions"]]
    assert attached[-3:] == [("ISR", 2), ("IND", 1), ("CHN", 1)]
    assert by_key["PP5b"]["brackets"] == 4
    assert by_key["PP5e"]["status"] == "bracketed"
    assert by_key["PP5e-alt"]["label"] == "PP5e altern."
    iran = [p for p in by_key["PP5e"]["positions"] if p["delegation"] == "IRAN"]
    assert iran[0]["qualifier"] == "with reservation"
    assert by_key["OP5(1)"]["kind"] == "sub-item"
    assert by_key["OP5(1)"]["status"] == "bracketed"
    assert by_key["PP6"]["status"] == "agreed"
    # Page-break splits are joined back into their paragraph.
    assert (by_key["PP3"]["line"], by_key["PP3"]["end_line"]) == (198, 200)
    assert (by_key["OP5(3)"]["line"], by_key["OP5(3)"]["end_line"]) == (248, 250)


def test_clean_text_keeps_only_agreed_text(result):
    doc, _ = result
    clean = clean_text(doc)
    assert "[" not in clean and "(+" not in clean and "(-" not in clean
    assert "Middle East" not in clean  # PP5e and its alternative are wholly bracketed
    assert "PP5b. Guided by the understanding among CICA Member States that the challenges" in clean
    assert "PP6. Remaining committed" in clean
