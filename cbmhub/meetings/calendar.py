"""Meetings as iCalendar (RFC 5545): one VEVENT per part of a meeting, times in the meeting's
own time zone with its VTIMEZONE, SEQUENCE from the meeting (raised on every change), STATUS
and METHOD:CANCEL for a cancelled meeting, METHOD:REQUEST for invitations."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import icalendar

from .choices import MeetingStatus
from .models import Meeting, MeetingPart

PRODID = "-//CBM Hub//Meetings//EN"


def uid_of(meeting: Meeting, index: int) -> str:
    return f"meeting-{meeting.pk}-part-{index}@cbmhub"


def _event(
    meeting: Meeting, index: int, part: MeetingPart, zone: zoneinfo.ZoneInfo, url: str
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid_of(meeting, index))
    event.add("dtstamp", datetime.now(UTC))
    event.add("sequence", meeting.sequence)
    event.add("summary", meeting.title)
    event.add("dtstart", part.starts_at.astimezone(zone))
    event.add("dtend", part.ends_at.astimezone(zone))
    if part.venue:
        event.add("location", part.venue)
    elif part.online_url:
        event.add("location", part.online_url)
    description = meeting.body.name
    if part.online_url:
        description += f"\n{part.online_url}"
    event.add("description", description)
    if url:
        event.add("url", url)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def meetings_calendar(
    meetings: Iterable[Meeting],
    *,
    method: str = "PUBLISH",
    url_for: Callable[[Meeting], str] | None = None,
    name: str = "",
) -> bytes:
    """The meetings (their parts prefetched) as one calendar."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for meeting in meetings:
        zone = zoneinfo.ZoneInfo(meeting.time_zone)
        url = url_for(meeting) if url_for else ""
        for index, part in enumerate(meeting.parts.all(), start=1):
            calendar.add_component(_event(meeting, index, part, zone, url))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def meeting_ics(meeting: Meeting, *, url: str = "", method: str | None = None) -> bytes:
    """One meeting's file: METHOD:CANCEL once cancelled, else the ``method`` asked
    (PUBLISH for a download, REQUEST for an invitation)."""
    if meeting.status == MeetingStatus.CANCELLED:
        method = "CANCEL"
    return meetings_calendar(
        [meeting], method=method or "PUBLISH", url_for=(lambda _m: url) if url else None
    )
