"""Raw driver access for tests that go behind the store's back, as an attacker or a tool would."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import make_url


@contextmanager
def raw_connection(url: str) -> Iterator[Any]:
    """A plain DB-API connection (sqlite3 or psycopg) in autocommit mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(parsed.database), isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()
        return
    import psycopg

    options = parsed.query.get("options")
    base = parsed.set(drivername="postgresql", query={})
    conninfo = base.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, options=str(options or "")) as conn:
        yield conn


def execute(url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one SQL statement directly through the driver and return its rows."""
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    with raw_connection(url) as conn:
        cursor = conn.execute(statement if is_sqlite else statement.replace("?", "%s"), params)
        return list(cursor.fetchall()) if cursor.description else []


def is_sqlite(url: str) -> bool:
    """Say whether a test URL names a SQLite file."""
    return make_url(url).get_backend_name() == "sqlite"
