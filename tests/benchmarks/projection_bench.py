"""Read-side figures on a generated store: rebuild, timeline, upcoming, catch-up."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

from tests.benchmarks.generate import Generated, generate
from tests.benchmarks.measure import Report

REBUILD_SCRIPT = """
import sys, time
import events.schemas
from events.connect import open_store
from projections.catalog import all_projections
from projections.runner import ProjectionRunner
store = open_store(sys.argv[1])
from projections.timeline_projection import TimelineProjection
runner = ProjectionRunner(store, all_projections())
finalizing = []
real_finalize = TimelineProjection.finalize
def timed_finalize(self, conn, tables):
    began = time.perf_counter()
    real_finalize(self, conn, tables)
    finalizing.append(time.perf_counter() - began)
TimelineProjection.finalize = timed_finalize
start = time.perf_counter()
runner.rebuild()
elapsed = time.perf_counter() - start
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent when it spawns with
# vfork, which reported the generating process's 2.9 GB as the rebuild's.
peak_kb = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
# The helper process that computes the interactions' rows (projections.feed), reaped by now;
# an upper bound, as above: its figure starts from this process's memory when it spawned it.
import resource
helper_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(sum(finalizing), elapsed, peak_kb / 1024, helper_kb / 1024)
"""


def build_store(path: Path, events: int) -> Generated:
    """Generate the store the read-side figures are taken on."""
    from events.connect import open_store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{path}")
    generated = generate(store, events)
    store.engine.dispose()
    return generated


def bench_rebuild(report: Report, path: Path, generated: Generated, repeats: int) -> None:
    """Rebuild every projection in a fresh process, `repeats` times: events per second and
    peak memory (medians). Each run but the last rebuilds a fresh copy of the generated store
    (a second rebuild of one store would also drop its first one's tables); the last leaves
    the store rebuilt for the queries."""
    runs = []
    for attempt in range(repeats):
        target = path if attempt == repeats - 1 else path.with_name(f"rebuild-{attempt}.db")
        if target != path:
            shutil.copyfile(path, target)
        runs.append(_rebuild_once(target))
        if target != path:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
    finalizing, seconds, peak_mb, helper_mb = (
        statistics.median(run[i] for run in runs) for i in range(4)
    )
    report.add("rebuild_events", "events in the generated store", generated.events, "events")
    report.floor(
        "rebuild_events_per_s",
        f"full rebuild of every projection (median of {repeats})",
        generated.events / seconds,
        "ev/s",
        20_000,
    )
    report.add("rebuild_fastest_s", "the fastest rebuild", min(run[1] for run in runs), "s")
    report.add("rebuild_slowest_s", "the slowest rebuild", max(run[1] for run in runs), "s")
    report.limit(
        "rebuild_peak_mb",
        "rebuild peak memory (RSS), its process and its helper's together",
        peak_mb + helper_mb,
        "MB",
        300,
    )
    report.add("rebuild_process_peak_mb", "of which the rebuild's own process", peak_mb, "MB")
    report.add(
        "rebuild_links_s",
        "of which the timeline's links, filled in one statement (write lock held)",
        finalizing,
        "s",
    )


def _rebuild_once(path: Path) -> list[float]:
    output = subprocess.run(
        [sys.executable, "-c", REBUILD_SCRIPT, f"sqlite:///{path}"],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout.split()
    return [float(v) for v in output[-4:]]


def _crm_seconds(args: list[str], url: str, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from crm.cli.main import run; run()", "--db", url, *args],
            check=True,
            capture_output=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_queries(report: Report, path: Path, generated: Generated, repeats: int) -> None:
    """Whole `crm timeline` and `crm upcoming` commands, as a user runs them."""
    url = f"sqlite:///{path}"
    busy = str(generated.busy_partnership)
    timeline = _crm_seconds(["timeline", busy, "--format", "json"], url, repeats)
    upcoming = _crm_seconds(["upcoming", "--days", "30", "--format", "json"], url, repeats)
    report.limit("timeline_ms", "crm timeline, 5,000-entry partnership", timeline * 1000, "ms", 300)
    report.limit("upcoming_ms", "crm upcoming --days 30", upcoming * 1000, "ms", 300)


def bench_catch_up(report: Report, path: Path, generated: Generated, repeats: int) -> None:
    """Catch-up of every projection after one new command (in process)."""
    from datetime import UTC, datetime

    from crm.commands.context import CommandContext
    from crm.commands.interactions import log_interaction
    from events.connect import open_store
    from events.schemas.interactions import InteractionLogged
    from events.schemas.values import Person
    from projections.catalog import all_projections
    from projections.runner import ProjectionRunner

    store = open_store(f"sqlite:///{path}")
    runner = ProjectionRunner(store, all_projections())
    runner.catch_up()
    samples = []
    for i in range(repeats):
        ctx = CommandContext(store=store, now=datetime.now(UTC), actor="bench")
        event = InteractionLogged(
            interaction_id=uuid4(),
            kind="call",
            held_at=datetime.now(UTC),
            timezone="UTC",
            participants=(Person(contact_id=generated.contacts[i]),),
            partnership_id=generated.partnerships[i],
            subject="Quick call",
        )
        log_interaction(ctx, event)
        start = time.perf_counter()
        runner.catch_up()
        samples.append(time.perf_counter() - start)
    store.engine.dispose()
    report.limit(
        "catch_up_ms", "catch-up after one command", statistics.median(samples) * 1000, "ms", 20
    )
