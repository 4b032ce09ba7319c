"""Every CLI command fuzzed with hostile arguments: never a traceback; a failure is one line,
a non-zero exit, and nothing written. The command list comes from the CLI itself, so a new
command is fuzzed without anyone adding it here.

On both backends: PostgreSQL refuses what SQLite stores (a NUL in text, an index entry over
2,700 bytes), so a value that passes validation can still fail there. PostgreSQL runs every
command against one shared demo schema (loading the demo per command costs seconds), so
state left by one command's successes is what the next one meets."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crm.cli.main import app
from tests.clirunner import crm_ok
from tests.conftest import postgres_schema
from tests.events.raw import execute

NEVER = {("remind", "daemon")}
"""Runs until stopped. (`remind send` is fuzzed with --dry-run, so it mails no one.)"""
SKIPPED_OPTIONS = {"--install-completion", "--show-completion", "--help"}
EXAMPLES = int(os.environ.get("CRM_FUZZ_EXAMPLES", "12"))
"""Hypothesis examples per command: 12 in CI, more with CRM_FUZZ_EXAMPLES."""
IN_CI = os.environ.get("CI") == "true"
"""CI draws the same examples every run (a red build is then always a real regression);
elsewhere each run explores new ones."""

PLAUSIBLE = [
    "Zhao Xuenong",
    "Gary Millar",
    "Liverpool City Council",
    "Liverpool-Kunming",
    "2016-03-10",
    "2016-03-10 14:00",
    "today",
    "next friday",
    "Asia/Shanghai",
    "Kunming",
    "international.office@liverpool.example",
    "summary=Agreed the festival dates",
    "meeting",
    "active",
    "json",
]
HOSTILE = [
    "",
    " ",
    "-",
    "--",
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "<script>alert('x')</script>",
    '=HYPERLINK("http://evil.example")',
    "Line one\r\nBcc: victim@example.com",
    "\x00\x01\x1b[31m",
    "\u202eevil\u202c",
    "2016-02-30",
    "2016-13-01",
    "0000-00-00",
    "9999-12-31 23:59",
    "2016-03-27 01:30",
    "24:61",
    "Mars/Base",
    "../../../etc/passwd",
    "%s%n%x",
    "{0.__class__}",
    "-1",
    "99999999999999999999",
    "NaN",
    "中文 名字 🎉",
    "é" * 400,
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(PLAUSIBLE),
    st.text(max_size=40),
    st.integers(min_value=300, max_value=300_000).map(lambda n: "x" * n),
)


@dataclass(frozen=True)
class Param:
    """One argument or option of a command, as the fuzzer fills it."""

    opt: str | None  # None for a positional argument
    flag: bool
    required: bool
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    path: tuple[str, ...]
    params: tuple[Param, ...]


def _specs() -> list[Spec]:
    """Every leaf command of `crm`, with its arguments and options."""
    root = typer.main.get_command(app)
    found: list[Spec] = []

    def walk(command: Any, path: tuple[str, ...], ctx: Any) -> None:
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                walk(
                    sub,
                    (*path, name),
                    sub.make_context(name, [], parent=ctx, resilient_parsing=True),
                )
            return
        params = []
        for p in command.params:
            if p.opts[0] in SKIPPED_OPTIONS:
                continue
            positional = type(p).__name__.endswith("Argument")
            choices = tuple(str(c) for c in getattr(p.type, "choices", ()) or ())
            params.append(
                Param(
                    None if positional else p.opts[0],
                    bool(getattr(p, "is_flag", False)),
                    p.required,
                    choices,
                )
            )
        found.append(Spec(path, tuple(params)))

    walk(root, (), root.make_context("crm", [], resilient_parsing=True))
    return [s for s in found if s.path not in NEVER]


SPECS = _specs()


@st.composite
def argv_for(draw: st.DrawFn, spec: Spec) -> list[str]:
    """Arguments for `spec`: each filled, left out, or given a hostile value."""
    argv = list(spec.path)
    for param in spec.params:
        if param.flag:
            if draw(st.booleans()):
                argv.append(str(param.opt))
            continue
        if not param.required and not draw(st.booleans()):
            continue
        value = draw(
            st.sampled_from(param.choices) | hostile_text if param.choices else hostile_text
        )
        argv.extend([value] if param.opt is None else [param.opt, value])
    if spec.path == ("remind", "send"):
        argv.append("--dry-run")
    return argv


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo store, built once and copied for each command."""
    path = tmp_path_factory.mktemp("fuzz") / "demo.db"
    crm_ok("demo", db=f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def demo_schema() -> Iterator[str]:
    """One demo store in a PostgreSQL schema of its own, shared by every command."""
    with postgres_schema() as url:
        crm_ok("demo", db=url)
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest,
    demo_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> str:
    monkeypatch.chdir(tmp_path)  # any file a command writes lands here
    if request.param == "postgres":
        return str(request.getfixturevalue("demo_schema"))
    copy = tmp_path / "crm.db"
    shutil.copy(demo_store, copy)
    return f"sqlite:///{copy}"


def _head(url: str) -> int:
    return int(execute(url, "SELECT coalesce(max(position), 0) FROM events")[0][0])


@pytest.mark.slow
@pytest.mark.parametrize("spec", SPECS, ids=[" ".join(s.path) for s in SPECS])
def test_hostile_arguments_fail_cleanly_or_succeed(spec: Spec, store: str) -> None:
    db = store
    runner = CliRunner()

    @settings(
        max_examples=EXAMPLES,
        derandomize=IN_CI,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(argv=argv_for(spec))
    def attempt(argv: list[str]) -> None:
        before = _head(store)
        result = runner.invoke(app, ["--db", db, *argv])
        shown = result.stdout + result.stderr
        assert "Traceback" not in shown
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "internal error" not in result.stderr, result.stderr
        if result.exit_code != 0:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, result.stderr
            assert lines[0].startswith("Error: ")
            assert _head(store) == before, "a failed command wrote to the log"

    attempt()
