"""Services: who may write what, versions, nil returns, new cycle from last year's."""

from __future__ import annotations

import datetime

import pytest

from cbmhub.core.errors import Forbidden
from cbmhub.core.roles import SYSTEM
from cbmhub.measures import services
from cbmhub.measures.models import Measure, Submission

from .conftest import submit


def test_the_tree_has_stable_codes_and_parents(catalogue):
    codes = list(catalogue.measures.values_list("code", "parent__code", "depth"))
    assert codes == [
        ("1", None, 1),
        ("1.1", "1", 2),
        ("1.2", "1", 2),
        ("2", None, 1),
        ("2.1", "2", 2),
    ]


def test_codes_sort_numerically(catalogue):
    services.measure_create(actor=SYSTEM, catalogue=catalogue, code="1.10", text="Tenth")
    services.measure_create(actor=SYSTEM, catalogue=catalogue, code="1.1.1", text="Deep")
    assert list(catalogue.measures.values_list("code", flat=True)) == [
        "1",
        "1.1",
        "1.1.1",
        "1.2",
        "1.10",
        "2",
        "2.1",
    ]


def test_a_measure_needs_its_parent(catalogue):
    with pytest.raises(services.MeasuresError) as error:
        services.measure_create(actor=SYSTEM, catalogue=catalogue, code="7.1", text="x")
    assert error.value.field == "code"


def test_import_is_all_or_nothing_with_row_errors(catalogue):
    items = [
        services.ItemSpec(code="3", text="Third", place="1"),
        services.ItemSpec(code="3.1", parent="3", text="", place="2"),
        services.ItemSpec(code="x", text="Bad", place="3"),
    ]
    with pytest.raises(services.MeasuresError) as error:
        services.catalogue_import_items(actor=SYSTEM, catalogue=catalogue, items=items)
    assert [(d["row"], d["field"]) for d in error.value.details] == [("2", "text"), ("3", "code")]
    assert not Measure.objects.filter(catalogue=catalogue, code="3").exists()


@pytest.mark.parametrize("who", ["alice", "bob", "olga", "sara"])
def test_only_the_secretariat_writes_the_catalogue(request, who, catalogue):
    with pytest.raises(Forbidden):
        services.measure_create(
            actor=request.getfixturevalue(who), catalogue=catalogue, code="9", text="x"
        )


def test_none_is_no_actor(catalogue, cica):
    with pytest.raises(Forbidden):
        services.catalogue_create(actor=None, organisation=cica, code="x", title="x")
    with pytest.raises(Forbidden):
        services.measure_create(actor=None, catalogue=catalogue, code="9", text="x")


def test_the_secretariat_writes(sam, catalogue):
    measure = services.measure_create(actor=sam, catalogue=catalogue, code="3", text="Third")
    assert measure.depth == 1


def test_a_focal_point_submits_for_its_own_state(alice, state_a, cycle, measure):
    submission = submit(alice, cycle, measure, state_a)
    assert submission.status == "submitted" and submission.submitted_by == alice


def test_a_focal_point_may_not_submit_for_another_state(alice, state_b, bob, cycle, measure):
    with pytest.raises(Forbidden):
        submit(alice, cycle, measure, state_b)
    assert not Submission.objects.exists()


def test_a_point_of_contact_drafts_but_may_not_submit(anna, state_a, cycle, measure):
    draft = services.submission_save(
        actor=anna, cycle=cycle, measure=measure, state=state_a, kind="briefing", text="Draft"
    )
    assert draft.status == "draft"
    with pytest.raises(Forbidden):
        submit(anna, cycle, measure, state_a)


@pytest.mark.parametrize("who", ["sam", "olga", "root"])
def test_others_may_not_submit_for_a_state(request, who, state_a, cycle, measure):
    with pytest.raises(Forbidden):
        submit(request.getfixturevalue(who), cycle, measure, state_a)


def test_a_nil_return_needs_its_year(alice, state_a, cycle, measure):
    with pytest.raises(services.MeasuresError) as error:
        submit(alice, cycle, measure, state_a, kind="nil_return", text="")
    assert error.value.field == "nil_since_year"
    nil = submit(alice, cycle, measure, state_a, kind="nil_return", text="", nil_since_year=2024)
    assert nil.nil_since_year == 2024


def test_a_change_after_submission_keeps_a_version(alice, sam, state_a, cycle, measure):
    first = submit(alice, cycle, measure, state_a, text="First text")
    services.submission_acknowledge(actor=sam, submission=first)
    second = submit(alice, cycle, measure, state_a, text="Second text")
    assert second.pk == first.pk and second.version == 2
    assert second.status == "submitted" and second.acknowledged_at is None
    assert list(second.versions.values_list("number", "text")) == [(1, "First text")]


def test_only_the_secretariat_acknowledges(alice, bob, sam, sara, state_a, cycle, measure):
    submission = submit(alice, cycle, measure, state_a)
    for actor in (alice, bob, sara):
        with pytest.raises(Forbidden):
            services.submission_acknowledge(actor=actor, submission=submission)
    done = services.submission_acknowledge(actor=sam, submission=submission)
    assert done.status == "acknowledged" and done.acknowledged_by == sam


def test_named_visibility_needs_a_state(alice, state_a, cycle, measure):
    with pytest.raises(services.MeasuresError) as error:
        submit(alice, cycle, measure, state_a, visibility="named")
    assert error.value.field == "named_states"


def test_a_state_outside_the_organisation_is_refused(cycle, measure, asean):
    from cbmhub.conftest import make_user
    from cbmhub.directory.models import Membership, State

    outsider = State.objects.create(name="Laos", iso2="LA", iso3="LAO")
    Membership.objects.create(state=outsider, organisation=asean, status="member")
    focal = make_user("lao", role="focal_point", state=outsider)
    with pytest.raises(services.MeasuresError) as error:
        submit(focal, cycle, measure, outsider)
    assert error.value.field == "state"


def test_a_new_cycle_starts_from_last_years_submission(alice, state_a, catalogue, cycle, measure):
    submit(alice, cycle, measure, state_a, text="Last year's briefing")
    later = services.cycle_create(
        actor=SYSTEM,
        catalogue=catalogue,
        instrument=cycle.instrument,
        year=2027,
        deadline=datetime.date(2027, 4, 15),
    )
    assert services.cycle_start_from_previous(actor=alice, cycle=later, state=state_a) == 1
    copy = Submission.objects.get(cycle=later)
    assert (copy.text, copy.status, copy.version) == ("Last year's briefing", "draft", 1)
    # Again: nothing more (the cell is started).
    assert services.cycle_start_from_previous(actor=alice, cycle=later, state=state_a) == 0


def test_attachments(alice, bob, state_a, cycle, measure, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    submission = submit(alice, cycle, measure, state_a)
    attachment = services.submission_attach(
        actor=alice, submission=submission, name="paper.pdf", content=b"%PDF-1.4"
    )
    assert attachment.size == 8 and attachment.file.read() == b"%PDF-1.4"
    with pytest.raises(Forbidden):
        services.submission_attach(actor=bob, submission=submission, name="x", content=b"x")


def test_initiatives_stay_in_their_plans_period(sam, plan, state_a):
    initiative = services.initiative_save(
        actor=sam,
        plan=plan,
        kind="workshop",
        title="Online workshop",
        year=2022,
        lead_state=state_a,
        participants=[state_a],
    )
    assert initiative.status == "planned"
    with pytest.raises(services.MeasuresError) as error:
        services.initiative_save(actor=sam, plan=plan, kind="workshop", title="Late", year=2030)
    assert error.value.field == "year"


def test_capabilities_are_kept_by_their_state(alice, bob, state_a, cica):
    record = services.capability_save(
        actor=alice,
        state=state_a,
        organisation=cica,
        kind="C-130 transport aircraft",
        quantity=2,
        readiness="ready",
        contact="Air Force HQ",
    )
    with pytest.raises(Forbidden):
        services.capability_save(
            actor=bob, state=state_a, organisation=cica, capability=record, quantity=5
        )


def test_thresholds_and_alerts_are_the_secretariats(sam, alice, cica):
    with pytest.raises(Forbidden):
        services.threshold_set(actor=alice, organisation=cica, signal="escalations", value=1)
    services.threshold_set(actor=sam, organisation=cica, signal="check_response", value=80)
    with pytest.raises(services.MeasuresError):
        services.threshold_set(actor=sam, organisation=cica, signal="check_response", value=180)
    alert, created = services.alert_raise(
        actor=SYSTEM, organisation=cica, signal="escalations", figure=3
    )
    again, created_again = services.alert_raise(
        actor=SYSTEM, organisation=cica, signal="escalations", figure=4
    )
    assert created and not created_again and again.pk == alert.pk and again.figure == 4
    with pytest.raises(services.MeasuresError):
        services.alert_update(actor=sam, alert=alert, owner=alice)
    services.alert_update(actor=sam, alert=alert, owner=sam, status="in_progress", next_step="Call")


def test_the_tallies_follow_every_change(alice, sam, state_a, cycle, measure, catalogue):
    from cbmhub.measures.models import CycleTally

    def tally():
        row = CycleTally.objects.filter(cycle=cycle, state=state_a).first()
        return (row.filed, row.nil) if row else (0, 0)

    submit(alice, cycle, measure, state_a)
    assert tally() == (1, 0)
    submit(
        alice,
        cycle,
        catalogue.measures.get(code="1.2"),
        state_a,
        kind="nil_return",
        text="",
        nil_since_year=2025,
    )
    assert tally() == (2, 1)
    services.submission_save(actor=alice, cycle=cycle, measure=measure, state=state_a, text="Redo")
    assert tally() == (1, 1)  # back to a draft until submitted again
    services.cycle_tallies_rebuild(actor=SYSTEM, cycle=cycle)
    assert tally() == (1, 1)


def test_a_measure_the_cycle_does_not_ask_about_is_refused(alice, state_a, cycle, catalogue):
    parent = catalogue.measures.get(code="1")  # not a leaf: the cycle asks about leaves
    with pytest.raises(services.MeasuresError) as error:
        submit(alice, cycle, parent, state_a)
    assert error.value.field == "measure"
