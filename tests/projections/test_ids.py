"""Finding ids by their first characters: the indexable range must not change what matches."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert

from events.reader import SqliteReader, reader_of, sqlite_path
from projections.directory import entries_with_id_prefix, list_entries
from projections.runner import ProjectionRunner

IDS = [
    "33746575-9640-4878-b523-6911bd058cb9",
    "33746575-9640-4878-b523-6911bd058cba",
    "3374657f-0000-4000-8000-000000000000",
    "33746580-0000-4000-8000-000000000000",
    "3374ffff-ffff-4fff-bfff-ffffffffffff",
    "33750000-0000-4000-8000-000000000000",
    "9fffffff-ffff-4fff-bfff-ffffffffffff",
    "a0000000-0000-4000-8000-000000000000",
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chosen=st.sampled_from(IDS),
    length=st.integers(1, 36),
    extra=st.lists(st.uuids().map(UUID.__str__), max_size=5),
)
def test_an_id_prefix_finds_exactly_the_ids_that_start_with_it(
    store_url: str, chosen: str, length: int, extra: list[str]
) -> None:
    metadata = MetaData()
    ids = Table("ids_under_test", metadata, Column("id", String(36), primary_key=True))
    engine = create_engine(store_url)
    try:
        with engine.begin() as conn:
            ids.drop(conn, checkfirst=True)
            ids.create(conn)
            every = sorted(set(IDS + extra))
            conn.execute(insert(ids), [{"id": i} for i in every])
            prefix = chosen[:length]
            reader = reader_of(conn)
            starts, params = reader.starts_with("id", "prefix", prefix)
            rows = reader.rows(f"SELECT id FROM ids_under_test WHERE {starts}", params)
            found = sorted(row[0] for row in rows)
            ids.drop(conn)
        assert found == [i for i in every if i.startswith(prefix)]
        assert chosen in found
    finally:
        engine.dispose()


def test_an_entry_typed_by_its_id_is_found_through_the_key_on_sqlite(
    runner: ProjectionRunner,
) -> None:
    """Not by reading every entry of its kinds: without statistics SQLite preferred the
    (kind, label) index, 47 ms for each id typed on a store of 20,000 contacts."""
    path = sqlite_path(runner.store.engine.url.render_as_string())
    if path is None:
        pytest.skip("SQLite's query planner")
    statements: list[str] = []
    with closing(sqlite3.connect(path)) as connection:
        connection.set_trace_callback(statements.append)  # each statement, values bound in
        reader = SqliteReader(connection)
        contact = list_entries(reader, "contact")[0].entry_id
        found = entries_with_id_prefix(reader, ["contact", "organisation"], contact)
        plan = connection.execute(f"EXPLAIN QUERY PLAN {statements[-1]}").fetchall()

    assert [entry.entry_id for entry in found] == [contact]
    searches = " ".join(str(step[-1]) for step in plan)
    assert "directory_entries USING INDEX sqlite_autoindex_directory_entries_1" in searches
