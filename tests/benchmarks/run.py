"""Benchmark report: every performance figure, measured side by side with its raw baseline.

Usage: python tests/benchmarks/run.py [--quick]
Prints a table, then one JSON object with every figure as the last line. Without --quick
it generates a 1,000,000-event store (several minutes); --quick uses small sizes and
finishes in about a minute.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import events.schemas  # noqa: F401  (registers every event type)
from tests.benchmarks import (
    exchange_bench,
    projection_bench,
    reminder_bench,
    startup_bench,
    store_bench,
)
from tests.benchmarks.measure import Report


@contextmanager
def _postgres_schema_url(base: str) -> Iterator[str]:
    """A URL into a fresh schema of its own, dropped with everything in it afterwards."""
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"crm_bench_{uuid.uuid4().hex[:10]}"
    conninfo = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(base)
    try:
        yield url.set(query={**url.query, "options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


def _compile_bytecode() -> None:
    """Write the project's bytecode, as an installed copy has it.

    A user's `crm` reads its modules' cached bytecode; where PYTHONDONTWRITEBYTECODE is set
    (as on the machines these figures come from), every timed process would compile them
    from source again: 10 to 40 ms a command that no user pays.
    """
    root = Path(__file__).resolve().parents[2]
    for package in ("crm", "events", "projections"):
        compileall.compile_dir(root / package, quiet=1)


def main() -> None:
    """Run every benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes; about a minute")
    quick = parser.parse_args().quick
    _compile_bytecode()
    report = Report()
    report.figures["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    report.figures["quick"] = quick
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        workdir = Path(tmp)
        batch = 20_000 if quick else 100_000
        _say(f"store: {batch:,} events")
        full = store_bench.bench_batch_append(report, workdir, batch, 1 if quick else 3)
        store_bench.bench_read_all(report, full, batch, 3 if quick else 5)
        store_bench.bench_single_appends(report, workdir, 100 if quick else 300, 3)
        postgres = os.environ.get("CRM_TEST_POSTGRES_URL")
        if postgres:
            with _postgres_schema_url(postgres) as url:
                store_bench.bench_postgres_batch(report, url, 5_000 if quick else 20_000, 3)
            with _postgres_schema_url(postgres) as url:
                store_bench.bench_postgres_writers(report, url, 8, 100 if quick else 400)
        else:
            _say("CRM_TEST_POSTGRES_URL not set: PostgreSQL figures skipped")
        size = 50_000 if quick else 1_000_000
        _say(f"generating a realistic store of {size:,} events")
        generated_path = workdir / "generated.db"
        generated = projection_bench.build_store(generated_path, size)
        _say("projections")
        projection_bench.bench_rebuild(report, generated_path, generated, 1 if quick else 3)
        projection_bench.bench_queries(report, generated_path, generated, 5)
        projection_bench.bench_catch_up(report, generated_path, generated, 20)
        _say("start-up")
        startup_bench.bench_startup(report, generated_path, generated, 5)
        _say("exports and imports")
        exchange_bench.bench_log_round_trip(report, workdir, generated_path, generated.events)
        exchange_bench.bench_csv_import(report, workdir, 2_000 if quick else 10_000, 5)
        _say("reminder sweep")
        reminder_bench.bench_sweep(
            report, workdir, 10_000 if quick else 100_000, 1_000 if quick else 10_000, 3
        )
    _side_by_side(report)
    report.print()


def _side_by_side(report: Report) -> None:
    """Ratios of figures measured in this run that have no raw twin of their own."""
    f = report.figures
    if "rebuild_events_per_s" in f and "read_all_raw_rows_per_s" in f:
        report.ratio(
            "rebuild_vs_raw_read",
            "rebuild vs raw SELECT + json.loads",
            f["rebuild_events_per_s"],
            f["read_all_raw_rows_per_s"],
            None,
        )
    for key, label in (
        ("log_meeting_ms", "crm log meeting / python -c pass"),
        ("timeline_ms", "crm timeline / python -c pass"),
        ("upcoming_ms", "crm upcoming / python -c pass"),
    ):
        if key in f and f.get("python_start_ms"):
            report.ratio(f"{key[:-3]}_vs_python", label, f[key], f["python_start_ms"], None)
        if key in f and f.get("fixed_imports_ms"):
            report.ratio(
                f"{key[:-3]}_vs_imports",
                label.replace("python -c pass", "the fixed runtime's imports"),
                f[key],
                f["fixed_imports_ms"],
                None,
            )


if __name__ == "__main__":
    main()
