"""Store figures: batch and single appends and decoding reads against raw sqlite3; PG writers."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from events.connect import open_store
from events.envelope import PendingEvent
from events.schemas.interactions import InteractionLogged
from events.schemas.values import Person
from tests.benchmarks.measure import Report, median_seconds

KUNMING = timezone(timedelta(hours=8))
SUMMARY = (
    "Discussed the Friendship Partnership Agreement, a Kunming delegation to the International "
    "Festival for Business, and cooperation in trade, education, culture and tourism over tea."
)

RAW_SCHEMA = """
CREATE TABLE events (
    position INTEGER PRIMARY KEY, event_id VARCHAR(36) NOT NULL UNIQUE,
    stream_id VARCHAR(200) NOT NULL, stream_version INTEGER NOT NULL, type VARCHAR(120) NOT NULL,
    schema_version INTEGER NOT NULL, occurred_at VARCHAR(40) NOT NULL,
    recorded_at VARCHAR(40) NOT NULL, actor VARCHAR(200) NOT NULL, source VARCHAR(200) NOT NULL,
    correlation_id VARCHAR(36), causation_id VARCHAR(36), payload TEXT NOT NULL,
    hash VARCHAR(64) NOT NULL, UNIQUE (stream_id, stream_version))
"""


def meeting(i: int) -> PendingEvent[InteractionLogged]:
    """A realistic logged meeting: three people with titles, a ~200-character summary."""
    held = datetime(2016, 2, 25, 10, tzinfo=KUNMING) + timedelta(hours=i)
    event = InteractionLogged(
        interaction_id=uuid.uuid4(),
        kind="meeting",
        held_at=held,
        timezone="Asia/Shanghai",
        place="Kunming Municipal Government, Dianchi Road",
        participants=tuple(
            Person(contact_id=uuid.uuid4(), organisation_id=uuid.uuid4(), title="Vice Mayor")
            for _ in range(3)
        ),
        partnership_id=uuid.uuid4(),
        subject=f"Partnership follow-up {i}",
        summary=SUMMARY,
        outcomes=("Exchange delegation lists by March",),
    )
    return PendingEvent(event, held)


def raw_rows(events: list[PendingEvent[InteractionLogged]]) -> list[tuple[Any, ...]]:
    """The same events as rows of the same shape, ready for a raw executemany."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    return [
        (
            i,
            str(uuid.uuid4()),
            "interaction-bench",
            i,
            "InteractionLogged",
            1,
            e.occurred_at.isoformat(timespec="microseconds") if e.occurred_at else now,
            now,
            "bench",
            "bench",
            None,
            None,
            e.event.model_dump_json(),
            "0" * 64,
        )
        for i, e in enumerate(events, 1)
    ]


def raw_connection(path: Path) -> sqlite3.Connection:
    """A stdlib connection with the store's own durability settings (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def bench_batch_append(report: Report, workdir: Path, count: int, repeats: int) -> Path:
    """Append `count` meetings in one call against one raw executemany; return a full store."""
    events = [meeting(i) for i in range(count)]
    rows = raw_rows(events)
    ours_path, raw_path = workdir / "batch-ours.db", workdir / "batch-raw.db"

    def ours() -> None:
        store = open_store(f"sqlite:///{ours_path}")
        store.append("interaction-bench", events, expected_version=0)
        store.engine.dispose()

    def raw() -> None:
        conn = raw_connection(raw_path)
        conn.execute(RAW_SCHEMA)
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.execute("COMMIT")
        raw_times.append(time.perf_counter() - start)
        conn.close()

    def setup_ours() -> None:
        _fresh(ours_path)
        open_store(f"sqlite:///{ours_path}").engine.dispose()

    raw_times: list[float] = []
    ours_s = median_seconds(ours, repeats, setup_ours)
    median_seconds(raw, repeats, lambda: _fresh(raw_path))
    raw_s = sorted(raw_times)[len(raw_times) // 2]
    report.add("append_batch_events_per_s", "batch append (events/s)", count / ours_s, "ev/s")
    report.add("append_batch_raw_rows_per_s", "raw executemany (rows/s)", count / raw_s, "rows/s")
    report.ratio("append_batch_ratio", "batch append vs raw", raw_s / ours_s, 1.0, 0.40)
    return ours_path


def bench_single_appends(report: Report, workdir: Path, count: int, repeats: int) -> None:
    """One durable transaction per event against raw single-row commits, same pragmas."""
    events = [meeting(i) for i in range(count)]
    rows = raw_rows(events)
    ours_path, raw_path = workdir / "single-ours.db", workdir / "single-raw.db"

    def ours() -> None:
        store = open_store(f"sqlite:///{ours_path}")
        start = time.perf_counter()
        for version, event in enumerate(events):
            store.append("interaction-bench", [event], expected_version=version)
        ours_times.append(time.perf_counter() - start)
        store.engine.dispose()

    def raw() -> None:
        conn = raw_connection(raw_path)
        conn.execute(RAW_SCHEMA)
        start = time.perf_counter()
        for row in rows:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
            conn.execute("COMMIT")
        raw_times.append(time.perf_counter() - start)
        conn.close()

    ours_times: list[float] = []
    raw_times: list[float] = []
    for _ in range(repeats):  # interleaved, so both see the same disk weather
        _fresh(ours_path)
        ours()
        _fresh(raw_path)
        raw()
    ours_s, raw_s = sorted(ours_times)[repeats // 2], sorted(raw_times)[repeats // 2]
    report.add("append_single_per_s", "single durable appends (/s)", count / ours_s, "ev/s")
    report.add("append_single_raw_per_s", "raw single-row commits (/s)", count / raw_s, "rows/s")
    report.ratio("append_single_ratio", "single appends vs raw", raw_s / ours_s, 1.0, 0.50)


def bench_read_all(report: Report, path: Path, count: int, repeats: int) -> None:
    """Decode the whole log into events against a raw SELECT plus json.loads."""
    store = open_store(f"sqlite:///{path}")

    def ours() -> None:
        n = sum(1 for record in store.read_all() if record.event is not None)
        assert n == count

    def raw() -> None:
        conn = sqlite3.connect(path)
        n = 0
        for row in conn.execute("SELECT * FROM events ORDER BY position"):
            json.loads(row[12])
            n += 1
        conn.close()
        assert n == count

    ours_s, raw_s = median_seconds(ours, repeats), median_seconds(raw, repeats)
    store.engine.dispose()
    report.add("read_all_events_per_s", "read_all decoded (events/s)", count / ours_s, "ev/s")
    report.add(
        "read_all_raw_rows_per_s", "raw SELECT + json.loads (rows/s)", count / raw_s, "rows/s"
    )
    report.ratio("read_all_ratio", "read_all vs raw", raw_s / ours_s, 1.0, 0.60)


PG_RAW_SCHEMA = RAW_SCHEMA.replace("CREATE TABLE events", "CREATE TEMP TABLE raw_events").replace(
    "position INTEGER PRIMARY KEY", "position BIGINT PRIMARY KEY"
)


def bench_postgres_batch(report: Report, url: str, count: int, repeats: int) -> None:
    """One append of `count` meetings on PostgreSQL against COPY of rows of the same shape."""
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    store = open_store(url)
    ours_times: list[float] = []
    raw_times: list[float] = []
    for repeat in range(repeats):  # interleaved, so both see the same server weather
        events = [meeting(i) for i in range(count)]  # fresh ids: a re-append would be a no-op
        rows = raw_rows(events)
        start = time.perf_counter()
        store.append(f"interaction-batch-{repeat}", events, expected_version=0)
        ours_times.append(time.perf_counter() - start)
        with psycopg.connect(conninfo) as conn:
            conn.execute(PG_RAW_SCHEMA)
            start = time.perf_counter()
            with conn.cursor().copy("COPY raw_events FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
            raw_times.append(time.perf_counter() - start)
    store.engine.dispose()
    ours_s, raw_s = sorted(ours_times)[repeats // 2], sorted(raw_times)[repeats // 2]
    report.add(
        "pg_batch_events_per_s", "PostgreSQL batch append (events/s)", count / ours_s, "ev/s"
    )
    report.add("pg_copy_rows_per_s", "PostgreSQL COPY (rows/s)", count / raw_s, "rows/s")
    report.ratio("pg_batch_ratio", "PostgreSQL batch append vs COPY", raw_s / ours_s, 1.0, None)


def _pg_writer(url: str, worker: int, count: int, start: Any) -> int:
    import events.schemas  # noqa: F401

    store = open_store(url)
    start.wait()
    for i in range(count):
        store.append(f"interaction-w{worker}", [meeting(i)], expected_version=i)
    store.engine.dispose()
    return count


def _tail(url: str, done: Any) -> Iterator[int]:
    store = open_store(url)
    last = 0
    while True:
        finished = done()
        for record in store.read_all(after_position=last):
            yield record.position
            last = record.position
        if finished:
            break
    store.engine.dispose()


def bench_postgres_writers(report: Report, url: str, writers: int, count: int) -> None:
    """Eight writer processes on PostgreSQL, with a reader tailing the log by position."""
    from concurrent.futures import ProcessPoolExecutor

    open_store(url).engine.dispose()
    context = multiprocessing.get_context("spawn")
    start_signal = context.Manager().Event()
    with ProcessPoolExecutor(writers, mp_context=context) as pool:
        futures = [pool.submit(_pg_writer, url, w, count, start_signal) for w in range(writers)]
        time.sleep(1.0)  # let every worker open its store before the clock starts
        started = time.perf_counter()
        start_signal.set()
        seen = list(_tail(url, lambda: all(f.done() for f in futures)))
        elapsed = time.perf_counter() - started
        written = sum(f.result() for f in futures)
    probe = open_store(url)
    assert probe.head_position() == written, "the writers' schema must start empty"
    probe.engine.dispose()
    skipped = written - len(seen) if seen == sorted(set(seen)) else written
    report.add("pg_writers", "PostgreSQL writer processes", writers, "procs")
    report.add(
        "pg_concurrent_events_per_s", "PostgreSQL appends (events/s)", written / elapsed, "ev/s"
    )
    report.limit("pg_tail_skipped", "events skipped by tailing reader", skipped, "events", 0)
