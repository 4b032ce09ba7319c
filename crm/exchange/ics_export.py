"""Visits and follow-ups as one iCalendar file, to subscribe to in Outlook or Google."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from crm.reminders.calendar import visit_event
from crm.reminders.model import VisitDetails


def followup_event(
    followup_id: str,
    text: str,
    owner: str,
    due: datetime | date,
    zone: str,
    *,
    utc: bool,
    now: datetime,
) -> Event:
    """A follow-up as an event on its due day (or at its due time)."""
    from zoneinfo import ZoneInfo

    event = Event()
    event.add("uid", f"{followup_id}@trade-mission-crm")
    event.add("summary", f"Follow-up: {text}")
    event.add("description", f"Owner: {owner}")
    event.add("dtstamp", now)
    if isinstance(due, datetime):
        start = due.astimezone(ZoneInfo("UTC")) if utc else due.astimezone(ZoneInfo(zone))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=30))
    else:
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
    return event


def calendar_file(
    visits: list[VisitDetails],
    followups: list[tuple[str, str, str, datetime | date, str]],
    *,
    utc: bool,
    now: datetime,
) -> bytes:
    """One VCALENDAR with a VEVENT per visit and per follow-up, with VTIMEZONEs unless `utc`."""
    calendar = Calendar()
    calendar.add("prodid", "-//trade-mission-crm//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Trade missions and follow-ups")
    for visit in visits:
        calendar.add_component(visit_event(visit, utc=utc, now=now))
    for followup_id, text, owner, due, zone in followups:
        calendar.add_component(
            followup_event(followup_id, text, owner, due, zone, utc=utc, now=now)
        )
    if not utc:
        calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
