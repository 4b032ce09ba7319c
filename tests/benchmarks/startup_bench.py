"""Start-up cost of the CLI as whole processes, next to an empty Python process."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.benchmarks.generate import Generated
from tests.benchmarks.measure import Report
from tests.benchmarks.processes import CRM, median_process_seconds


def bench_startup(report: Report, store: Path, generated: Generated, repeats: int) -> None:
    """`python -c pass`, `crm --help`, and one `crm log meeting` on the generated store."""
    empty = median_process_seconds([sys.executable, "-c", "pass"], repeats)
    helped = median_process_seconds([*CRM, "--help"], repeats)
    contact = str(generated.contacts[7])
    partnership = str(generated.partnerships[7])
    meeting = [
        *CRM,
        "--db",
        f"sqlite:///{store}",
        "log",
        "meeting",
        "--with",
        contact,
        "--on",
        "2026-03-02 10:00",
        "--partnership",
        partnership,
        "--subject",
        "Benchmark talks",
    ]
    logged = median_process_seconds(meeting, repeats)
    report.add("python_start_ms", "python -c pass", empty * 1000, "ms")
    report.limit("help_ms", "crm --help", helped * 1000, "ms", 250)
    report.add("help_vs_python", "crm --help / python -c pass", helped / empty, "x")
    report.limit(
        "log_meeting_ms",
        f"crm log meeting ({generated.events:,}-event store)",
        logged * 1000,
        "ms",
        500,
    )
