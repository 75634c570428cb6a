"""The meetings services: who may do what, and what each write does."""

from __future__ import annotations

from datetime import date

import pytest

from cbmhub.core.errors import Forbidden
from cbmhub.meetings import selectors, services
from cbmhub.meetings.services import MeetingsError, MemberInput
from cbmhub.negotiations.choices import RevisionKind

from .conftest import HEAD, PARTS, astana

pytestmark = pytest.mark.django_db


def test_none_is_no_actor(swg):
    with pytest.raises(Forbidden):
        services.meeting_create(actor=None, body=swg, title="x", kind="session", parts=PARTS)


def test_only_the_secretariat_convenes(swg, alice, sara, olga, sam):
    for user in (alice, sara, olga):
        with pytest.raises(Forbidden):
            services.meeting_create(actor=user, body=swg, title="x", kind="session", parts=PARTS)
    meeting = services.meeting_create(actor=sam, body=swg, title="x", kind="session", parts=PARTS)
    assert meeting.parts.count() == 3
    assert meeting.starts_at == PARTS[0].starts_at


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ([], "parts"),
        ([services.PartInput(astana(2, 10), astana(1, 10), venue="x")], "parts[0].ends_at"),
        ([services.PartInput(astana(1, 10), astana(1, 12))], "parts[0].venue"),
    ],
)
def test_bad_parts_are_named(swg, sam, parts, field):
    with pytest.raises(MeetingsError) as error:
        services.meeting_create(actor=sam, body=swg, title="x", kind="session", parts=parts)
    assert error.value.field == field


def test_unknown_time_zone(swg, sam):
    with pytest.raises(MeetingsError) as error:
        services.meeting_create(
            actor=sam, body=swg, title="x", kind="session", parts=PARTS, time_zone="Mars/Olympus"
        )
    assert error.value.field == "time_zone"


def test_update_and_cancel_raise_the_sequence(meeting, sam):
    meeting = services.meeting_update(actor=sam, meeting=meeting, title="SWG, renamed")
    assert meeting.sequence == 1
    meeting = services.meeting_set_status(actor=sam, meeting=meeting, status="cancelled")
    assert (meeting.status, meeting.sequence) == ("cancelled", 2)
    with pytest.raises(MeetingsError):
        services.meeting_set_status(actor=sam, meeting=meeting, status="convened")


def test_bilateral_meeting_needs_two_states_and_is_seen_by_them_only(
    bilateral, alice, bob, carol, sam, olga, root
):
    for user in (alice, bob, sam, root):
        assert selectors.meeting_list(user).filter(pk=bilateral.pk).exists()
    assert not selectors.meeting_list(carol).filter(pk=bilateral.pk).exists()
    with pytest.raises(Forbidden):
        selectors.meeting_list(olga)
    with pytest.raises(MeetingsError) as error:
        services.meeting_create(
            actor=sam,
            body=bilateral.body,
            title="x",
            kind="consultation",
            parts=PARTS,
            states=[alice.state],
        )
    assert error.value.field == "states"


def test_other_organisation_secretariat_sees_nothing(meeting, sara):
    assert not selectors.meeting_list(sara).exists()


def test_agenda_is_numbered_and_reorderable(meeting, sam, document, revision):
    first = services.agenda_item_add(actor=sam, meeting=meeting, title="Opening")
    second = services.agenda_item_add(
        actor=sam, meeting=meeting, title="Draft statement", revision=revision
    )
    third = services.agenda_item_add(actor=sam, meeting=meeting, title="Other matters")
    assert second.document == document
    assert [i.position for i in (first, second, third)] == [1, 2, 3]
    services.agenda_item_move(actor=sam, item=third, position=1)
    assert list(meeting.agenda.values_list("title", flat=True)) == [
        "Other matters",
        "Opening",
        "Draft statement",
    ]
    with pytest.raises(MeetingsError) as error:
        services.agenda_item_move(actor=sam, item=third, position=9)
    assert error.value.field == "position"


def test_focal_point_nominates_own_delegation_only(meeting, alice, anna, bob, sam):
    delegation = services.delegation_nominate(
        actor=alice, meeting=meeting, state=alice.state, members=HEAD
    )
    assert delegation.status == "nominated"
    for user in (bob, anna):  # another state's focal point; a point of contact of the state
        with pytest.raises(Forbidden):
            services.delegation_nominate(
                actor=user, meeting=meeting, state=alice.state, members=HEAD
            )
    with pytest.raises(Forbidden):
        services.delegation_accept(actor=alice, delegation=delegation)
    services.delegation_accept(actor=sam, delegation=delegation)
    delegation.refresh_from_db()
    assert delegation.status == "accepted"
    # A change after acceptance goes back to the secretariat.
    members = [*HEAD, MemberInput("Dana Sarsen", "Counsellor")]
    delegation = services.delegation_nominate(
        actor=alice, meeting=meeting, state=alice.state, members=members
    )
    assert delegation.status == "nominated" and delegation.members.count() == 2


def test_delegation_needs_one_head(meeting, alice):
    with pytest.raises(MeetingsError) as error:
        services.delegation_nominate(
            actor=alice, meeting=meeting, state=alice.state, members=[MemberInput("X")]
        )
    assert error.value.field == "members"


def test_focal_point_cannot_nominate_to_a_bilateral_meeting_of_others(bilateral, cica, sam):
    from cbmhub.conftest import make_user
    from cbmhub.directory.models import State

    thai = State.objects.get(iso3="THA")
    fp = make_user("tfp", role="focal_point", state=thai)
    with pytest.raises(MeetingsError):
        services.delegation_nominate(actor=fp, meeting=bilateral, state=thai, members=HEAD)


def test_observers_guests_and_attendance(meeting, sam, alice):
    guest = services.delegation_add_guest(
        actor=sam, meeting=meeting, kind="guest", name="UNODC", members=HEAD
    )
    participant = guest.members.get()
    parts = list(meeting.parts.all())
    services.attendance_record(actor=sam, participant=participant, parts=parts[:2])
    assert participant.attended.count() == 2
    with pytest.raises(Forbidden):
        services.attendance_record(actor=alice, participant=participant, parts=parts)


def test_stage_follows_the_recommendations_to_adoption(
    meeting, sam, swg, soc, summit, document, revision, alice
):
    item = services.agenda_item_add(
        actor=sam, meeting=meeting, title="Statement", revision=revision
    )
    services.outcome_record(
        actor=sam,
        agenda_item=item,
        kind="recommendation",
        wording="The SWG recommended its approval by the SOC.",
        effect="recommend_approval",
        target_body=soc,
    )
    stage = selectors.document_stage(selectors.document_path(alice, document))
    assert stage is not None and stage.label == "Recommended by SWG for approval by SOC"

    soc_meeting = services.meeting_create(
        actor=sam, body=soc, title="SOC meeting", kind="session", parts=PARTS[2:]
    )
    soc_item = services.agenda_item_add(
        actor=sam, meeting=soc_meeting, title="Statement", document=document
    )
    services.outcome_record(
        actor=sam,
        agenda_item=soc_item,
        kind="decision",
        wording="The SOC approved the statement for adoption by the Summit.",
        effect="recommend_adoption",
        target_body=summit,
    )
    summit_meeting = services.meeting_create(
        actor=sam,
        body=summit,
        title="Sixth CICA Summit",
        kind="summit",
        parts=[services.PartInput(astana(12, 10, 10), astana(13, 18, 10), venue="Astana")],
    )
    summit_item = services.agenda_item_add(
        actor=sam, meeting=summit_meeting, title="Statement", document=document
    )
    services.outcome_record(
        actor=sam, agenda_item=summit_item, kind="decision", wording="Adopted.", effect="adopt"
    )
    path = selectors.document_path(alice, document)
    assert [o.body.acronym for o in path] == ["SWG", "SOC", "Summit"]
    final = selectors.document_stage(path)
    assert final is not None and final.label == "Adopted by Summit"
    adopted = document.revisions.get(kind=RevisionKind.ADOPTED)
    assert adopted.source_text == revision.source_text


def test_outcome_refusals(meeting, sam, alice, swg, document):
    plain = services.agenda_item_add(actor=sam, meeting=meeting, title="Opening")
    with pytest.raises(MeetingsError) as error:
        services.outcome_record(
            actor=sam, agenda_item=plain, kind="decision", wording="x", effect="approve"
        )
    assert error.value.field == "effect"
    item = services.agenda_item_add(actor=sam, meeting=meeting, title="Doc", document=document)
    with pytest.raises(MeetingsError) as error:
        services.outcome_record(
            actor=sam,
            agenda_item=item,
            kind="recommendation",
            wording="x",
            effect="recommend_approval",
        )
    assert error.value.field == "target_body"
    with pytest.raises(MeetingsError):
        services.outcome_record(
            actor=sam,
            agenda_item=item,
            kind="recommendation",
            wording="x",
            effect="recommend_approval",
            target_body=swg,
        )
    with pytest.raises(Forbidden):
        services.outcome_record(actor=alice, agenda_item=item, kind="decision", wording="x")


def test_minutes_versions_and_approval(meeting, sam, alice):
    first = services.minutes_write(actor=sam, meeting=meeting, text="Draft record.")
    second = services.minutes_write(actor=sam, meeting=meeting, text="Record, corrected.")
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(MeetingsError):
        services.minutes_approve(actor=sam, minutes=first)
    with pytest.raises(Forbidden):
        services.minutes_approve(actor=alice, minutes=second)
    services.minutes_approve(actor=sam, minutes=second)
    with pytest.raises(MeetingsError):
        services.minutes_write(actor=sam, meeting=meeting, text="Too late.")


def test_action_points(meeting, sam):
    point = services.action_point_add(
        actor=sam, meeting=meeting, text="Circulate Rev.4", owner="Secretariat"
    )
    services.action_point_done(actor=sam, point=point)
    point.refresh_from_db()
    assert point.done


def test_only_the_secretariat_issues_notes(note, alice, sara, sam):
    for user in (alice, sara):
        with pytest.raises(Forbidden):
            services.note_issue(actor=user, note=note)
    issued = services.note_issue(actor=sam, note=note)
    assert (issued.number, issued.symbol) == (1262, "SWG/OI/1262")
    with pytest.raises(MeetingsError):
        services.note_issue(actor=sam, note=issued)


def test_note_visibility(note, sam, alice, carol, sara, series, state_a):
    assert not selectors.note_list(alice).exists()  # a draft is the secretariat's
    services.note_issue(actor=sam, note=note)
    assert selectors.note_list(alice).filter(pk=note.pk).exists()
    named = services.note_create(
        actor=sam,
        series=series,
        subject="To Kazakhstan",
        place="Astana",
        date=note.date,
        addressees="named",
        states=[state_a],
        versions=[services.VersionInput("en", "Text.", "original")],
    )
    services.note_issue(actor=sam, note=named)
    assert selectors.note_list(alice).filter(pk=named.pk).exists()
    assert not selectors.note_list(carol).filter(pk=named.pk).exists()
    assert not selectors.note_list(sara).exists()


def test_note_versions_checked(series, sam):
    with pytest.raises(MeetingsError) as error:
        services.note_create(
            actor=sam,
            series=series,
            subject="x",
            place="Astana",
            date=date(2022, 1, 1),
            versions=[
                services.VersionInput("en", "A", "original"),
                services.VersionInput("ru", "Б", "original"),
            ],
        )
    assert error.value.field == "versions"


def test_series_pattern_checked(cica, sam):
    with pytest.raises(MeetingsError) as error:
        services.series_create(actor=sam, organisation=cica, name="Bad", pattern="SWG/OI/")
    assert error.value.field == "pattern"


def test_formula_placeholders_checked(cica, sam):
    with pytest.raises(MeetingsError) as error:
        services.formula_set(
            actor=sam,
            organisation=cica,
            language="en",
            sender="S",
            opening="{who}",
            closing="c",
            addressees_members="m",
        )
    assert error.value.field == "opening"


def test_calendar_token_issue_and_revoke(alice):
    token = services.calendar_token_issue(actor=alice)
    assert selectors.user_for_token(token.token) == alice
    services.calendar_token_revoke(actor=alice)
    assert selectors.user_for_token(token.token) is None
