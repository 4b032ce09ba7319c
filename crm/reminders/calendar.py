"""iCalendar files of visits, for reminder attachments and `crm export ics`.

Pure: `now` (the DTSTAMP) is a parameter. Needs icalendar 6.1 or later for
`Calendar.add_missing_timezones`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event

from crm.reminders.model import VisitDetails

PRODID = "-//trade-mission-crm//EN"
UID_DOMAIN = "trade-mission-crm"

_DIRECTIONS = {
    "inbound": "Inbound delegation (we host)",
    "outbound": "Outbound trade mission",
}


def visits_calendar(visits: Sequence[VisitDetails], *, utc: bool = False, now: datetime) -> bytes:
    """Return a PUBLISH calendar with one event per visit.

    Timed visits carry a TZID in the visit's zone plus its VTIMEZONE; with `utc` they are
    given in UTC instead, for clients that mishandle embedded zones.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for visit in visits:
        calendar.add_component(visit_event(visit, utc=utc, now=now))
    if visits and not utc:
        # Whole years around the visits, so each VTIMEZONE holds both DST rules of those years.
        first = min(visit.starts_on for visit in visits)
        last = max(visit.ends_on for visit in visits)
        calendar.add_missing_timezones(
            first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
        )
    ical: bytes = calendar.to_ical()  # typed loosely in icalendar
    return ical


def visit_event(visit: VisitDetails, *, utc: bool, now: datetime) -> Event:
    """Return the VEVENT of one visit; its UID depends on the mission only, so updates replace."""
    event = Event()
    event.add("uid", f"{visit.mission_id}@{UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("summary", visit.name)
    start, end = _span(visit, utc=utc)
    event.add("dtstart", start)
    event.add("dtend", end)
    if visit.places:
        event.add("location", "; ".join(visit.places))
    event.add("description", _description(visit))
    return event


def _span(visit: VisitDetails, *, utc: bool) -> tuple[date, date] | tuple[datetime, datetime]:
    """All-day dates with an exclusive end, or aware start and end times.

    A visit with a start time but no end time runs to the end of its last day.
    """
    if visit.starts_at is None:
        return visit.starts_on, visit.ends_on + timedelta(days=1)
    zone = UTC if utc else _zone(visit)
    ends_at = visit.ends_at or datetime.combine(
        visit.ends_on + timedelta(days=1), time(0), tzinfo=_zone(visit)
    )
    return visit.starts_at.astimezone(zone), ends_at.astimezone(zone)


def _zone(visit: VisitDetails) -> ZoneInfo:
    try:
        return ZoneInfo(visit.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"visit {visit.mission_id} has an unknown time zone {visit.timezone!r}"
        ) from error


def _description(visit: VisitDetails) -> str:
    lines = [_DIRECTIONS.get(visit.direction, visit.direction.capitalize())]
    if visit.people:
        lines.append("People: " + ", ".join(visit.people))
    return "\n".join(lines)
