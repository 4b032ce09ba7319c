"""iCalendar files of visits (crm.reminders.calendar)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from crm.reminders.calendar import visits_calendar
from tests.crm.reminders.sample import KUNMING_VISIT, LONDON, NOW, london

ALL_DAY = replace(KUNMING_VISIT, starts_at=None, ends_at=None)
SHANGHAI_MISSION = replace(
    KUNMING_VISIT,
    mission_id="mission-7a21",
    name="Liverpool trade mission to Kunming",
    direction="outbound",
    starts_on=date(2016, 9, 12),
    ends_on=date(2016, 9, 16),
    timezone="Asia/Shanghai",
    places=("Kunming",),
    starts_at=datetime(2016, 9, 12, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
    ends_at=datetime(2016, 9, 16, 18, tzinfo=ZoneInfo("Asia/Shanghai")),
    people=(),
)


def parsed(raw: bytes) -> Calendar:
    return Calendar.from_ical(raw)


def only_event(calendar: Calendar) -> Event:
    (event,) = calendar.walk("VEVENT")
    assert isinstance(event, Event)
    return event


def test_the_calendar_is_a_publish_calendar_of_this_application() -> None:
    calendar = parsed(visits_calendar([KUNMING_VISIT], now=NOW))
    assert (str(calendar["PRODID"]), str(calendar["VERSION"])) == (
        "-//trade-mission-crm//EN",
        "2.0",
    )
    assert str(calendar["METHOD"]) == "PUBLISH"


def test_an_all_day_visit_has_dates_and_an_exclusive_end() -> None:
    event = only_event(parsed(visits_calendar([ALL_DAY], now=NOW)))
    assert event["DTSTART"].dt == date(2016, 6, 20)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert event["DTEND"].dt == date(2016, 6, 23)


def test_an_all_day_visit_needs_no_timezone() -> None:
    raw = visits_calendar([ALL_DAY], now=NOW)
    assert b"VTIMEZONE" not in raw


def test_a_timed_visit_carries_its_zone_and_the_zone_definition() -> None:
    calendar = parsed(visits_calendar([KUNMING_VISIT], now=NOW))
    event = only_event(calendar)
    assert event["DTSTART"].params["TZID"] == LONDON
    assert event["DTSTART"].dt == london(2016, 6, 20, 10)
    assert event["DTEND"].dt == london(2016, 6, 22, 16, 30)
    assert [zone.tz_name for zone in calendar.timezones] == [LONDON]


def test_the_zone_definition_holds_both_summer_and_winter_time() -> None:
    (zone,) = parsed(visits_calendar([KUNMING_VISIT], now=NOW)).timezones
    assert {sub.name for sub in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_each_zone_is_defined_once_for_visits_in_several_zones() -> None:
    second_london = replace(KUNMING_VISIT, mission_id="mission-other")
    calendar = parsed(visits_calendar([KUNMING_VISIT, SHANGHAI_MISSION, second_london], now=NOW))
    assert sorted(zone.tz_name for zone in calendar.timezones) == ["Asia/Shanghai", LONDON]


def test_a_start_given_in_another_zone_is_written_in_the_visits_zone() -> None:
    visit = replace(KUNMING_VISIT, starts_at=datetime(2016, 6, 20, 9, tzinfo=UTC))
    event = only_event(parsed(visits_calendar([visit], now=NOW)))
    assert event["DTSTART"].params["TZID"] == LONDON
    assert event["DTSTART"].dt.replace(tzinfo=None) == datetime(2016, 6, 20, 10)


def test_a_timed_visit_without_an_end_time_runs_to_the_end_of_its_last_day() -> None:
    event = only_event(parsed(visits_calendar([replace(KUNMING_VISIT, ends_at=None)], now=NOW)))
    assert event["DTEND"].dt == london(2016, 6, 23)


def test_utc_times_end_in_z_and_need_no_zone_definition() -> None:
    raw = visits_calendar([KUNMING_VISIT], utc=True, now=NOW)
    assert b"DTSTART:20160620T090000Z" in raw
    assert b"DTEND:20160622T153000Z" in raw
    assert b"VTIMEZONE" not in raw
    assert b"TZID" not in raw


def test_the_uid_is_the_mission_and_stays_the_same_across_exports() -> None:
    first = only_event(parsed(visits_calendar([KUNMING_VISIT], now=NOW)))
    later = only_event(parsed(visits_calendar([KUNMING_VISIT], utc=True, now=london(2016, 6, 19))))
    assert str(first["UID"]) == str(later["UID"]) == "mission-0f3c@trade-mission-crm"


def test_the_stamp_is_now_in_utc() -> None:
    raw = visits_calendar([KUNMING_VISIT], now=london(2016, 6, 6, 8))
    assert b"DTSTAMP:20160606T070000Z" in raw


def test_the_event_names_the_visit_its_places_and_people() -> None:
    event = only_event(parsed(visits_calendar([KUNMING_VISIT], now=NOW)))
    assert str(event["SUMMARY"]) == "Kunming delegation to Liverpool"
    assert str(event["LOCATION"]) == "Liverpool Town Hall; Sensor City, Liverpool"
    assert str(event["DESCRIPTION"]) == (
        "Inbound delegation (we host)\nPeople: Guan Qinghua, Zhao Xuenong"
    )


def test_a_visit_without_places_has_no_location() -> None:
    event = only_event(parsed(visits_calendar([replace(KUNMING_VISIT, places=())], now=NOW)))
    assert "LOCATION" not in event


def test_an_empty_list_gives_a_calendar_without_events() -> None:
    assert parsed(visits_calendar([], now=NOW)).walk("VEVENT") == []


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        visits_calendar([KUNMING_VISIT], now=datetime(2016, 6, 6, 7))


def test_an_unknown_zone_is_refused_with_the_mission() -> None:
    with pytest.raises(ValueError, match="mission-0f3c"):
        visits_calendar([replace(KUNMING_VISIT, timezone="Mars/Olympus")], now=NOW)
