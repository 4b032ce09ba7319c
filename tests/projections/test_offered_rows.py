"""Rows offered to a unit of work (a rebuild's helper computed them): written as they are,
read as rows once an event after theirs asks, and never mixed up with an event's own rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import BigInteger, Column, Engine, MetaData, String, Table, Text, select

from events.connect import open_store
from events.database import write_transaction
from projections.unit import FedRowConflictError, FedRows, UnitOfWork

metadata = MetaData()
notes = Table(
    "offered_notes",
    metadata,
    Column("note_id", String(36), primary_key=True),
    Column("text", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)
OFFERED = FedRows("notes", [2, 5], [("a", "first", 2), ("b", "second", 5)])


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    store = open_store(store_url)
    metadata.create_all(store.engine)
    yield store.engine
    store.engine.dispose()


def _stored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(notes).order_by(notes.c.note_id))]


def _unit(conn: Any) -> UnitOfWork:
    unit = UnitOfWork(conn, {"notes": notes}, empty=True, bulk=True)
    unit.offer(FedRows(OFFERED.table, list(OFFERED.positions), list(OFFERED.rows)))
    return unit


def test_offered_rows_are_written_as_they_are_by_the_next_flush(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        _unit(conn).flush()

    assert _stored(engine) == [("a", "first", 2), ("b", "second", 5)]


def test_an_offered_row_an_event_after_it_reads_is_a_row_it_may_change(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        unit = _unit(conn)
        unit.position = 6

        assert unit.get("notes", "a") == {"note_id": "a", "text": "first", "position": 2}
        unit.change("notes", "a", text="changed")
        unit.flush()

    assert _stored(engine) == [("a", "changed", 2), ("b", "second", 5)]


def test_the_row_of_a_later_event_is_not_there_yet_for_an_earlier_one(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        unit = _unit(conn)
        unit.position = 4
        assert unit.get("notes", "b") is None
        assert unit.change("notes", "b", text="too early") is None

        unit.position = 6
        assert unit.get("notes", "b") == {"note_id": "b", "text": "second", "position": 5}
        unit.flush()

    assert _stored(engine) == [("a", "first", 2), ("b", "second", 5)]


def test_an_event_writing_under_an_offered_rows_key_stops_the_flush(engine: Engine) -> None:
    def clash() -> None:
        with write_transaction(engine) as conn:
            unit = _unit(conn)
            unit.position = 3
            unit.add("notes", {"note_id": "b", "text": "the same key", "position": 3})
            unit.flush()

    with pytest.raises(FedRowConflictError):
        clash()

    assert _stored(engine) == []


def test_a_resumed_rebuild_is_offered_only_the_rows_after_what_it_holds() -> None:
    assert OFFERED.after(0) is OFFERED
    assert OFFERED.after(2) == FedRows("notes", [5], [("b", "second", 5)])
    assert OFFERED.after(5).rows == []


def test_rows_offered_twice_before_a_flush_are_refused(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        unit = _unit(conn)
        with pytest.raises(ValueError, match="offered twice"):
            unit.offer(OFFERED)
