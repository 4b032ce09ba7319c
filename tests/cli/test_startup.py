"""Start-up stays lean: `crm --help` loads neither the database layer nor the event models,
and short commands leave the cyclic garbage collector off."""

from __future__ import annotations

from pathlib import Path

from tests.probe import after_crm, heavy_modules_after


def test_help_loads_no_heavy_module() -> None:
    assert heavy_modules_after("--help") == ""


def _collector_after(*args: str) -> str:
    return after_crm("__import__('gc').isenabled()", *args)


def test_short_commands_run_without_the_cyclic_collector_and_long_ones_with_it(
    tmp_path: Path,
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'crm.db'}"]
    assert _collector_after(*db, "init") == "False"
    assert _collector_after(*db, "upcoming", "--format", "json") == "False"
    assert _collector_after(*db, "projections", "status") == "True"
    assert _collector_after(*db, "export", "events", str(tmp_path / "log.jsonl")) == "True"
