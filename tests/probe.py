"""Run `crm` in a fresh interpreter, then report on what that process loaded or left on."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import sys
from crm.cli.main import run
sys.argv = ["crm", *sys.argv[1:]]
code = 0
try:
    run()
except SystemExit as stop:
    code = stop.code or 0
print("EXIT=" + str(code))
print("REPORT=" + str({report}))
"""


def after_crm(report: str, *args: str, exit_code: int = 0) -> str:
    """Run `crm ARGS` in a new process, insist it ended with `exit_code`, and return the value
    of the expression `report` there, evaluated once the command has finished (as text)."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(report=report), *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    *_, exit_line, last = out.strip().splitlines()
    assert exit_line == f"EXIT={exit_code}", f"crm {' '.join(args)}:\n{out}"
    assert last.startswith("REPORT="), out
    return last.removeprefix("REPORT=")


def heavy_modules_after(*args: str, exit_code: int = 0) -> str:
    """The heavy modules `crm ARGS` loaded, comma-separated ("" for none)."""
    names = (
        "sqlalchemy",
        "pydantic",
        "rich",
        "apscheduler",
        "events.schemas",
        "projections.runner",
    )
    report = f"','.join(m for m in {names!r} if m in sys.modules)"
    return after_crm(report, *args, exit_code=exit_code)
