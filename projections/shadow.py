"""Shadow copies of a projection's tables: where rebuilds and verifications fill fresh rows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, inspect, text

from projections.projection import Projection

REBUILD_SUFFIX = "__rebuild"
VERIFY_SUFFIX = "__verify"

_SHADOWS: dict[tuple[str, str], dict[str, Table]] = {}
_VERIFY_COPY = re.compile(r"(.+)" + re.escape(VERIFY_SUFFIX) + r"(?:_(\d+)_[0-9a-f]+)?")


def shadow_tables(projection: Projection, suffix: str = REBUILD_SUFFIX) -> dict[str, Table]:
    """Copies of a projection's tables named `<table><suffix>`, without secondary indexes.

    Filling is faster without them; a rebuild creates the real indexes when it swaps in.
    """
    key = (projection.name, suffix)
    if key not in _SHADOWS:
        metadata = MetaData()
        _SHADOWS[key] = {
            name: Table(
                f"{table.name}{suffix}",
                metadata,
                *(_plain_column(c) for c in table.columns),
                sqlite_with_rowid=table.dialect_options["sqlite"]["with_rowid"],
            )
            for name, table in projection.tables().items()
        }
    return _SHADOWS[key]


def release_shadows(projection: Projection, suffix: str) -> None:
    """Forget the copies named with `suffix` (a verification's, named once per run)."""
    _SHADOWS.pop((projection.name, suffix), None)


def verify_copies(conn: Connection, projections: Iterable[Projection]) -> dict[str, int | None]:
    """The verification copies of these projections' tables in the database, with the time
    their run began (Unix seconds; None for copies of older versions, which named one set for
    every run). A copy made in a transaction not yet committed is not seen."""
    tables = {table.name for p in projections for table in p.tables().values()}
    found = {}
    for name in inspect(conn).get_table_names():
        match = _VERIFY_COPY.fullmatch(name)
        if match and match[1] in tables:
            found[name] = int(match[2]) if match[2] else None
    return found


def drop_table(conn: Connection, name: str) -> None:
    """Drop a table known only by name."""
    conn.execute(text(f"DROP TABLE IF EXISTS {conn.dialect.identifier_preparer.quote(name)}"))


def _plain_column(column: Column[Any]) -> Column[Any]:
    return Column(
        column.name, column.type, primary_key=column.primary_key, nullable=column.nullable
    )
