"""The store contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from events.envelope import AppendContext, PendingEvent, StreamWrite
from events.errors import ConcurrencyError, DuplicateEventError
from events.sql_store import SqlEventStore
from tests.conftest import T0
from tests.events.sample import NoteTaken, open_sample_store

KUNMING = timezone(timedelta(hours=8))


@pytest.fixture
def store(store_url: str) -> Iterator[SqlEventStore]:
    opened = open_sample_store(store_url)
    yield opened
    opened.engine.dispose()


def notes(*texts: str) -> list[NoteTaken]:
    return [NoteTaken(text=t) for t in texts]


def test_append_numbers_positions_and_versions_from_one(store: SqlEventStore) -> None:
    first = store.append("note-a", notes("one", "two"), expected_version=0)
    second = store.append("note-b", notes("three"), expected_version=0)

    assert [r.position for r in first + second] == [1, 2, 3]
    assert [r.stream_version for r in first + second] == [1, 2, 1]
    assert store.head_position() == 3


def test_read_stream_returns_events_after_a_version_in_order(store: SqlEventStore) -> None:
    store.append("note-a", notes("one", "two", "three"), expected_version=0)
    store.append("note-b", notes("other"), expected_version=0)

    records = store.read_stream("note-a", after_version=1)

    assert [r.event for r in records] == notes("two", "three")
    assert [r.stream_version for r in records] == [2, 3]


def test_read_all_streams_every_event_in_position_order_in_batches(
    store: SqlEventStore,
) -> None:
    for i in range(7):
        store.append(f"note-{i}", notes(f"n{i}"), expected_version=0)

    records = list(store.read_all(after_position=2, batch_size=2))

    assert [r.position for r in records] == [3, 4, 5, 6, 7]
    assert [r.event.text for r in records] == ["n2", "n3", "n4", "n5", "n6"]  # type: ignore[attr-defined]


def test_read_all_stops_at_up_to(store: SqlEventStore) -> None:
    store.append("note-a", notes("a", "b", "c", "d"), expected_version=0)

    assert [r.position for r in store.read_all(up_to=2)] == [1, 2]


def test_envelope_keeps_business_time_with_its_offset_and_the_context(
    store: SqlEventStore,
) -> None:
    held = datetime(2016, 2, 25, 10, 0, tzinfo=KUNMING)
    correlation = uuid4()
    context = AppendContext(actor="gary", source="cli", correlation_id=correlation)

    store.append("note-a", [PendingEvent(NoteTaken(text="x"), held)], 0, context=context)
    (record,) = store.read_stream("note-a")

    assert record.occurred_at == held
    assert record.occurred_at.utcoffset() == timedelta(hours=8)
    assert record.recorded_at == T0
    assert (record.actor, record.source, record.correlation_id) == ("gary", "cli", correlation)
    assert record.causation_id is None


def test_stale_expected_version_raises_naming_stream_and_actual_version(
    store: SqlEventStore,
) -> None:
    store.append("note-a", notes("one", "two"), expected_version=0)

    with pytest.raises(ConcurrencyError, match="note-a is at version 2") as caught:
        store.append("note-a", notes("late"), expected_version=1)

    assert caught.value.actual == 2
    assert store.head_position() == 2


def test_failed_batch_writes_nothing_and_leaves_no_hole(store: SqlEventStore) -> None:
    store.append("note-b", notes("b1"), expected_version=0)

    with pytest.raises(ConcurrencyError):
        store.append_batch(
            [
                StreamWrite("note-a", notes("a1"), 0),
                StreamWrite("note-b", notes("b2"), 0),
            ]
        )
    store.append("note-c", notes("c1"), expected_version=0)

    assert [r.position for r in store.read_all()] == [1, 2]
    assert store.read_stream("note-a") == []


def test_batch_across_streams_is_stored_together(store: SqlEventStore) -> None:
    records = store.append_batch(
        [StreamWrite("note-a", notes("a1"), 0), StreamWrite("note-b", notes("b1", "b2"), 0)]
    )

    assert [(r.stream_id, r.stream_version) for r in records] == [
        ("note-a", 1),
        ("note-b", 1),
        ("note-b", 2),
    ]


def test_reappending_the_same_event_id_returns_the_stored_record(store: SqlEventStore) -> None:
    pending = PendingEvent(NoteTaken(text="once"), T0, uuid4())
    first = store.append("note-a", [pending], expected_version=0)

    retry = store.append("note-a", [pending], expected_version=0)

    assert retry == store.read_stream("note-a") == [first[0]._replace(recorded_at=T0)]
    assert store.head_position() == 1


def test_same_event_id_with_different_content_is_refused(store: SqlEventStore) -> None:
    event_id = uuid4()
    store.append("note-a", [PendingEvent(NoteTaken(text="one"), T0, event_id)], 0)

    with pytest.raises(DuplicateEventError, match=str(event_id)):
        store.append("note-b", [PendingEvent(NoteTaken(text="two"), T0, event_id)], 0)

    assert store.head_position() == 1


def test_append_of_nothing_writes_nothing(store: SqlEventStore) -> None:
    assert store.append("note-a", [], expected_version=0) == []
    assert store.head_position() == 0


def test_naive_business_time_is_refused(store: SqlEventStore) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        store.append("note-a", [PendingEvent(NoteTaken(text="x"), datetime(2016, 2, 25))], 0)

    assert store.head_position() == 0


@pytest.mark.parametrize("actor", ["", "line\nbreak", "x" * 201])
def test_unusable_actor_is_refused(store: SqlEventStore, actor: str) -> None:
    with pytest.raises(ValueError, match="actor"):
        store.append("note-a", notes("x"), 0, context=AppendContext(actor=actor))


def test_verify_accepts_an_untouched_log(store: SqlEventStore) -> None:
    store.append("note-a", notes("a", "b"), expected_version=0)
    store.append("note-b", notes("c"), expected_version=0)

    result = store.verify()

    assert result.is_intact
    assert result.checked == 3


def test_each_hash_links_to_the_previous_one(store: SqlEventStore) -> None:
    records = store.append("note-a", notes("a", "b"), expected_version=0)

    assert len({r.hash for r in records}) == 2
    assert all(len(r.hash) == 64 for r in records)
    assert [r.hash for r in store.read_all()] == [r.hash for r in records]


def test_count_summaries(store: SqlEventStore) -> None:
    store.append("note-a", notes("a", "b"), expected_version=0)
    store.append("note-b", notes("c"), expected_version=0)

    assert store.count_by_type() == {"NoteTaken": 3}
    assert store.count_streams() == 2


def test_a_batch_may_write_one_stream_twice(store: SqlEventStore) -> None:
    records = store.append_batch(
        [StreamWrite("note-a", notes("a1"), 0), StreamWrite("note-a", notes("a2"), 1)]
    )

    assert [r.stream_version for r in records] == [1, 2]
    assert [r.stream_version for r in store.read_stream("note-a")] == [1, 2]


def test_a_whole_log_scan_leaves_each_connection_with_its_usual_page_cache(
    sqlite_url: str,
) -> None:
    """The scan shrinks its own connection's cache; the pooled connection must get it back."""
    from sqlalchemy import text

    from events.database import CACHE_KIB

    store = open_sample_store(sqlite_url)
    try:
        for i in range(3):
            store.append(f"note-{i}", [NoteTaken(text=f"note {i}")], 0)
        assert [r.event.text for r in store.read_all(batch_size=2)] == [  # type: ignore[attr-defined]
            "note 0",
            "note 1",
            "note 2",
        ]
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA cache_size")).scalar_one() == -CACHE_KIB
    finally:
        store.engine.dispose()
