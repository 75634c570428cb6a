"""A submission's visibility against every kind of reader."""

from __future__ import annotations

import pytest

from cbmhub.measures import selectors, services

from .conftest import submit

READERS = ["alice", "anna", "bob", "carol", "sam", "sara", "olga", "root"]

# Who reads a submission of state A, by its visibility (named: state B is named).
EXPECTED = {
    "secretariat": {"alice", "anna", "sam", "root"},
    "members": {"alice", "anna", "bob", "carol", "sam", "root"},
    "named": {"alice", "anna", "bob", "sam", "root"},
    "public": set(READERS),
}


@pytest.mark.parametrize("visibility", list(EXPECTED))
def test_submission_visibility(request, visibility, alice, state_a, state_b, cycle, measure):
    readers = {name: request.getfixturevalue(name) for name in READERS}
    named = [state_b] if visibility == "named" else None
    submission = submit(alice, cycle, measure, state_a, visibility=visibility, named_states=named)
    seeing = {
        name
        for name, user in readers.items()
        if selectors.submission_list(user).filter(pk=submission.pk).exists()
    }
    assert seeing == EXPECTED[visibility]


def test_a_draft_is_seen_only_by_its_state_and_the_secretariat(
    request, anna, state_a, cycle, measure
):
    draft = services.submission_save(
        actor=anna,
        cycle=cycle,
        measure=measure,
        state=state_a,
        kind="briefing",
        text="x",
        visibility="public",
    )
    seeing = {
        name
        for name in READERS
        if selectors.submission_list(request.getfixturevalue(name)).filter(pk=draft.pk).exists()
    }
    assert seeing == {"alice", "anna", "sam", "root"}


def test_no_duplicate_rows_with_several_named_states(
    alice, state_a, state_b, state_c, cycle, measure, bob
):
    submit(alice, cycle, measure, state_a, visibility="named", named_states=[state_b, state_c])
    assert selectors.submission_list(bob).count() == 1


@pytest.mark.parametrize("visibility", list(EXPECTED))
def test_capability_visibility(request, visibility, alice, state_a, state_b, cica):
    readers = {name: request.getfixturevalue(name) for name in READERS}
    record = services.capability_save(
        actor=alice,
        state=state_a,
        organisation=cica,
        kind="Field hospital",
        quantity=1,
        readiness="ready",
        contact="MoD",
        visibility=visibility,
        named_states=[state_b] if visibility == "named" else None,
    )
    seeing = {
        name
        for name, user in readers.items()
        if selectors.capability_list(user).filter(pk=record.pk).exists()
    }
    assert seeing == EXPECTED[visibility]
