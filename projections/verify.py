"""Check that every projection equals a fresh rebuild of the log, table by table, row by row.

The fresh rows go into `<table>__verify_<stamp>` copies, built up to the position the live
views stand at, and both are compared inside one read snapshot; writers carry on meanwhile.
Each run names its own copies, so two verifications at once keep out of each other's way;
copies a killed run left behind are dropped by a later run once they are a day old.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from sqlalchemy import Connection, CursorResult, Table, inspect, select
from sqlalchemy.exc import DBAPIError

from events.database import read_transaction, write_transaction
from projections.projection import Projection
from projections.runner import REBUILD_BATCH, ProjectionRunner, fill_batch
from projections.shadow import (
    VERIFY_SUFFIX,
    drop_table,
    release_shadows,
    shadow_tables,
    verify_copies,
)
from projections.state import projection_state

ATTEMPTS = 5
STALE_AFTER_S = 24 * 3600
"""Scratch copies older than this belong to a verification that was killed."""
COMPARE_CHUNK = 5_000
"""Rows fetched at a time while comparing (a server-side cursor on PostgreSQL)."""


@dataclass(frozen=True)
class Mismatch:
    """The first place a live view differs from a rebuild."""

    table: str
    key: tuple[Any, ...]
    reason: str


def _fill(
    runner: ProjectionRunner, projection: Projection, suffix: str, up_to: int, batch_size: int
) -> None:
    """Rebuild aside in batches, each its own transaction, as a rebuild does: a large log
    never holds the write lock, or every fresh row in memory, for the whole run."""
    tables = shadow_tables(projection, suffix)
    for start in range(0, up_to, batch_size):
        with write_transaction(runner.store.engine, durable=False) as conn:
            end = min(up_to, start + batch_size)
            fill_batch(conn, runner.store, {projection: 0}, tables, start, end)
    with write_transaction(runner.store.engine, durable=False) as conn:
        projection.finalize(conn, tables)


def _create(runner: ProjectionRunner, projection: Projection, suffix: str) -> None:
    with write_transaction(runner.store.engine, durable=False) as conn:
        for table in shadow_tables(projection, suffix).values():
            table.drop(conn, checkfirst=True)
            table.create(conn)


def _drop(runner: ProjectionRunner, projection: Projection, suffix: str) -> None:
    with write_transaction(runner.store.engine, durable=False) as conn:
        for table in shadow_tables(projection, suffix).values():
            table.drop(conn, checkfirst=True)
    release_shadows(projection, suffix)


def _drop_stale(runner: ProjectionRunner, now: float) -> None:
    """Drop the scratch copies of verifications killed long ago (and of older versions)."""
    with write_transaction(runner.store.engine, durable=False) as conn:
        for name, began in verify_copies(conn, runner.projections.values()).items():
            if began is None or now - began > STALE_AFTER_S:
                drop_table(conn, name)


def _ordered(conn: Connection, table: Table) -> CursorResult[Any]:
    """Every row in key order, fetched in chunks; close it (server-side cursors hold on)."""
    keys = list(table.primary_key.columns)
    return conn.execute(select(table).order_by(*keys).execution_options(yield_per=COMPARE_CHUNK))


def _compare(conn: Connection, name: str, live: Table, fresh: Table) -> Mismatch | None:
    width = len(live.primary_key.columns)
    with _ordered(conn, live) as have_rows, _ordered(conn, fresh) as want_rows:
        for have, want in zip_longest(map(tuple, have_rows), map(tuple, want_rows)):
            if have == want:
                continue
            key = (have or want or ())[:width]
            if have is None:
                return Mismatch(name, key, "missing from the live view")
            if want is None:
                return Mismatch(name, key, "in the live view but not in a rebuild")
            return Mismatch(name, key, "differs from a rebuild")
    return None


def verify_projections(
    runner: ProjectionRunner, batch_size: int = REBUILD_BATCH
) -> Mismatch | None:
    """Rebuild each projection aside and compare; None when every table matches."""
    now = time.time()
    _drop_stale(runner, now)
    suffix = f"{VERIFY_SUFFIX}_{int(now)}_{secrets.token_hex(4)}"
    for projection in runner.projections.values():
        try:
            mismatch = _verify_one(runner, projection, suffix, batch_size)
        finally:
            _drop(runner, projection, suffix)
        if mismatch is not None:
            return mismatch
    return None


def _verify_one(
    runner: ProjectionRunner, projection: Projection, suffix: str, batch_size: int
) -> Mismatch | None:
    erased = False
    for _ in range(ATTEMPTS):
        runner.catch_up()
        position = _checkpoint(runner, projection.name)
        _create(runner, projection, suffix)  # an error before the copies exist is no erasure
        try:
            _fill(runner, projection, suffix, position, batch_size)
            with read_transaction(runner.store.engine) as conn:
                if _checkpoint_in(conn, projection.name) != position:
                    continue  # a writer moved the live view on meanwhile: build again
                fresh = shadow_tables(projection, suffix)
                for name, live in projection.tables().items():
                    mismatch = _compare(conn, name, live, fresh[name])
                    if mismatch is not None:
                        return mismatch
                return None
        except DBAPIError:
            if _copies_whole(runner, projection, suffix):
                raise
            erased = True  # an erasure dropped this run's copies (they held personal data)
    if erased:
        return Mismatch(projection.name, (), "erasures kept dropping its copies; try again")
    return Mismatch(projection.name, (), "the log kept moving; try again when it is quieter")


def _copies_whole(runner: ProjectionRunner, projection: Projection, suffix: str) -> bool:
    """Whether every copy this run made is still in the database."""
    names = {table.name for table in shadow_tables(projection, suffix).values()}
    with read_transaction(runner.store.engine) as conn:
        return names <= set(inspect(conn).get_table_names())


def _checkpoint(runner: ProjectionRunner, name: str) -> int:
    with read_transaction(runner.store.engine) as conn:
        return _checkpoint_in(conn, name)


def _checkpoint_in(conn: Connection, name: str) -> int:
    query = select(projection_state.c.position).where(projection_state.c.name == name)
    return int(conn.execute(query).scalar_one())
