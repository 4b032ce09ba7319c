"""The database itself keeps the log append-only, and tampering shows in `verify`."""

from __future__ import annotations

import pytest

from events.errors import AppendOnlyGuardMissingError
from tests.events.raw import execute, is_sqlite
from tests.events.sample import NoteTaken, open_sample_store


def _store_with_notes(url: str, count: int = 3) -> None:
    store = open_sample_store(url)
    for i in range(count):
        store.append(f"note-{i}", [NoteTaken(text=f"note {i}")], expected_version=0)
    store.engine.dispose()


def _drop_guards(url: str) -> None:
    if is_sqlite(url):
        execute(url, "DROP TRIGGER events_reject_update")
        execute(url, "DROP TRIGGER events_reject_delete")
    else:
        execute(url, "DROP TRIGGER events_reject_update_delete ON events")


def _driver_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    import psycopg

    return (sqlite3.DatabaseError, psycopg.Error)


def test_raw_update_is_rejected_by_the_database(store_url: str) -> None:
    _store_with_notes(store_url)

    with pytest.raises(_driver_errors(), match="append-only"):
        execute(store_url, "UPDATE events SET actor = 'mallory' WHERE position = 2")

    assert execute(store_url, "SELECT actor FROM events WHERE position = 2") == [("system",)]


def test_raw_delete_is_rejected_by_the_database(store_url: str) -> None:
    _store_with_notes(store_url)

    with pytest.raises(_driver_errors(), match="append-only"):
        execute(store_url, "DELETE FROM events WHERE position = 3")

    assert execute(store_url, "SELECT count(*) FROM events") == [(3,)]


def test_truncate_is_rejected_on_postgres(postgres_url: str) -> None:
    _store_with_notes(postgres_url)

    with pytest.raises(_driver_errors(), match="append-only"):
        execute(postgres_url, "TRUNCATE events")

    assert execute(postgres_url, "SELECT count(*) FROM events") == [(3,)]


def test_store_refuses_to_write_when_a_trigger_is_missing(store_url: str) -> None:
    _store_with_notes(store_url, count=1)
    _drop_guards(store_url)
    store = open_sample_store(store_url)

    with pytest.raises(AppendOnlyGuardMissingError, match="refusing to write"):
        store.append("note-x", [NoteTaken(text="x")], expected_version=0)

    assert store.head_position() == 1
    store.engine.dispose()


def test_repair_reinstalls_missing_triggers(store_url: str) -> None:
    _store_with_notes(store_url, count=1)
    _drop_guards(store_url)
    store = open_sample_store(store_url)

    repaired = store.repair_guards()
    store.append("note-x", [NoteTaken(text="x")], expected_version=0)

    assert repaired
    assert store.head_position() == 2
    store.engine.dispose()


def test_verify_names_the_position_whose_content_was_altered(store_url: str) -> None:
    _store_with_notes(store_url, count=4)
    _drop_guards(store_url)
    execute(store_url, "UPDATE events SET payload = ? WHERE position = 3", ('{"text":"forged"}',))
    store = open_sample_store(store_url)

    result = store.verify()

    assert result.first_bad_position == 3
    assert result.checked == 2
    store.engine.dispose()


def test_verify_names_the_next_position_when_a_forged_hash_breaks_the_link(
    store_url: str,
) -> None:
    _store_with_notes(store_url, count=4)
    _drop_guards(store_url)
    execute(store_url, "UPDATE events SET hash = ? WHERE position = 2", ("f" * 64,))
    store = open_sample_store(store_url)

    result = store.verify()

    assert result.first_bad_position == 2
    store.engine.dispose()


def test_verify_notices_a_deleted_last_event(store_url: str) -> None:
    _store_with_notes(store_url, count=3)
    _drop_guards(store_url)
    execute(store_url, "DELETE FROM events WHERE position = 3")
    store = open_sample_store(store_url)

    result = store.verify()

    assert not result.is_intact
    assert result.first_bad_position == 3
    store.engine.dispose()


def test_verify_notices_a_deleted_middle_event(store_url: str) -> None:
    _store_with_notes(store_url, count=3)
    _drop_guards(store_url)
    execute(store_url, "DELETE FROM events WHERE position = 2")
    store = open_sample_store(store_url)

    result = store.verify()

    assert result.first_bad_position == 2
    assert result.reason == "position 2 is missing"
    store.engine.dispose()
