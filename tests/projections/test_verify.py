"""Verification in batches: a rebuild aside stepped like a real one still finds every row."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from crm.demo.loader import DemoLoader
from events.connect import open_store
from events.database import write_transaction
from events.sql_store import SqlEventStore
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
from projections.verify import verify_projections
from tests.conftest import T0
from tests.projections.scenario import context


@pytest.fixture
def runner(store_url: str) -> Iterator[ProjectionRunner]:
    store: SqlEventStore = open_store(store_url, clock=lambda: T0)
    DemoLoader(context(store, T0)).load()
    projections = ProjectionRunner(store, all_projections())
    projections.catch_up()
    yield projections
    store.engine.dispose()


@pytest.mark.parametrize("batch_size", [1, 7, 10_000])
def test_a_current_store_matches_a_rebuild_made_in_batches_of_any_size(
    runner: ProjectionRunner, batch_size: int
) -> None:
    assert runner.store.head_position() > 7 * 2  # several batches at size 7

    assert verify_projections(runner, batch_size=batch_size) is None


def test_a_row_altered_behind_the_store_is_found_when_the_rebuild_ran_in_batches(
    runner: ProjectionRunner,
) -> None:
    with write_transaction(runner.store.engine) as conn:
        conn.execute(text("UPDATE timeline_entries SET title = 'tampered' WHERE kind = 'signing'"))

    mismatch = verify_projections(runner, batch_size=5)

    assert mismatch is not None
    assert mismatch.table == "timeline_entries"
