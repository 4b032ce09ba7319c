"""Start-up stays lean: `crm --help` loads neither the database layer nor the event models."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
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
