"""Ids typed in part: the condition that finds rows by the first characters of an id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_


def id_starts_with(conn: Connection, column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix` (ids are lower-case hex digits and dashes).

    On SQLite the added range lets the key's index answer: SQLite's LIKE ignores case, so it
    cannot use an index on a case-sensitive column, and a prefix scanned every timeline row.
    """
    condition: ColumnElement[bool] = column.startswith(prefix, autoescape=True)
    if conn.dialect.name == "sqlite" and prefix:
        after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        condition = and_(column >= prefix, column < after, condition)
    return condition
