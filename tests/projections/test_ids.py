"""Finding ids by their first characters: the indexable range must not change what matches."""

from __future__ import annotations

from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select

from projections.ids import id_starts_with

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
            query = select(ids.c.id).where(id_starts_with(conn, ids.c.id, prefix))
            found = sorted(conn.execute(query).scalars())
            ids.drop(conn)
        assert found == [i for i in every if i.startswith(prefix)]
        assert chosen in found
    finally:
        engine.dispose()
