"""Reading the days, times and time zones officers type (crm.dates)."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from crm.dates import format_when, parse_day, parse_instant, parse_timezone, parse_when
from crm.errors import BadInputError
from events.schemas.values import When
from tests.conftest import T0

MONDAY = date(2026, 3, 2)
"""The day of T0."""

LONDON = "Europe/London"
SHANGHAI = "Asia/Shanghai"
ZONES = (LONDON, SHANGHAI, "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kathmandu")

days_in_range = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


def when(text: str, zone: str = LONDON) -> When:
    return parse_when(text, now=T0, zone=zone)


# parse_timezone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Asia/Shanghai", "Asia/Shanghai"),
        ("asia/shanghai", "Asia/Shanghai"),
        ("EUROPE/LONDON", "Europe/London"),
        ("  America/New_York ", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/GMT+8", "Etc/GMT+8"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
    ],
)
def test_a_zone_name_is_returned_in_its_canonical_case(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


def test_an_unknown_zone_is_refused_with_examples_of_real_ones() -> None:
    with pytest.raises(BadInputError) as caught:
        parse_timezone("Mars/Base")
    assert str(caught.value) == (
        "unknown time zone 'Mars/Base'; use an IANA name such as Europe/London or Asia/Shanghai"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "../etc/passwd",
        "/etc/localtime",
        "Europe/../Asia/Shanghai",
        "Europe",
        "localtime",
        "posixrules",
        "right/UTC",
        "Europe/London\x00",
        "Europe/London/",
        "Europe\\London",
    ],
)
def test_paths_and_files_that_are_not_places_are_refused_as_zones(text: str) -> None:
    with pytest.raises(BadInputError, match="unknown time zone"):
        parse_timezone(text)


# parse_day


def test_an_iso_date_names_that_day() -> None:
    assert parse_day("2016-02-25", today=MONDAY) == date(2016, 2, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", MONDAY),
        ("tomorrow", date(2026, 3, 3)),
        ("yesterday", date(2026, 3, 1)),
        ("+3d", date(2026, 3, 5)),
        ("-2d", date(2026, 2, 28)),
        ("+2w", date(2026, 3, 16)),
        ("-1w", date(2026, 2, 23)),
        ("+1m", date(2026, 4, 2)),
        ("-1m", date(2026, 2, 2)),
        ("+1y", date(2027, 3, 2)),
        ("+0d", MONDAY),
        ("in 3 days", date(2026, 3, 5)),
        ("in 1 day", date(2026, 3, 3)),
        ("in 2 weeks", date(2026, 3, 16)),
        ("in 1 month", date(2026, 4, 2)),
        ("in 2 years", date(2028, 3, 2)),
    ],
)
def test_relative_forms_count_from_today(text: str, expected: date) -> None:
    assert parse_day(text, today=MONDAY) == expected


@pytest.mark.parametrize(
    ("start", "text", "expected"),
    [
        (date(2026, 1, 31), "+1m", date(2026, 2, 28)),
        (date(2024, 1, 31), "+1m", date(2024, 2, 29)),
        (date(2026, 3, 31), "-1m", date(2026, 2, 28)),
        (date(2026, 5, 31), "+1m", date(2026, 6, 30)),
        (date(2024, 2, 29), "+1y", date(2025, 2, 28)),
        (date(2026, 12, 15), "+1m", date(2027, 1, 15)),
    ],
)
def test_months_and_years_clamp_to_the_last_day_of_a_shorter_month(
    start: date, text: str, expected: date
) -> None:
    assert parse_day(text, today=start) == expected


@pytest.mark.parametrize("text", ["TOMORROW", "  tomorrow  ", "In  1   Day", "+1D", "Tomorrow"])
def test_case_and_extra_spaces_are_ignored(text: str) -> None:
    assert parse_day(text, today=MONDAY) == date(2026, 3, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("monday", MONDAY),
        ("mon", MONDAY),
        ("tuesday", date(2026, 3, 3)),
        ("thu", date(2026, 3, 5)),
        ("Thursday", date(2026, 3, 5)),
        ("thurs", date(2026, 3, 5)),
        ("sun", date(2026, 3, 8)),
    ],
)
def test_a_bare_weekday_is_the_soonest_on_or_after_today(text: str, expected: date) -> None:
    assert parse_day(text, today=MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("next monday", date(2026, 3, 9)),
        ("next tuesday", date(2026, 3, 3)),
        ("next thursday", date(2026, 3, 5)),
        ("NEXT  thu", date(2026, 3, 5)),
        ("next sunday", date(2026, 3, 8)),
    ],
)
def test_next_weekday_is_the_soonest_strictly_after_today(text: str, expected: date) -> None:
    assert parse_day(text, today=MONDAY) == expected


@given(today=days_in_range, weekday=st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat"]))
def test_weekdays_land_on_that_weekday_within_a_week(today: date, weekday: str) -> None:
    assume(date(1900, 1, 1) <= today <= date(2200, 12, 24))
    bare = parse_day(weekday, today=today)
    following = parse_day(f"next {weekday}", today=today)

    assert bare.strftime("%a").lower() == weekday == following.strftime("%a").lower()
    assert 0 <= (bare - today).days <= 6
    assert 1 <= (following - today).days <= 7


def test_an_impossible_date_is_refused_with_the_reason() -> None:
    with pytest.raises(BadInputError) as caught:
        parse_day("2016-02-30", today=MONDAY)
    assert str(caught.value) == "'2016-02-30' is not a real date (day is out of range for month)"


@pytest.mark.parametrize("text", ["2016-13-01", "2016-00-10", "2015-02-29", "2016-04-31"])
def test_dates_that_do_not_exist_are_refused(text: str) -> None:
    with pytest.raises(BadInputError, match="is not a real date"):
        parse_day(text, today=MONDAY)


@pytest.mark.parametrize("text", ["1899-12-31", "2201-01-01", "0000-01-01", "9999-12-31"])
def test_years_outside_1900_to_2200_are_refused(text: str) -> None:
    with pytest.raises(BadInputError, match=r"1900\.\.2200|not a real date"):
        parse_day(text, today=MONDAY)


@pytest.mark.parametrize("text", ["+200y", "-200y", "+99999d", "+99999y", "in 99999 years"])
def test_offsets_that_leave_the_years_1900_to_2200_are_refused(text: str) -> None:
    with pytest.raises(BadInputError, match=r"1900\.\.2200"):
        parse_day(text, today=MONDAY)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "2016/02/25",
        "25-02-2016",
        "2016-2-5",
        "+3",
        "3d",
        "+3h",
        "next",
        "last thu",
        "next next thu",
        "in 3",
        "in three days",
        "+1234567d",
        "\uff12\uff10\uff11\uff16-02-25",
        "now",
    ],
)
def test_unreadable_days_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(BadInputError, match="use YYYY-MM-DD, today, tomorrow"):
        parse_day(text, today=MONDAY)


@given(day=days_in_range)
def test_every_iso_date_in_range_reads_back_as_itself(day: date) -> None:
    assert parse_day(day.isoformat(), today=MONDAY) == day


@given(text=st.text(max_size=40))
def test_any_text_is_a_day_or_a_bad_input_error(text: str) -> None:
    try:
        parsed: date | str = parse_day(text, today=MONDAY)
    except BadInputError as error:
        parsed = str(error)
    assert isinstance(parsed, date) or "\n" not in parsed


# parse_when


def test_a_day_alone_is_an_all_day_when_in_the_default_zone() -> None:
    assert when("tomorrow") == When(day=date(2026, 3, 3), local_time=None, timezone=LONDON)


def test_relative_days_count_from_now_as_seen_in_the_zone() -> None:
    late_evening_utc = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)

    assert parse_when("today", now=late_evening_utc, zone=SHANGHAI).day == date(2026, 3, 3)


@pytest.mark.parametrize(
    ("text", "day", "clock"),
    [
        ("2016-02-25 10:00", date(2016, 2, 25), time(10, 0)),
        ("2016-02-25T10:00", date(2016, 2, 25), time(10, 0)),
        ("2016-02-25T10:00:30", date(2016, 2, 25), time(10, 0, 30)),
        ("2016-02-25t10:00:30.25", date(2016, 2, 25), time(10, 0, 30, 250000)),
        ("tomorrow 14:30", date(2026, 3, 3), time(14, 30)),
        ("next thursday 9:30", date(2026, 3, 5), time(9, 30)),
        ("today 9am", MONDAY, time(9, 0)),
        ("today 2:30pm", MONDAY, time(14, 30)),
        ("today 2:30 PM", MONDAY, time(14, 30)),
        ("today 12am", MONDAY, time(0, 0)),
        ("today 12pm", MONDAY, time(12, 0)),
        ("+1w 0:00", date(2026, 3, 9), time(0, 0)),
        ("in 2 days 23:59:59", date(2026, 3, 4), time(23, 59, 59)),
    ],
)
def test_a_day_followed_by_a_time_is_a_timed_when(text: str, day: date, clock: time) -> None:
    assert when(text) == When(day=day, local_time=clock, timezone=LONDON)


def test_a_trailing_zone_name_overrides_the_default_zone() -> None:
    assert when("2016-02-25 10:00 Asia/Shanghai") == When(
        day=date(2016, 2, 25), local_time=time(10, 0), timezone=SHANGHAI
    )


def test_ten_in_the_morning_in_shanghai_starts_at_two_utc() -> None:
    start = when("2016-02-25 10:00 Asia/Shanghai").start()

    assert start == datetime(2016, 2, 25, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone"),
    [("tomorrow utc", "UTC"), ("thu asia/tokyo", "Asia/Tokyo"), ("today 9am UTC", "UTC")],
)
def test_a_trailing_zone_may_be_in_any_case(text: str, zone: str) -> None:
    assert when(text).timezone == zone


def test_a_misspelt_trailing_zone_is_reported_as_a_zone() -> None:
    with pytest.raises(BadInputError, match="unknown time zone 'Asia/Shangai'"):
        when("2016-02-25 10:00 Asia/Shangai")


@pytest.mark.parametrize(
    "text",
    ["2016-02-25T10:00+08:00", "2016-02-25T02:00Z", "2016-02-25T02:00z", "2016-02-25 04:00 +0200"],
)
def test_an_offset_stamp_becomes_the_same_instant_in_the_default_zone(text: str) -> None:
    moment = when(text, zone=SHANGHAI)

    assert moment == When(day=date(2016, 2, 25), local_time=time(10, 0), timezone=SHANGHAI)


def test_an_offset_stamp_followed_by_a_zone_is_shown_in_that_zone() -> None:
    moment = when("2016-02-25T02:00Z Asia/Shanghai")

    assert (moment.timezone, moment.local_time) == (SHANGHAI, time(10, 0))


def test_now_is_the_given_instant_in_the_zone() -> None:
    assert when("now", zone=SHANGHAI) == When(
        day=MONDAY, local_time=time(17, 30), timezone=SHANGHAI
    )


@pytest.mark.parametrize(
    "text",
    [
        "today 25:00",
        "today 24:00",
        "today 10:61",
        "today 10:00:60",
        "today 13pm",
        "today 0am",
        "2016-02-25T10:5",
        "2016-02-25 10",
        "2016-02-25T25:00+08:00",
    ],
)
def test_times_that_do_not_exist_on_a_clock_are_refused(text: str) -> None:
    with pytest.raises(BadInputError, match="time"):
        when(text)


@pytest.mark.parametrize("text", ["2016-02-25T10:00+24:00", "2016-02-25T10:00+05:60"])
def test_offsets_beyond_a_day_are_refused(text: str) -> None:
    with pytest.raises(BadInputError, match="no real UTC offset"):
        when(text)


def test_a_time_skipped_when_clocks_go_forward_is_refused() -> None:
    with pytest.raises(BadInputError) as caught:
        when("2026-03-29 01:30", zone=LONDON)
    assert "2026-03-29 01:30 does not exist in Europe/London" in str(caught.value)


def test_a_time_repeated_when_clocks_go_back_means_its_first_occurrence() -> None:
    repeated = when("2026-10-25 01:30", zone=LONDON)

    # Compared in UTC: Python never calls a time in a repeated hour equal across zones.
    assert repeated.start().astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["10:00", "9am", "9 am"])
def test_a_time_without_a_day_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(BadInputError, match="has no day; put one first, as in 'today "):
        when(text)


def test_a_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("today", now=datetime(2026, 3, 2, 9, 30), zone=LONDON)


def test_an_unknown_default_zone_is_refused() -> None:
    with pytest.raises(BadInputError, match="unknown time zone 'Nowhere/Else'"):
        parse_when("today", now=T0, zone="Nowhere/Else")


@given(text=st.text(max_size=40), zone=st.sampled_from(ZONES))
def test_any_text_is_a_when_or_a_bad_input_error(text: str, zone: str) -> None:
    try:
        parsed: When | str = parse_when(text, now=T0, zone=zone)
    except BadInputError as error:
        parsed = str(error)
    assert isinstance(parsed, When) or "\n" not in parsed


@given(
    text=st.lists(
        st.sampled_from(
            [
                "today",
                "next",
                "thu",
                "10:00",
                "9",
                "am",
                "+1m",
                "utc",
                "Asia/Tokyo",
                "2016-02-25",
                "T",
                "Z",
                "+08:00",
                "in",
                "3",
                "days",
                "now",
            ]
        ),
        max_size=5,
    ).map(" ".join)
)
def test_any_sequence_of_recognised_words_is_a_when_or_a_bad_input_error(text: str) -> None:
    with contextlib.suppress(BadInputError):
        assert isinstance(parse_when(text, now=T0, zone=LONDON), When)


# parse_instant


def test_an_all_day_instant_is_midnight_at_the_start_of_the_day_in_the_zone() -> None:
    instant = parse_instant("2016-02-25", now=T0, zone=SHANGHAI)

    assert instant == datetime(2016, 2, 24, 16, 0, tzinfo=UTC)
    assert instant.tzinfo == ZoneInfo(SHANGHAI)


def test_a_day_whose_midnight_is_skipped_starts_at_the_first_minute_it_has() -> None:
    instant = parse_instant("2024-09-08", now=T0, zone="America/Santiago")

    assert (instant.date(), instant.time()) == (date(2024, 9, 8), time(1, 0))


def test_a_timed_instant_is_that_wall_time_in_the_zone() -> None:
    instant = parse_instant("2016-02-25 10:00 Asia/Shanghai", now=T0, zone=LONDON)

    assert instant == datetime(2016, 2, 25, 2, 0, tzinfo=UTC)


def test_an_offset_instant_keeps_its_exact_moment_even_in_a_repeated_hour() -> None:
    second_half_thirty = parse_instant("2026-10-25T01:30Z", now=T0, zone=LONDON)

    assert second_half_thirty.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert second_half_thirty.fold == 1


def test_now_as_an_instant_is_exactly_now() -> None:
    assert parse_instant("now", now=T0, zone=SHANGHAI) == T0


def test_a_skipped_wall_time_is_refused_as_an_instant_too() -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        parse_instant("2026-03-29 01:30", now=T0, zone=LONDON)


# format_when


def test_an_all_day_when_shows_as_its_day() -> None:
    assert format_when(When(day=date(2016, 2, 25), timezone=SHANGHAI)) == "2016-02-25"


def test_a_timed_when_shows_its_day_time_and_zone() -> None:
    moment = When(day=date(2016, 2, 25), local_time=time(10, 0), timezone=SHANGHAI)

    assert format_when(moment) == "2016-02-25 10:00 Asia/Shanghai"


def test_seconds_are_shown_only_when_there_are_some() -> None:
    moment = When(day=date(2016, 2, 25), local_time=time(10, 0, 30), timezone="UTC")

    assert format_when(moment) == "2016-02-25 10:00:30 UTC"


@given(
    day=days_in_range,
    clock=st.none() | st.times(),
    zone=st.sampled_from(ZONES),
)
def test_every_when_reads_back_from_its_display(day: date, clock: time | None, zone: str) -> None:
    if clock is not None:
        local = datetime.combine(day, clock, ZoneInfo(zone))
        assume(local.astimezone(UTC).astimezone(ZoneInfo(zone)).time() == clock)
    moment = When(day=day, local_time=clock, timezone=zone)

    assert parse_when(format_when(moment), now=T0, zone=zone) == moment


@given(
    instant=st.datetimes(
        min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30), timezones=st.just(UTC)
    )
)
def test_every_offset_stamp_reads_back_as_the_same_instant(instant: datetime) -> None:
    shown = instant.astimezone(timezone(timedelta(hours=8))).isoformat()

    # In UTC: Python never calls an ambiguous local time (the hour repeated when clocks go
    # back) equal to a time in another zone, whichever instant it names (PEP 495).
    assert parse_instant(shown, now=T0, zone=LONDON).astimezone(UTC) == instant
