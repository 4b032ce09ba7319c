"""A rebuild killed with SIGKILL leaves the old view serving; the next run completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlalchemy import select

from events.connect import open_store
from events.database import read_transaction
from events.envelope import PendingEvent
from events.schemas.interactions import InteractionLogged
from events.schemas.values import Person
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
from projections.state import projection_state
from tests.conftest import T0
from tests.projections.test_rebuild_equivalence import dump

EVENTS = 6_000


def _fill(url: str) -> ProjectionRunner:
    store = open_store(url, clock=lambda: T0)
    people = tuple(Person(contact_id=uuid4()) for _ in range(3))
    start = datetime(2016, 1, 1, tzinfo=UTC)
    meetings = [
        PendingEvent(
            InteractionLogged(
                interaction_id=uuid4(),
                kind="meeting",
                held_at=start + timedelta(hours=i),
                timezone="UTC",
                participants=people,
                subject=f"meeting {i}",
            ),
            start + timedelta(hours=i),
        )
        for i in range(EVENTS)
    ]
    store.append("interaction-bulk", meetings, expected_version=0)
    runner = ProjectionRunner(store, all_projections())
    runner.catch_up()
    return runner


def _building_position(runner: ProjectionRunner) -> int:
    with read_transaction(runner.store.engine) as conn:
        query = select(projection_state.c.building_position).where(
            projection_state.c.name == "timeline"
        )
        return int(conn.execute(query).scalar_one() or 0)


def test_a_killed_rebuild_leaves_the_old_view_and_the_next_run_completes_it(
    store_url: str,
) -> None:
    runner = _fill(store_url)
    before = dump(runner)
    command = [
        sys.executable,
        "-c",
        "from crm.cli.main import run; run()",
        "--db",
        store_url,
        "projections",
        "rebuild",
        "--batch-size",
        "100",
    ]
    process = subprocess.Popen(command, env={**os.environ, "CRM_DATABASE_URL": store_url})
    deadline = time.monotonic() + 60
    while _building_position(runner) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    interrupted_at = _building_position(runner)

    serving = dump(runner)
    runner.rebuild()

    assert 0 < interrupted_at < EVENTS
    assert serving == before
    assert dump(runner) == before
    assert _building_position(runner) == 0
    runner.store.engine.dispose()
