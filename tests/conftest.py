"""Shared fixtures: isolated user directories, stores on SQLite and PostgreSQL, a fixed clock."""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
"""A fixed, aware 'now' for tests (a Monday)."""

POSTGRES_ENV = "CRM_TEST_POSTGRES_URL"
CRASH_TRIALS_ENV = "CRM_CRASH_TRIALS"
DEFAULT_CRASH_TRIALS = 50


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--crash-trials",
        type=int,
        default=None,
        help=f"SIGKILL trials per operation and backend (default {DEFAULT_CRASH_TRIALS}, "
        f"or {CRASH_TRIALS_ENV})",
    )


@pytest.fixture
def crash_trials(request: pytest.FixtureRequest) -> int:
    """How many seeded SIGKILL trials each crash test runs."""
    chosen = request.config.getoption("--crash-trials") or os.environ.get(CRASH_TRIALS_ENV)
    return int(chosen or DEFAULT_CRASH_TRIALS)


def postgres_base_url() -> str | None:
    """The PostgreSQL server the tests may use, from the environment."""
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the data and config directories, and the default store, at a temp folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("CRM_CONFIG", str(home / "config" / "crm.toml"))
    for name in ("CRM_DATABASE_URL", "CRM_ACTOR", "CRM_DEBUG", "CRM_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CRM_TIMEZONE", "Europe/London")
    return home


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Give every test the cyclic collector as it found it: an import run in-process through
    the CLI freezes the heap (`collector_paused(keep_survivors=True)`), the test run's too."""
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite store file in the test's temp folder."""
    return f"sqlite:///{tmp_path / 'crm.db'}"


def _schema_url(base: str, schema: str) -> str:
    url = make_url(base)
    query = dict(url.query)
    query["options"] = f"-csearch_path={schema}"
    return url.set(query=query).render_as_string(hide_password=False)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL into a fresh PostgreSQL schema, dropped afterwards (skips without a server)."""
    base = postgres_base_url()
    if base is None:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL tests skipped")
    import psycopg

    schema = f"crm_test_{uuid.uuid4().hex[:12]}"
    conninfo = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield _schema_url(base, schema)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for this test, dropped afterwards."""
    with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty store on each backend in turn."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


class FakeClock:
    """A wall clock the test moves by hand (no sleeps)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now = self.now + timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Fix the application's clock at T0 for commands run in-process."""
    fake = FakeClock(T0)
    monkeypatch.setattr("crm.bootstrap.system_clock", fake)
    return fake


@pytest.fixture
def smtp_sink() -> Iterator[Any]:
    """A started loopback SMTP server (aiosmtpd) that keeps what it receives."""
    from tests.smtp_server import SmtpSink

    with SmtpSink() as sink:
        yield sink
