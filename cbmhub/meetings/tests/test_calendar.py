"""The .ics files parse with icalendar and with vobject, carry the right UTC instants for a
meeting in Astana seen from New York, and updates/cancellations are understood as such."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]  # no stubs; the independent reader

from cbmhub.meetings import services
from cbmhub.meetings.calendar import meeting_ics

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def events(data: bytes) -> list:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def test_parses_with_icalendar_with_vtimezone_and_utc_instants(meeting):
    data = meeting_ics(meeting)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
    assert zones == ["Asia/Almaty"]
    first = events(data)[0]
    start = first.decoded("DTSTART")
    # 10:00 in Astana on 28 September 2022 (UTC+6) is 04:00 UTC, midnight in New York (EDT).
    assert start.astimezone(UTC) == datetime(2022, 9, 28, 4, 0, tzinfo=UTC)
    assert start.astimezone(NEW_YORK) == datetime(2022, 9, 28, 0, 0, tzinfo=NEW_YORK)
    assert first["DTSTART"].params["TZID"] == "Asia/Almaty"
    assert [e.decoded("DTSTART").astimezone(UTC).hour for e in events(data)] == [4, 4, 4]
    online = events(data)[2]
    assert "meet.example.org" in str(online["LOCATION"])


def test_parses_with_vobject_too(meeting):
    parsed = vobject.readOne(meeting_ics(meeting).decode())
    starts = [e.dtstart.value for e in parsed.vevent_list]
    assert len(starts) == 3
    assert starts[0].astimezone(UTC) == datetime(2022, 9, 28, 4, 0, tzinfo=UTC)
    assert starts[0].astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M") == "2022-09-28 00:00"
    assert parsed.vevent_list[0].uid.value == f"meeting-{meeting.pk}-part-1@cbmhub"


def test_update_raises_sequence_and_cancel_is_method_cancel(meeting, sam):
    before = events(meeting_ics(meeting))[0]
    assert int(str(before["SEQUENCE"])) == 0
    meeting = services.meeting_update(actor=sam, meeting=meeting, title="SWG (moved)")
    after = events(meeting_ics(meeting))[0]
    assert int(str(after["SEQUENCE"])) == 1 and str(after["UID"]) == str(before["UID"])
    meeting = services.meeting_set_status(actor=sam, meeting=meeting, status="cancelled")
    data = meeting_ics(meeting)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "CANCEL"
    cancelled = events(data)[0]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(str(cancelled["SEQUENCE"])) == 2
    parsed = vobject.readOne(data.decode())
    assert parsed.method.value == "CANCEL"
    assert parsed.vevent_list[0].status.value == "CANCELLED"


def test_invitation_is_a_request(meeting):
    calendar = icalendar.Calendar.from_ical(meeting_ics(meeting, method="REQUEST"))
    assert str(calendar["METHOD"]) == "REQUEST"
