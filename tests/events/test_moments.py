"""Stored moments keep the one form isoformat gives with microseconds; None and bools bind as
the driver always bound them (the store registers adapters for both)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

import events.database  # noqa: F401  (registers the bool adapter, as every engine does)
from events.moments import iso_microseconds

offsets = st.integers(min_value=-23 * 3600, max_value=23 * 3600).map(
    lambda seconds: timezone(timedelta(seconds=seconds))
)


@given(st.datetimes(timezones=st.one_of(st.just(UTC), offsets)))
def test_iso_microseconds_is_isoformat_with_microseconds(moment: datetime) -> None:
    assert iso_microseconds(moment) == moment.isoformat(timespec="microseconds")


def test_a_whole_second_keeps_its_fraction() -> None:
    moment = datetime(2016, 2, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    assert iso_microseconds(moment) == "2016-02-03T10:00:00.000000+08:00"


def test_none_and_bools_are_stored_as_sqlite_always_held_them() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (flag BOOLEAN, note TEXT)")
    connection.executemany("INSERT INTO t VALUES (?, ?)", [(True, None), (False, "x")])
    stored = connection.execute(
        "SELECT typeof(flag), flag, typeof(note), note FROM t ORDER BY rowid"
    ).fetchall()
    assert stored == [("integer", 1, "null", None), ("integer", 0, "text", "x")]
