"""A rebuild whose interactions' rows come from a helper process: the same rows, on both
backends, and one clear error when the helper fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import projections.feed
import projections.runner
from events.connect import open_store
from events.schemas.followups import FollowUpOpened
from events.schemas.interactions import InteractionLogged
from events.schemas.values import Link, Person, When
from projections.catalog import all_projections
from projections.feed import separable_types
from projections.runner import ProjectionRunner
from projections.unit import FedRows
from projections.verify import verify_projections
from tests.conftest import T0
from tests.projections.scenario import OPERATIONS, base_world, context, run
from tests.projections.test_rebuild_equivalence import dump


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Start a helper for any rebuild, however small, sending frames of at most two events,
    two ahead (so even the demo story takes many); per helper started, the rows it fed."""
    fed: list[int] = []
    real_init, real_take = projections.feed.RowFeed.__init__, projections.feed.RowFeed.take
    number: dict[int, int] = {}

    def recording_init(self: projections.feed.RowFeed, *args: Any) -> None:
        real_init(self, *args)
        number[id(self)] = len(fed)
        fed.append(0)

    def counting_take(self: projections.feed.RowFeed, up_to: int) -> list[tuple[str, FedRows]]:
        taken = real_take(self, up_to)
        fed[number[id(self)]] += sum(len(rows.rows) for _, rows in taken)
        return taken

    monkeypatch.setattr(projections.runner, "FEED_FROM", 0)
    monkeypatch.setattr(projections.feed, "FRAME_EVENTS", 2)
    monkeypatch.setattr(projections.feed, "FRAMES_AHEAD", 2)
    monkeypatch.setattr(projections.feed.RowFeed, "__init__", recording_init)
    monkeypatch.setattr(projections.feed.RowFeed, "take", counting_take)
    return fed


def test_only_the_timeline_declares_interactions_separable_and_none_else_needs_them() -> None:
    assert separable_types(all_projections()) == {InteractionLogged}


@pytest.mark.parametrize("per_transaction", [3, 50_000])
def test_a_rebuild_fed_by_a_helper_yields_the_caught_up_rows(
    runner: ProjectionRunner, started: list[int], per_transaction: int
) -> None:
    caught_up = dump(runner)

    interactions = sum(1 for r in runner.store.read_all() if type(r.event) is InteractionLogged)

    runner.rebuild(batch_size=per_transaction)

    assert started == [interactions]  # one helper, which fed every interaction's row
    assert dump(runner) == caught_up
    assert caught_up["timeline_entries"]
    assert verify_projections(runner) is None


def test_a_follow_up_about_a_meeting_logged_after_it_takes_over_no_links_when_rebuilt(
    runner: ProjectionRunner, started: list[int]
) -> None:
    """The helper's row for the meeting reaches the rebuild before the follow-up is applied;
    it is not there yet for the follow-up, as it was not when the follow-up was caught up."""
    meeting, followup, person = uuid4(), uuid4(), uuid4()
    about = Link(kind="interaction", id=meeting)
    due = When(day=T0.date(), timezone="UTC")
    opened = FollowUpOpened(
        followup_id=followup, text="Minutes", owner_email="a@b.org", due=due, links=(about,)
    )
    runner.store.append(f"followup-{followup}", [opened], None)
    logged = InteractionLogged(
        interaction_id=meeting,
        kind="meeting",
        held_at=T0,
        timezone="UTC",
        participants=(Person(contact_id=person),),
        subject="Met later",
    )
    runner.store.append(f"interaction-{meeting}", [logged], None)
    runner.catch_up()
    caught_up = dump(runner)

    runner.rebuild()

    assert dump(runner) == caught_up
    assert started[0] > 0
    links = {row[0]: row[9] for row in caught_up["timeline_entries"]}
    assert str(person) in links[str(meeting)]
    assert str(person) not in links[str(followup)]


def test_a_rebuild_of_projections_without_separable_events_starts_no_helper(
    runner: ProjectionRunner, started: list[int]
) -> None:
    caught_up = dump(runner)

    runner.rebuild(["directory", "followups"])

    assert started == []
    assert dump(runner) == caught_up


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), ops=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=25))
def test_any_history_rebuilt_with_a_helper_equals_its_catch_up(
    store_url: str, started: list[int], data: st.DataObject, ops: list[str]
) -> None:
    """Corrections, retractions and erasures of interactions land after the helper's rows."""
    store = open_store(store_url, clock=lambda: T0)
    try:
        runner = ProjectionRunner(store, all_projections())
        ctx = context(store, T0)
        world = base_world(ctx)
        for op in ops:
            run(ctx, world, op, data)
        runner.catch_up()
        incremental = dump(runner)

        runner.rebuild(batch_size=data.draw(st.integers(1, 40)))

        assert dump(runner) == incremental
    finally:
        store.engine.dispose()


def test_a_helper_that_fails_leaves_the_rebuild_to_go_on_alone_with_the_same_rows(
    runner: ProjectionRunner,
    started: list[int],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caught_up = dump(runner)
    monkeypatch.setattr(
        projections.feed, "HELPER", ("-c", "import sys; sys.exit('no such store here')")
    )

    runner.rebuild(batch_size=5)

    assert dump(runner) == caught_up
    assert started == [0]  # started, fed nothing
    assert "helper process stopped: no such store here; the rebuild goes on" in caplog.text


def test_a_helper_that_cannot_start_leaves_the_rebuild_to_go_on_alone(
    runner: ProjectionRunner,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caught_up = dump(runner)
    monkeypatch.setattr(projections.runner, "FEED_FROM", 0)
    monkeypatch.setattr(projections.feed.sys, "executable", "/nonexistent/python")

    runner.rebuild()

    assert dump(runner) == caught_up
    assert "helper process did not start" in caplog.text


def test_the_helper_ignores_modules_in_the_current_directory(
    runner: ProjectionRunner,
    started: list[int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "events.py").write_text("raise SystemExit('a stray events.py was imported')\n")
    monkeypatch.chdir(tmp_path)
    caught_up = dump(runner)

    runner.rebuild()

    assert dump(runner) == caught_up
    assert started[0] > 0  # the helper ran and fed rows
    assert "stray" not in caplog.text
