"""Verification in batches: a rebuild aside stepped like a real one still finds every row."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from threading import Thread
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from events.connect import open_store
from events.database import write_transaction
from projections import verify
from projections.catalog import all_projections
from projections.projection import Projection
from projections.runner import ProjectionRunner
from projections.verify import verify_projections
from tests.conftest import T0


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


def test_two_verifications_at_once_each_keep_their_own_scratch_tables(
    runner: ProjectionRunner, store_url: str
) -> None:
    other = ProjectionRunner(open_store(store_url, clock=lambda: T0), all_projections())
    results: list[object] = []

    def verify(which: ProjectionRunner) -> None:
        try:
            results.append(verify_projections(which, batch_size=3))
        except Exception as error:
            results.append(error)

    threads = [Thread(target=verify, args=(r,)) for r in (runner, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.store.engine.dispose()

    assert results == [None, None]


def test_scratch_copies_a_killed_verification_left_are_dropped_once_a_day_old(
    runner: ProjectionRunner,
) -> None:
    now = int(time.time())
    fresh = f"directory_entries__verify_{now}_0123abcd"
    stale = f"directory_entries__verify_{now - 2 * 24 * 3600}_0123abcd"
    with write_transaction(runner.store.engine) as conn:
        for name in (fresh, stale, "timeline_entries__verify", "another_app__verify"):
            conn.execute(text(f'CREATE TABLE "{name}" (x INTEGER)'))

    assert verify_projections(runner) is None

    with runner.store.engine.connect() as conn:
        left = {n for n in inspect(conn).get_table_names() if "__verify" in n}
    # another run's copies in use stay, the old ones are gone, other tables are not ours
    assert left == {fresh, "another_app__verify"}


def test_a_verification_whose_copies_an_erasure_dropped_builds_them_again(
    runner: ProjectionRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed: list[int] = []
    created: list[str] = []
    real_transaction, real_create = verify.write_transaction, verify._create

    @contextmanager
    def then_erase(engine: Engine, **options: Any) -> Iterator[Connection]:
        with real_transaction(engine, **options) as conn:
            yield conn
        committed.append(1)
        if len(committed) == 3:  # stale copies dropped, copies made, one batch filled
            runner.discard_copies()  # what `crm forget` does in another process

    def counted(which: ProjectionRunner, projection: Projection, suffix: str) -> None:
        created.append(projection.name)
        real_create(which, projection, suffix)

    monkeypatch.setattr(verify, "write_transaction", then_erase)
    monkeypatch.setattr(verify, "_create", counted)

    assert verify_projections(runner, batch_size=3) is None
    first = next(iter(runner.projections))
    assert created == [first, *runner.projections]  # the first one's copies made twice
    with runner.store.engine.connect() as conn:
        assert not [n for n in inspect(conn).get_table_names() if "__verify" in n]


def test_a_verification_still_reports_a_database_error_that_is_not_an_erasure(
    runner: ProjectionRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(conn: Any, *args: Any, **kwargs: Any) -> None:
        conn.execute(text("SELECT * FROM no_such_table_at_all"))

    monkeypatch.setattr(verify, "fill_batch", broken)

    with pytest.raises(DBAPIError):
        verify_projections(runner, batch_size=3)


def test_a_verification_that_cannot_make_its_copies_reports_why(
    runner: ProjectionRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(which: ProjectionRunner, projection: Projection, suffix: str) -> None:
        with write_transaction(which.store.engine) as conn:
            conn.execute(text("CREATE TABLE directory_entries (x INTEGER)"))  # exists already

    monkeypatch.setattr(verify, "_create", refused)

    with pytest.raises(DBAPIError, match="directory_entries"):
        verify_projections(runner)
