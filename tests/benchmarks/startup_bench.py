"""Start-up cost of the CLI as whole processes, next to an empty Python process."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.benchmarks.generate import Generated
from tests.benchmarks.measure import Report
from tests.benchmarks.processes import CRM, median_process_seconds

FIXED_IMPORTS = "import sqlalchemy, pydantic, typer; pydantic.BaseModel"
"""The floor under every command that touches the store: the packages the brief fixes
(pydantic's BaseModel is loaded lazily, so it is named to load it)."""


def bench_startup(report: Report, store: Path, generated: Generated, repeats: int) -> None:
    """`python -c pass`, the fixed runtime's imports, `crm --help`, and one `crm log meeting`
    on the generated store."""
    empty = median_process_seconds([sys.executable, "-c", "pass"], repeats)
    fixed = median_process_seconds([sys.executable, "-c", FIXED_IMPORTS], repeats)
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
    report.add(
        "fixed_imports_ms",
        "python importing SQLAlchemy, pydantic and typer (the fixed runtime), nothing else",
        fixed * 1000,
        "ms",
    )
    report.limit("help_ms", "crm --help", helped * 1000, "ms", 250)
    report.add("help_vs_python", "crm --help / python -c pass", helped / empty, "x")
    report.limit(
        "log_meeting_ms",
        f"crm log meeting ({generated.events:,}-event store)",
        logged * 1000,
        "ms",
        500,
    )
