"""The reminder sweep on a store with many open follow-ups and upcoming visits."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from events.envelope import PendingEvent, StreamWrite
from events.schemas.followups import FollowUpOpened
from events.schemas.missions import MissionPlanned, Place
from events.schemas.values import When
from tests.benchmarks.measure import Report

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _fill(path: Path, followups: int, visits: int) -> None:
    from events.connect import open_store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{path}")
    rng = random.Random(3)
    today = NOW.date()
    writes: list[StreamWrite] = []
    for i in range(followups):
        due = When(day=today + timedelta(days=rng.randint(-3, 60)), timezone="Europe/London")
        event = FollowUpOpened(
            followup_id=uuid4(),
            text=f"Follow-up {i}",
            owner_email=f"officer{i % 50}@council.example",
            due=due,
        )
        writes.append(StreamWrite(f"followup-{event.followup_id}", [PendingEvent(event, NOW)], 0))
    for i in range(visits):
        start = today + timedelta(days=rng.randint(0, 30))
        event = MissionPlanned(
            mission_id=uuid4(),
            name=f"Visit {i}",
            direction="inbound",
            starts=When(day=start, timezone="Europe/London"),
            ends=When(day=start + timedelta(days=2), timezone="Europe/London"),
            places=(Place(name="Liverpool", timezone="Europe/London"),),
        )
        writes.append(StreamWrite(f"mission-{event.mission_id}", [PendingEvent(event, NOW)], 0))
    for start in range(0, len(writes), 5_000):
        store.append_batch(writes[start : start + 5_000])
    store.engine.dispose()


def bench_sweep(report: Report, workdir: Path, followups: int, visits: int, repeats: int) -> None:
    """Time `plan` (decide what is due) once the read models are current."""
    from crm.reminders.engine import ReminderEngine
    from crm.reminders.rules import ReminderRules
    from crm.reminders.settings import ReminderSettings
    from events.connect import open_store
    from projections.catalog import all_projections
    from projections.runner import ProjectionRunner

    path = workdir / "reminders.db"
    _fill(path, followups, visits)
    store = open_store(f"sqlite:///{path}")
    runner = ProjectionRunner(store, all_projections())
    runner.catch_up()
    settings = ReminderSettings(rules=ReminderRules(default_timezone="Europe/London"))
    engine = ReminderEngine(store, runner, settings, sender_id="bench")
    samples, due = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        due = len(engine.plan(NOW).send)
        samples.append(time.perf_counter() - start)
    store.engine.dispose()
    report.add("sweep_followups", "open follow-ups in the sweep store", followups, "items")
    report.add("sweep_visits", "upcoming visits in the sweep store", visits, "items")
    report.add("sweep_due", "reminders found due", due, "items")
    report.limit(
        "sweep_seconds", "reminder sweep decides what is due", statistics.median(samples), "s", 1.0
    )


def today() -> date:
    """The benchmark's fixed day."""
    return NOW.date()
