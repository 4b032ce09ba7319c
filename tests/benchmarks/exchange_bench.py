"""Imports and exports: a 10,000-contact CSV, and a whole log out and back in."""

from __future__ import annotations

import csv
import statistics
import sys
from pathlib import Path

from tests.benchmarks.measure import Report
from tests.benchmarks.processes import CRM, peak_mb, run_crm

RAW_CSV_IMPORT = """
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = FULL")
db.execute("CREATE TABLE contacts (name, email, organisation, title, phone)")
with open(sys.argv[1], newline="") as handle:
    rows = list(csv.reader(handle))[1:]
db.execute("BEGIN")
db.executemany("INSERT INTO contacts VALUES (?, ?, ?, ?, ?)", rows)
db.execute("COMMIT")
"""
"""The floor under a CSV import on this machine: a process that reads the file with the
stdlib and writes its rows to a new SQLite file in one durable transaction (no checks, no
events, no read models). It moves with the machine as our figure does."""


def bench_csv_import(report: Report, workdir: Path, rows: int, repeats: int) -> None:
    """`crm import csv` of contacts as a whole process, each time into a new store (median)."""
    source = workdir / "contacts.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "email", "organisation", "title", "phone"])
        for i in range(rows):
            writer.writerow(
                [
                    f"Given{i} Family{i}",
                    f"person{i}@org{i % 100}.example",
                    f"Organisation {i % 100}",
                    "Director",
                    f"+44 151 {i:07d}",
                ]
            )
    timings, raw_timings = [], []
    for attempt in range(repeats):  # ours and the raw baseline in turn, so both meet one machine
        url = f"sqlite:///{workdir / f'import-{attempt}.db'}"
        run_crm(["--db", url, "init"])
        command = [*CRM, "--db", url, "import", "csv", str(source), "--kind", "contacts"]
        timings.append(peak_mb(command)[0])
        raw = [sys.executable, "-c", RAW_CSV_IMPORT, str(source), str(workdir / f"raw-{attempt}")]
        raw_timings.append(peak_mb(raw)[0])
    ours, floor = rows / statistics.median(timings), rows / statistics.median(raw_timings)
    report.add("csv_rows", "CSV contacts imported", rows, "rows")
    report.floor("csv_rows_per_s", "crm import csv, whole command", ours, "rows/s", 5_000)
    report.add("csv_raw_rows_per_s", "raw: csv module + sqlite3, whole process", floor, "rows/s")
    report.ratio("csv_ratio", "crm import csv vs raw", ours, floor, None)


def bench_log_round_trip(report: Report, workdir: Path, store: Path, events: int) -> None:
    """Export the generated store's log and import it into a new store: time and memory."""
    dump = workdir / "log.jsonl"
    url = f"sqlite:///{store}"
    out_s, out_mb = peak_mb([*CRM, "--db", url, "export", "events", str(dump)])
    target = f"sqlite:///{workdir / 'restored.db'}"
    in_s, in_mb = peak_mb([*CRM, "--db", target, "import", "events", str(dump)])
    report.add("export_events_per_s", "crm export events", events / out_s, "ev/s")
    report.limit("export_peak_mb", "crm export events peak memory", out_mb, "MB", 300)
    report.add("import_events_per_s", "crm import events (with catch-up)", events / in_s, "ev/s")
    report.limit("import_peak_mb", "crm import events peak memory", in_mb, "MB", 300)
