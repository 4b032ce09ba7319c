"""The README is true: its story logs end to end, and every command it lists exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.clirunner import crm_json, crm_ok

README = Path(__file__).resolve().parents[2] / "README.md"


def story_commands() -> list[list[str]]:
    """The commands of the README's "Logging the story yourself" block, one argv each."""
    text = README.read_text()
    section = text.split("## Logging the story yourself", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    joined = block.group(1).replace("\\\n", " ")
    return [shlex.split(line)[1:] for line in joined.splitlines() if line.startswith("crm ")]


def test_the_story_in_the_readme_logs_end_to_end(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    commands = story_commands()

    for argv in commands:
        crm_ok(*argv, db=sqlite_url)
    report = crm_json("timeline", "Liverpool-Kunming", db=sqlite_url)

    assert len(commands) >= 14
    assert (tmp_path / "kunming.html").exists()
    assert report["status"] == "active"
    assert {"meeting", "signing", "mission", "visit", "followup"} <= {
        i["kind"] for i in report["items"]
    }


def test_every_command_group_in_the_readme_exists() -> None:
    from typer.main import get_command

    from crm.cli.main import app

    known = set(get_command(app).list_commands(None))  # type: ignore[attr-defined,arg-type]
    listed = set(re.findall(r"(?<![-\w])crm ([a-z]+)", README.read_text()))

    assert listed <= known
    assert known <= listed | {"help"}
