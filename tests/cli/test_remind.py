"""`crm remind` through the CLI: send, dry run, preview, status, and the daemon."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.clirunner import crm_json, crm_ok

OWNER = "international.office@liverpool.example"


@pytest.fixture
def smtp_env(smtp_sink: Any) -> dict[str, str]:
    return {
        "CRM_SMTP_HOST": smtp_sink.host,
        "CRM_SMTP_PORT": str(smtp_sink.port),
        "CRM_SMTP_SECURITY": "none",
        "CRM_SMTP_SENDER": "reminders@liverpool.example",
    }


@pytest.fixture
def db(store_url: str) -> str:
    crm_ok("demo", db=store_url)
    return store_url


def test_send_delivers_what_is_due_once_and_reports_it(
    db: str, smtp_env: dict[str, str], smtp_sink: Any
) -> None:
    at = ("--at", "2016-06-06 08:00 Europe/London")

    first = crm_json("remind", "send", *at, db=db, env=smtp_env)
    second = crm_json("remind", "send", *at, db=db, env=smtp_env)

    (received,) = smtp_sink.wait_for(1)
    assert first["sent"] == 1
    assert second["sent"] == 0
    assert received.rcpt_tos == (OWNER,)
    assert "Kunming delegation" in received.message.get_body(("plain",)).get_content()


def test_a_dry_run_lists_what_would_go_and_writes_nothing(
    db: str, smtp_env: dict[str, str], smtp_sink: Any
) -> None:
    before = crm_json("status", db=db)["events"]

    rows = crm_json(
        "remind", "send", "--at", "2016-06-06 08:00 Europe/London", "--dry-run", db=db, env=smtp_env
    )

    assert [r["rule"] for r in rows] == ["visit"]
    assert rows[0]["recipient"] == OWNER
    assert crm_json("status", db=db)["events"] == before
    assert smtp_sink.messages == []


def test_preview_and_status_show_what_is_planned_and_what_happened(
    db: str, smtp_env: dict[str, str], smtp_sink: Any
) -> None:
    crm_ok("remind", "send", "--at", "2016-06-06 08:00 Europe/London", db=db, env=smtp_env)

    status = crm_json("remind", "status", db=db)

    assert status["last_run"]["sent"] == 1
    assert [s["recipient"] for s in status["recently_sent"]] == [OWNER]
    assert status["pending"] == status["failed"] == []


def test_a_failed_send_shows_in_status_and_exits_non_zero(
    db: str, smtp_env: dict[str, str], smtp_sink: Any
) -> None:
    from tests.clirunner import crm

    smtp_sink.refuse_next(1, "451 4.3.0 mailbox busy")

    result = crm(
        "remind",
        "send",
        "--at",
        "2016-06-06 08:00 Europe/London",
        "--format",
        "json",
        db=db,
        env=smtp_env,
    )
    status = crm_json("remind", "status", db=db)

    assert result.exit_code == 1
    assert status["failed"][0]["attempts"] == 1
    assert "451" in status["failed"][0]["last_error"]


def test_smtp_settings_are_checked_before_sending(db: str) -> None:
    from tests.clirunner import assert_one_line_error, crm

    result = crm("remind", "send", db=db, env={"CRM_SMTP_SENDER": "not an address"})

    assert_one_line_error(result, contains="CRM_SMTP_SENDER")


def test_the_daemon_sends_and_stops_cleanly_on_sigterm(
    sqlite_url: str, smtp_env: dict[str, str], smtp_sink: Any
) -> None:
    crm_ok("demo", db=sqlite_url)
    crm_ok(
        "followup",
        "add",
        "Confirm the hotel",
        "--due",
        "yesterday",
        "--owner",
        OWNER,
        db=sqlite_url,
    )
    env = {**os.environ, **smtp_env, "CRM_DATABASE_URL": sqlite_url}
    daemon = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from crm.cli.main import run; run()",
            "remind",
            "daemon",
            "--interval",
            "1",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        smtp_sink.wait_for(1, timeout=60)
    finally:
        daemon.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        while daemon.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    log = daemon.communicate(timeout=30)[1]

    assert daemon.returncode == 0, log
    assert "reminder daemon stopped" in log
    assert "Confirm the hotel" in smtp_sink.messages[0].message.get_body(("plain",)).get_content()
