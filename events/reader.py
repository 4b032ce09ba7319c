"""Reads in plain SQL that SQLite and PostgreSQL both take, run without loading SQLAlchemy.

A read command on a current SQLite store needs a few indexed SELECTs. Importing SQLAlchemy
to send them cost more than everything else `crm upcoming` does, so the read models' queries
are written as SQL text with `:name` parameters: the stdlib driver runs them as they are on
SQLite, and SQLAlchemy's `text()` runs the same text on PostgreSQL (and inside transactions
that SQLAlchemy already holds). `reader_of` wraps such a connection.
"""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from sqlalchemy import Connection

Params = Mapping[str, Any]

_SQLITE_SCHEMES = ("sqlite:///", "sqlite+pysqlite:///")
BUSY_TIMEOUT_MS = 30_000


class Reader(ABC):
    """Run read-only SQL text and return plain rows."""

    dialect: str
    """"sqlite" or "postgresql": the few conditions that differ are chosen by it."""
    errors: tuple[type[Exception], ...]
    """What the driver raises when a table is missing or the database cannot be read."""

    @abstractmethod
    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Every row of a query, as tuples in its column order."""

    def dicts(self, sql: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Every row of a query, as dicts by column name."""
        names, rows = self._named_rows(sql, params)
        return [dict(zip(names, row, strict=True)) for row in rows]

    @abstractmethod
    def _named_rows(
        self, sql: str, params: Params | None
    ) -> tuple[list[str], list[tuple[Any, ...]]]: ...

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        """The first column of the first row, or None when there is none."""
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def member_of(
        self, column: str, name: str, values: Iterable[str]
    ) -> tuple[str, dict[str, Any]]:
        """`column IN (values)` with every value bound as one parameter, and its parameters.

        The backends cap bound parameters; a JSON array (SQLite's `json_each`) or an array
        (PostgreSQL's `ANY`) goes across whole, so one query serves any number of ids.
        """
        if isinstance(values, str):
            raise TypeError("member_of takes a collection of values, not one string")
        listed = [str(value) for value in values]
        if len(listed) == 1:
            return f"{column} = :{name}", {name: listed[0]}
        if self.dialect != "sqlite":
            return f"{column} = ANY(:{name})", {name: listed}
        if any("\x00" in value for value in listed):  # json_each ends a text at NUL
            marks, params = placeholders(name, listed)
            return f"{column} IN ({marks})", params
        return f"{column} IN (SELECT value FROM json_each(:{name}))", {name: json.dumps(listed)}

    def contains(self, column: str, name: str, word: str) -> tuple[str, dict[str, Any]]:
        """`column` holds `word` as it is (its LIKE wildcards escaped)."""
        return f"{column} LIKE :{name} ESCAPE '/'", {name: f"%{_escaped(word)}%"}

    def starts_with(self, column: str, name: str, prefix: str) -> tuple[str, dict[str, Any]]:
        """`column` starts with `prefix` (ids: lower-case hex digits and dashes).

        On SQLite a range lets the key's index answer (its LIKE ignores case, so it cannot use
        an index on a case-sensitive column); PostgreSQL's collation may order "-" apart, so
        there LIKE decides alone.
        """
        condition = f"{column} LIKE :{name} ESCAPE '/'"
        params: dict[str, Any] = {name: _escaped(prefix) + "%"}
        if self.dialect == "sqlite" and prefix:
            after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            condition = f"{column} >= :{name}_from AND {column} < :{name}_to AND {condition}"
            params |= {f"{name}_from": prefix, f"{name}_to": after}
        return condition, params


def _escaped(text: str) -> str:
    """`text` with LIKE's wildcards (and the escape character itself) escaped by a slash, as
    SQLAlchemy's autoescape does: a backslash would depend on PostgreSQL's string settings."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def placeholders(name: str, values: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """`:name_0, :name_1, ...` for a handful of values (kinds), and their parameters."""
    params = {f"{name}_{i}": value for i, value in enumerate(values)}
    return ", ".join(f":{key}" for key in params) or "NULL", params


Readable: TypeAlias = "Reader | Connection"
"""What the read models' queries take: a reader, or a SQLAlchemy connection inside a
transaction that a command already holds."""


def reader_of(conn: Readable) -> Reader:
    """A reader over `conn` (itself when it is one)."""
    if isinstance(conn, Reader):
        return conn
    from events.database import AlchemyReader  # the caller has SQLAlchemy loaded already

    return AlchemyReader(conn)


class SqliteReader(Reader):
    """Reads through the stdlib driver, in one read transaction (one snapshot)."""

    dialect = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, params or {}).fetchall()

    def _named_rows(
        self, sql: str, params: Params | None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.connection.execute(sql, params or {})
        rows = cursor.fetchall()
        return [column[0] for column in cursor.description], rows


def sqlite_path(url: str) -> Path | None:
    """The file of a plain SQLite URL; None for anything else (the caller takes the long way)."""
    for scheme in _SQLITE_SCHEMES:
        if url.startswith(scheme):
            rest = url[len(scheme) :]
            if not rest or any(c in rest for c in "?%#") or rest == ":memory:":
                return None
            return Path(rest).expanduser()
    return None


@contextmanager
def sqlite_snapshot(path: Path) -> Iterator[SqliteReader | None]:
    """A read transaction on an existing SQLite file; None when there is none or it cannot be
    opened. A file that is no store fails its first query (`views_current` then says no), and
    the caller opens it the long way, which says why."""
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None
        )
    except sqlite3.Error:
        connection = None
    if connection is None:  # yielded outside the handler: the caller's errors stay its own
        yield None
        return
    try:
        reader: SqliteReader | None = SqliteReader(connection)
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA query_only = ON")
            connection.execute("BEGIN")
        except sqlite3.Error:
            reader = None
        yield reader
    finally:
        connection.close()  # a read transaction ends with its connection
