"""Start-up stays lean: `crm --help` loads neither the database layer nor the event models."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from pathlib import Path
from crm.cli.main import run
sys.argv = ["crm", "--help"]
try:
    run()
except SystemExit:
    pass
heavy = [m for m in ("sqlalchemy", "pydantic", "rich", "apscheduler", "events.sql_store")
         if m in sys.modules]
print("HEAVY", ",".join(heavy))
"""


def test_help_loads_no_heavy_module() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    ).stdout

    assert "Usage: crm" in out
    assert out.strip().splitlines()[-1] == "HEAVY"


COLLECTOR_PROBE = """
import gc, sys
from crm.cli.main import run
sys.argv = ["crm", *sys.argv[1:]]
try:
    run()
except SystemExit:
    pass
print("COLLECTOR", "on" if gc.isenabled() else "off")
"""


def _collector_after(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", COLLECTOR_PROBE, *args], capture_output=True, text=True, check=True
    ).stdout
    return out.strip().splitlines()[-1]


def test_short_commands_run_without_the_cyclic_collector_and_long_ones_with_it(
    tmp_path: Path,
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'crm.db'}"]
    assert _collector_after(*db, "init") == "COLLECTOR off"
    assert _collector_after(*db, "upcoming", "--format", "json") == "COLLECTOR off"
    assert _collector_after(*db, "projections", "status") == "COLLECTOR on"
    assert _collector_after(*db, "export", "events", str(tmp_path / "log.jsonl")) == "COLLECTOR on"
