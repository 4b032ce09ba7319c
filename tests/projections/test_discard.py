"""Copies built aside dropped under a running rebuild (an erasure discards them): the rebuild
stops with one line instead of swapping in views with events missing."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from events.connect import open_store
from events.database import write_transaction
from projections.catalog import all_projections
from projections.runner import ProjectionRunner, RebuildDiscardedError
from projections.state import projection_state
from projections.verify import verify_projections
from tests.conftest import T0

BATCH = 5


class _StopError(Exception):
    pass


def _one_batch_then_stop(position: int, head: int) -> None:
    raise _StopError


def test_a_rebuild_whose_copies_were_discarded_and_begun_again_elsewhere_stops(
    runner: ProjectionRunner, store_url: str
) -> None:
    other = ProjectionRunner(open_store(store_url, clock=lambda: T0), all_projections())
    assert runner.store.head_position() > 4 * BATCH

    def meanwhile(position: int, head: int) -> None:
        if position == 2 * BATCH:  # this rebuild holds events 1-10 in its copies
            runner.discard_copies()  # an erasure
            with pytest.raises(_StopError):  # another process starts again: events 1-5
                other.rebuild(progress=_one_batch_then_stop, batch_size=BATCH)

    with pytest.raises(RebuildDiscardedError, match="discarded part-way"):
        runner.rebuild(progress=meanwhile, batch_size=BATCH)  # would skip events 6-10

    assert verify_projections(runner) is None  # the live views were never touched
    runner.rebuild(batch_size=BATCH)
    assert verify_projections(runner) is None
    other.store.engine.dispose()


def test_an_upgrade_rebuild_discarded_before_its_swap_stops_rather_than_keep_old_tables(
    runner: ProjectionRunner,
) -> None:
    with write_transaction(runner.store.engine) as conn:  # as if the timeline's code changed
        conn.execute(
            update(projection_state).where(projection_state.c.name == "timeline").values(version=1)
        )

    def meanwhile(position: int, head: int) -> None:
        if position == head:
            runner.discard_copies()

    with pytest.raises(RebuildDiscardedError):
        runner.rebuild(["timeline"], progress=meanwhile, batch_size=BATCH)

    runner.rebuild(["timeline"], batch_size=BATCH)
    assert [s.stored_version for s in runner.status() if s.name == "timeline"] == [
        runner.projections["timeline"].version
    ]
    assert verify_projections(runner) is None
