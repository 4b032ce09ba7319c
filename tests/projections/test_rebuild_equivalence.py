"""Projections: catch-up at any split equals a full rebuild; both backends agree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crm.commands import corrections, missions
from crm.commands.context import CommandContext
from events.connect import open_store
from events.database import read_transaction
from events.schemas.missions import MissionParticipant, MissionParticipantAdded
from events.sql_store import SqlEventStore
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
from tests.conftest import T0
from tests.projections.scenario import OPERATIONS, World, base_world, context, run


def dump(runner: ProjectionRunner) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every projection table, in key order."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with read_transaction(runner.store.engine) as conn:
        for projection in runner.projections.values():
            for name, table in projection.tables().items():
                keys = list(table.primary_key.columns)
                rows[name] = [tuple(r) for r in conn.execute(select(table).order_by(*keys))]
    return rows


@pytest.fixture
def store(store_url: str) -> Iterator[SqlEventStore]:
    opened = open_store(store_url, clock=lambda: T0)
    yield opened
    opened.engine.dispose()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), ops=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=25))
def test_catching_up_at_any_split_yields_the_rows_of_a_full_rebuild(
    sqlite_url: str, data: st.DataObject, ops: list[str]
) -> None:
    store = open_store(sqlite_url, clock=lambda: T0)
    try:
        runner = ProjectionRunner(store, all_projections())
        runner.rebuild()  # start from empty views on a store that may hold earlier examples
        ctx = context(store, T0)
        world = base_world(ctx)
        split = data.draw(st.integers(0, len(ops)))
        for op in ops[:split]:
            run(ctx, world, op, data)
        runner.catch_up()
        for op in ops[split:]:
            run(ctx, world, op, data)
        runner.catch_up()
        incremental = dump(runner)

        runner.rebuild()

        assert dump(runner) == incremental
    finally:
        store.engine.dispose()


def test_sqlite_and_postgres_build_identical_rows_from_the_same_log(
    sqlite_url: str, postgres_url: str
) -> None:
    from crm.demo.loader import DemoLoader

    source = open_store(sqlite_url, clock=lambda: T0)
    DemoLoader(context(source, T0)).load()
    copy = open_store(postgres_url, clock=lambda: T0)
    copy.import_rows(source.read_rows())
    copy.import_subject_keys(source.subject_keys())
    dumps = []
    for store in (source, copy):
        runner = ProjectionRunner(store, all_projections())
        runner.catch_up()
        dumps.append(dump(runner))
        store.engine.dispose()

    assert dumps[0]["timeline_entries"]
    assert dumps[0] == dumps[1]


def test_a_projection_far_behind_is_rebuilt_in_bulk_and_reads_as_if_caught_up(
    store: SqlEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An imported log is not caught up row by row: the runner rebuilds, with the same rows."""
    import projections.runner
    from crm.demo.loader import DemoLoader

    gradual = ProjectionRunner(store, all_projections())
    gradual.catch_up()  # the views exist and stand at the (empty) head
    DemoLoader(context(store, T0)).load()
    rebuilt: list[list[str]] = []
    real_rebuild = gradual.rebuild

    def recording_rebuild(names: Any = None, *args: Any, **kwargs: Any) -> None:
        rebuilt.append(sorted(names or []))
        real_rebuild(names, *args, **kwargs)

    monkeypatch.setattr(projections.runner, "REBUILD_BACKLOG", 10)
    monkeypatch.setattr(gradual, "rebuild", recording_rebuild)
    gradual.catch_up()
    after_bulk = dump(gradual)

    assert rebuilt == [sorted(gradual.projections)]
    assert all(s.lag == 0 and s.rebuilding_at is None for s in gradual.status())
    monkeypatch.setattr(projections.runner, "REBUILD_BACKLOG", 10**9)
    real_rebuild()
    assert dump(gradual) == after_bulk
    assert after_bulk["timeline_entries"]


def test_a_small_backlog_is_caught_up_not_rebuilt(
    store: SqlEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm.demo.loader import DemoLoader

    runner = ProjectionRunner(store, all_projections())
    runner.catch_up()
    DemoLoader(context(store, T0)).load()
    monkeypatch.setattr(runner, "rebuild", lambda *a, **k: pytest.fail("rebuilt a small backlog"))

    assert runner.catch_up() == store.head_position()


class FirstChoice:
    """Draws the simplest value of every strategy: a history with no randomness in it."""

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return find(strategy, lambda _: True, settings=settings(database=None))


def _move_signing(ctx: CommandContext, world: World) -> None:
    moved = {"signed_on": "2016-06-01"}  # signed 2015-09-01 in the simplest history
    corrections.correct_entry(
        ctx, corrections.CorrectEntry("agreement", world.agreements[0], moved, "fix")
    )


def _move_interaction(ctx: CommandContext, world: World) -> None:
    moved = {"held_at": "2017-06-01T10:00:00+01:00"}
    corrections.correct_entry(
        ctx, corrections.CorrectEntry("interaction", world.interactions[0], moved, "fix")
    )


def _join_second_contact(ctx: CommandContext, world: World) -> None:
    joined = MissionParticipantAdded(
        mission_id=world.missions[0], participant=MissionParticipant(contact_id=world.contacts[1])
    )
    missions.handle(ctx, joined, missions.decide_add_participant)


CATCH_UP = "|"


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(["correct_contact", CATCH_UP, "forget"], id="erased-after-a-correction"),
        pytest.param(["sign", CATCH_UP, _move_signing], id="signing-moved"),
        pytest.param(["plan", CATCH_UP, "join", _join_second_contact], id="participants-joined"),
        pytest.param(["log", CATCH_UP, _move_interaction, "retract"], id="moved-then-retracted"),
    ],
)
def test_each_revision_caught_up_after_its_entry_reads_as_a_rebuild(
    store: SqlEventStore, steps: list[Any]
) -> None:
    """The revisions a random history seldom puts on both sides of a catch-up, on purpose."""
    runner = ProjectionRunner(store, all_projections())
    ctx = context(store, T0)
    world = base_world(ctx)
    for step in steps:
        if step == CATCH_UP:
            runner.catch_up()
        elif callable(step):
            step(ctx, world)
        else:
            run(ctx, world, step, FirstChoice())  # type: ignore[arg-type]
    runner.catch_up()
    incremental = dump(runner)

    runner.rebuild()

    assert dump(runner) == incremental


@pytest.mark.parametrize("feed_from", [None, 0])
def test_a_rebuild_resuming_one_projection_beside_fresh_ones_reads_as_a_clean_rebuild(
    store: SqlEventStore, monkeypatch: pytest.MonkeyPatch, feed_from: int | None
) -> None:
    """A part-built timeline (killed after two batches) resumed with every other projection
    starting from nothing: one batch holds both, and must still look up the timeline's rows.
    With a helper feeding the resumed rebuild (`feed_from` 0), the rows it sends for events
    the timeline already holds must be left out."""
    import projections.runner
    from crm.demo.loader import DemoLoader

    runner = ProjectionRunner(store, all_projections())
    DemoLoader(context(store, T0)).load()
    runner.rebuild()
    clean = dump(runner)
    real_batch, calls = runner._rebuild_batch, []

    def killed_on_the_third(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as a kill would stop it
        real_batch(*args)

    monkeypatch.setattr(runner, "_rebuild_batch", killed_on_the_third)
    with pytest.raises(KeyboardInterrupt):  # two thirds of the log in the timeline's tables
        runner.rebuild(["timeline"], batch_size=store.head_position() // 3)
    monkeypatch.undo()
    if feed_from is not None:
        monkeypatch.setattr(projections.runner, "FEED_FROM", feed_from)

    runner.rebuild()

    assert dump(runner) == clean


@pytest.mark.parametrize(("flush", "per_transaction"), [(3, 10), (4, 4), (7, 1_000)])
def test_a_rebuild_flushing_several_times_per_transaction_yields_the_caught_up_rows(
    runner: ProjectionRunner, monkeypatch: pytest.MonkeyPatch, flush: int, per_transaction: int
) -> None:
    """Rows flushed early in a transaction are found by the events after them in it (a
    follow-up's completion finds its opening, a correction its entry)."""
    import projections.runner

    caught_up = dump(runner)
    assert runner.store.head_position() > 2 * per_transaction or per_transaction > 100
    monkeypatch.setattr(projections.runner, "REBUILD_BATCH", flush)
    flushed: list[int] = []
    real_fill = projections.runner.fill_batch

    def counting_fill(*args: Any) -> None:
        start, end = args[4:6]
        flushed.append(end - start)
        real_fill(*args)

    monkeypatch.setattr(projections.runner, "fill_batch", counting_fill)

    runner.rebuild(batch_size=per_transaction)

    assert max(flushed) == flush
    assert len(flushed) >= runner.store.head_position() // flush
    assert dump(runner) == caught_up
