"""Reading the days, times and time zones officers type on the command line.

Pure: the clock is always a parameter (`today`, `now`), never read here.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from crm.errors import BadInputError

if TYPE_CHECKING:  # the event models load only when a day is parsed: reads format, not parse
    from events.schemas.values import When

YEARS = range(1900, 2201)
"""Days outside these years are typing mistakes, not plans."""

DAY_FORMS = (
    "YYYY-MM-DD, today, tomorrow, yesterday, +3d, -2w, +1m, +1y, in 3 days, "
    "or a weekday such as thu or next thursday"
)

_ZONE_NAME = re.compile(r"[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*")
# Files in the zone directory that are not places: the machine's own zone and leap-second copies.
_NOT_PLACES = frozenset({"localtime", "posixrules", "right", "posix"})
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_OFFSET = re.compile(r"([+-])(\d{1,5})([dwmy])", re.ASCII)
_IN_UNITS = re.compile(r"in (\d{1,5}) (day|week|month|year)s?", re.ASCII)
_CLOCK = re.compile(
    r"(?P<h>\d{1,2})(?::(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?(?P<ampm>am|pm)?",
    re.ASCII,
)
_ISO_STAMP = re.compile(
    r"(?P<day>\d{4}-\d{2}-\d{2})[t ](?P<clock>[\d:.]+)\s*(?P<off>z|[+-]\d{2}:?\d{2})?", re.ASCII
)
_WEEKDAY_NAMES = (
    "mon monday|tue tues tuesday|wed wednesday|thu thur thurs thursday|fri friday|sat saturday|"
    "sun sunday"
)
_WEEKDAYS = {name: n for n, names in enumerate(_WEEKDAY_NAMES.split("|")) for name in names.split()}
_NAMED_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}


def _quoted(text: str) -> str:
    """Show user input in a message on one line, cut short if long."""
    return repr(text if len(text) <= 60 else text[:60] + "…")


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def _loads(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def parse_timezone(text: str) -> str:
    """Return the IANA zone name `text` means, in its canonical letter case."""
    name = text.strip()
    unknown = BadInputError(
        f"unknown time zone {_quoted(name)}; "
        "use an IANA name such as Europe/London or Asia/Shanghai"
    )
    if not _ZONE_NAME.fullmatch(name) or name.split("/")[0].casefold() in _NOT_PLACES:
        raise unknown
    if _loads(name):
        return name
    canonical = _zones_by_folded_name().get(name.casefold())
    if canonical is None or not _loads(canonical):
        raise unknown
    return canonical


def _checked_year(day: date, text: str) -> date:
    if day.year not in YEARS:
        raise BadInputError(f"{_quoted(text)} falls in {day.year}; give a day in 1900..2200")
    return day


def _iso_day(text: str, groups: tuple[str, ...]) -> date:
    try:
        return _checked_year(date(*(int(part) for part in groups)), text)
    except ValueError as error:
        raise BadInputError(f"{_quoted(text)} is not a real date ({error})") from None


def _add_months(day: date, months: int) -> date:
    """Move by calendar months, keeping the day of month or clamping it to the month's end."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise OverflowError(year)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _shift(today: date, amount: int, unit: str) -> date:
    if unit in "dw":
        return today + timedelta(days=amount * (7 if unit == "w" else 1))
    return _add_months(today, amount * (12 if unit == "y" else 1))


def _relative_day(words: str, today: date) -> date | None:
    """The day a relative form names, or None when `words` is no relative form."""
    if words in _NAMED_DAYS:
        return today + timedelta(days=_NAMED_DAYS[words])
    if offset := _OFFSET.fullmatch(words):
        sign, amount, unit = offset.groups()
        return _shift(today, int(amount) * (-1 if sign == "-" else 1), unit)
    if spoken := _IN_UNITS.fullmatch(words):
        return _shift(today, int(spoken[1]), spoken[2][0])
    prefix, _, weekday = words.rpartition(" ")
    if weekday in _WEEKDAYS and prefix in ("", "next"):
        ahead = (_WEEKDAYS[weekday] - today.weekday()) % 7
        return today + timedelta(days=ahead or (7 if prefix == "next" else 0))
    return None


def parse_day(text: str, *, today: date) -> date:
    """Return the day `text` names, counting relative forms from `today`.

    A bare weekday (`thu`, `thursday`) is the soonest such day on or after today, so
    today counts; `next thursday` is the soonest one strictly after today (1-7 days on).
    `+1m`/`+1y` move by calendar months, clamping to the month's last day (Jan 31 + 1m
    is Feb 28 or 29). Case and extra spaces are ignored.
    """
    words = " ".join(text.split()).lower()
    if iso := _ISO_DAY.fullmatch(words):
        return _iso_day(text.strip(), iso.groups())
    try:
        day = _relative_day(words, today)
    except (OverflowError, ValueError):
        raise BadInputError(f"{_quoted(text)} is too far away; give a day in 1900..2200") from None
    if day is None:
        raise BadInputError(f"cannot read {_quoted(text)} as a day; use {DAY_FORMS}")
    return _checked_year(day, text)


def _clock(text: str) -> time:
    """Read `10:00`, `10:00:30.5`, `9am` or `2:30pm` as a time of day."""
    found = _CLOCK.fullmatch(text)
    if found is None or (found["m"] is None and found["ampm"] is None):
        raise BadInputError(f"cannot read {_quoted(text)} as a time; use HH:MM, 9am or 2:30pm")
    hour, minute, second = (int(found[key] or 0) for key in ("h", "m", "s"))
    if found["ampm"]:
        if not 1 <= hour <= 12:
            raise BadInputError(f"{_quoted(text)} is not a real time (hour must be 1..12)")
        hour = hour % 12 + (12 if found["ampm"] == "pm" else 0)
    try:
        return time(hour, minute, second, int((found["f"] or "0").ljust(6, "0")))
    except ValueError as error:
        raise BadInputError(f"{_quoted(text)} is not a real time ({error})") from None


def _offset_instant(stamp: re.Match[str], text: str) -> datetime:
    """The instant an ISO stamp with an offset (`+08:00`, `-0500`, `Z`) names."""
    day, clock = _iso_day(text, tuple(stamp["day"].split("-"))), _clock(stamp["clock"])
    offset = stamp["off"]  # z, or a sign, two digits for hours, an optional colon, two for minutes
    hours, minutes = (0, 0) if offset == "z" else (int(offset[1:3]), int(offset[-2:]))
    if hours > 23 or minutes > 59:
        raise BadInputError(f"{_quoted(text)} has no real UTC offset ({offset})")
    shift = timedelta(hours=hours, minutes=minutes) * (-1 if offset[0] == "-" else 1)
    return datetime.combine(day, clock, timezone(shift))


def _wall_time(day: date, clock: time, zone: str) -> datetime:
    """The moment a wall clock shows; a time skipped by a DST change is refused.

    A time that occurs twice (clocks going back) means its first occurrence (fold=0),
    which is also what `When.start()` gives.
    """
    local = datetime.combine(day, clock, ZoneInfo(zone))
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise BadInputError(
            f"{day} {clock.isoformat(timespec='minutes')} does not exist in {zone}: "
            "the clocks skip that time; give a time before or after the change"
        )
    return local


def _split_zone(words: list[str], zone: str) -> tuple[list[str], str]:
    """Take a trailing zone name off the words, if there is one."""
    if len(words) < 2 or _CLOCK.fullmatch(words[-1].lower()):
        return words, zone
    try:
        return words[:-1], parse_timezone(words[-1])
    except BadInputError:
        if "/" in words[-1]:  # plainly meant as a zone: a misspelling should say so
            raise
        return words, zone


def _split_clock(phrase: str) -> tuple[str, str]:
    """Split `tomorrow 2:30 pm` into its day words and its time ('' when it gives none)."""
    words = phrase.split(" ")
    size = 2 if len(words) > 1 and words[-1] in ("am", "pm") else 1
    found = _CLOCK.fullmatch("".join(words[-size:]))
    if found is None or not (found["m"] or found["ampm"]):
        return phrase, ""
    return " ".join(words[:-size]), found[0]


def _moment(text: str, now: datetime, zone: str) -> tuple[When, datetime]:
    """Read `text` as a When and the exact instant it starts, seen in its zone."""
    from events.schemas.values import When

    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    words, zone = _split_zone(text.split(), parse_timezone(zone))
    tz = ZoneInfo(zone)
    phrase = " ".join(words).lower()
    stamp = _ISO_STAMP.fullmatch(phrase)
    if phrase == "now" or (stamp and stamp["off"]):
        local = (now if stamp is None else _offset_instant(stamp, text.strip())).astimezone(tz)
        return When(day=local.date(), local_time=local.time(), timezone=zone), local
    day_words, clock_word = (stamp["day"], stamp["clock"]) if stamp else _split_clock(phrase)
    if clock_word and not day_words:
        raise BadInputError(
            f"{_quoted(text)} has no day; put one first, as in 'today {clock_word}'"
        )
    day = parse_day(day_words, today=now.astimezone(tz).date())
    if not clock_word:
        midnight = datetime.combine(day, time(0), tz)
        return When(day=day, timezone=zone), midnight.astimezone(UTC).astimezone(tz)
    clock = _clock(clock_word.lower())
    return When(day=day, local_time=clock, timezone=zone), _wall_time(day, clock, zone)


def parse_when(text: str, *, now: datetime, zone: str) -> When:
    """Return the day, or day and time, `text` names, in `zone` unless it names its own.

    Forms: any `parse_day` form (all day); a day then a time (`tomorrow 14:30`,
    `2016-02-25T10:00:30`, `today 2:30pm`); either followed by an IANA zone that
    overrides `zone`; an ISO stamp with an offset or Z, moved to the same instant in
    `zone`; `now`. Relative days count from `now` as seen in the zone used.
    A When holds no fold, so an instant in a repeated hour reads back as the first one.
    """
    return _moment(text, now, zone)[0]


def parse_instant(text: str, *, now: datetime, zone: str) -> datetime:
    """Return the aware instant `text` names, as `parse_when` reads it, in its zone.

    An all-day form means the start of that day (midnight, or the first minute that
    exists when a DST change skips midnight). Offsets and `now` keep their exact instant.
    Order it freely, but test equality in UTC: Python never finds a wall time in a
    repeated hour equal to a datetime in another zone.
    """
    return _moment(text, now, zone)[1]


def format_when(when: When) -> str:
    """Show a When as `parse_when` reads it back: `2016-02-25`, `2016-02-25 10:00 Asia/Shanghai`."""
    return format_moment(when.day, when.local_time, when.timezone)


def format_moment(day: date, local_time: time | None, zone: str) -> str:
    """Show a day, or a day and time in a zone, as `parse_when` reads it back."""
    if local_time is None:
        return day.isoformat()
    clock = local_time.replace(tzinfo=None)
    shown = clock.isoformat(timespec="auto" if clock.second or clock.microsecond else "minutes")
    return f"{day.isoformat()} {shown} {zone}"
