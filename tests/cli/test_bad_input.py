"""Bad input: one clear line on stderr, exit 1 (usage errors 2), no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cli.story import add_story
from tests.clirunner import assert_one_line_error, crm, crm_json, crm_ok

MEETING = ("log", "meeting", "--with", "Zhao Xuenong", "--subject", "Talks")

REJECTED = [
    pytest.param(("contact", "show", "Nobody Here"), "no contact called", id="unknown-ref"),
    pytest.param((*MEETING, "--on", "2016-02-30"), "not a real date", id="impossible-date"),
    pytest.param((*MEETING, "--on", "2016-02-25 25:00"), "", id="impossible-time"),
    pytest.param(
        (*MEETING, "--on", "2016-02-25", "--timezone", "Mars/Base"),
        "unknown time zone",
        id="bad-zone",
    ),
    pytest.param(
        ("log", "meeting", "--with", "Zhao Xuenong", "--on", "today", "--subject", "   "),
        "must not be empty",
        id="empty-subject",
    ),
    pytest.param(
        (
            "log",
            "meeting",
            "--with",
            "Zhao Xuenong",
            "--on",
            "today",
            "--subject",
            "Line one\r\nBcc: x@y.com",
        ),
        "one line",
        id="control-chars",
    ),
    pytest.param(
        ("log", "meeting", "--with", "Zhao Xuenong", "--on", "today", "--subject", "x" * 301),
        "too long",
        id="too-long",
    ),
    pytest.param(
        (
            "log",
            "meeting",
            "--with",
            "Zhao Xuenong",
            "--on",
            "today",
            "--subject",
            "x",
            "--summary",
            "y" * 20_001,
        ),
        "too long",
        id="summary-too-long",
    ),
    pytest.param(
        ("contact", "add", "Wang Fang", "--email", "wang@@example"),
        "not an email address",
        id="bad-email",
    ),
    pytest.param(
        ("contact", "add", "Wang Fang", "--timezone", "Asia/Kunming/Old"),
        "unknown time zone",
        id="bad-contact-zone",
    ),
    pytest.param(
        (
            "mission",
            "add",
            "Backwards",
            "--direction",
            "inbound",
            "--start",
            "2016-06-23",
            "--end",
            "2016-06-20",
            "--place",
            "Liverpool",
        ),
        "before the start",
        id="end-before-start",
    ),
    pytest.param(
        (
            "sign",
            "Agreement",
            "--partnership",
            "Liverpool-Kunming",
            "--on",
            "2016-02-25",
            "--place",
            "Kunming",
            "--signatory",
            "Gary Millar",
            "--expires",
            "2016-01-01",
        ),
        "must expire after",
        id="expiry-before-signing",
    ),
    pytest.param(
        ("partnership", "add", "Self", "--between", "Liverpool", "--and", "Liverpool"),
        "two different",
        id="partnership-with-itself",
    ),
    pytest.param(("org", "add", "Liverpool City Council"), "already exists", id="duplicate-org"),
    pytest.param(
        ("contact", "add", "Z X", "--email", "zhao@km.example.cn"),
        "existing contact",
        id="duplicate-email",
    ),
    pytest.param(
        ("correct", "Zhao Xuenong", "--set", "nonsense=1", "--reason", "x"),
        "cannot correct nonsense",
        id="correct-unknown-field",
    ),
    pytest.param(
        ("correct", "Zhao Xuenong", "--set", "timezone=Asia/Shanghai", "--reason", ""),
        "must not be empty",
        id="correct-without-reason",
    ),
]


@pytest.fixture
def db(sqlite_url: str) -> str:
    add_story(sqlite_url)
    return sqlite_url


@pytest.mark.parametrize(("args", "message"), REJECTED)
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    db: str, args: tuple[str, ...], message: str
) -> None:
    before = crm_json("status", db=db)["events"]

    result = crm(*args, db=db)

    assert_one_line_error(result, 1, contains=message)
    assert crm_json("status", db=db)["events"] == before


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("log", "meeting", "--on", "today", "--subject", "x"), id="missing-with"),
        pytest.param(("mission", "add", "X"), id="missing-options"),
        pytest.param(("org", "add", "X", "--bogus"), id="unknown-option"),
        pytest.param(("nonsense",), id="unknown-command"),
        pytest.param(("followup", "add", "Call", "--due", "tomorrow"), id="followup-no-owner"),
        pytest.param(
            (
                "mission",
                "add",
                "X",
                "--direction",
                "sideways",
                "--start",
                "today",
                "--end",
                "today",
                "--place",
                "Liverpool",
            ),
            id="bad-direction",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(db: str, args: tuple[str, ...]) -> None:
    before = crm_json("status", db=db)["events"]

    assert_one_line_error(crm(*args, db=db), 2)
    assert crm_json("status", db=db)["events"] == before


def test_every_command_has_help_with_an_example() -> None:
    from typer.main import get_command

    from crm.cli.main import app

    def walk(command: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        if not hasattr(command, "list_commands"):
            return [path]
        names = command.list_commands(None)
        return [p for n in names for p in walk(command.get_command(None, n), (*path, n))]

    paths = walk(get_command(app), ())
    assert len(paths) > 30
    for path in paths:
        result = crm_ok(*path, "--help")
        assert "Example:" in result.stdout, path


def test_a_file_path_as_store_works_from_a_new_directory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'team.db'}"

    crm_ok("org", "add", "Kunming", db=url)

    assert crm_json("org", "list", db=url)[0]["name"] == "Kunming"


def test_a_database_error_met_by_a_direct_sqlite_read_is_one_line() -> None:
    """Reads of current SQLite views go through the stdlib driver, past SQLAlchemy's errors."""
    import sqlite3

    from crm.cli.group import describe

    locked = sqlite3.OperationalError("database is locked")

    assert describe(locked) == "database error: database is locked"
