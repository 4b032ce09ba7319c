"""Drive `crm` through its real command group, the way a user's shell does."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner, Result

from crm.cli.main import app


def crm(*args: str, db: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run `crm [--db URL] ARGS...` in-process and return its result."""
    argv = (["--db", db] if db else []) + list(args)
    return CliRunner().invoke(app, argv, env=env)


def crm_ok(*args: str, db: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Run `crm` and insist it succeeded, showing its output when it did not."""
    result = crm(*args, db=db, env=env)
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    return result


def crm_json(*args: str, db: str | None = None, env: dict[str, str] | None = None) -> Any:
    """Run `crm ... --format json` and parse what it printed."""
    return json.loads(crm_ok(*args, "--format", "json", db=db, env=env).stdout)


def assert_one_line_error(result: Result, code: int = 1, *, contains: str = "") -> None:
    """A failure shows one line on stderr, no traceback, and the expected exit code."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == code, f"exit {result.exit_code}: {result.stderr}"
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert contains in lines[0], lines[0]
