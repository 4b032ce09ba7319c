"""Shadow copies of a projection's tables: where rebuilds and verifications fill fresh rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, MetaData, Table

from projections.projection import Projection

REBUILD_SUFFIX = "__rebuild"
VERIFY_SUFFIX = "__verify"

_SHADOWS: dict[tuple[str, str], dict[str, Table]] = {}


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


def _plain_column(column: Column[Any]) -> Column[Any]:
    return Column(
        column.name, column.type, primary_key=column.primary_key, nullable=column.nullable
    )
