"""SQLite's write-ahead log: rebuild batches leave it to `checkpoint_wal`, not to each commit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert

from events.database import (
    WAL_AUTOCHECKPOINT_PAGES,
    checkpoint_wal,
    create_store_engine,
    write_transaction,
)

_metadata = MetaData()
_pages = Table(
    "wal_pages", _metadata, Column("n", Integer, primary_key=True), Column("body", String)
)
_ROWS = 2_000
"""About 6 MB of rows: over the 1,000 pages (4 MB) that make a commit checkpoint the log."""


def _engine(tmp_path: Path) -> Engine:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    _metadata.create_all(engine)
    return engine


def _write_pages(engine: Engine, *, checkpoint: bool) -> None:
    with write_transaction(engine, durable=False, checkpoint=checkpoint) as conn:
        conn.execute(insert(_pages), [{"n": n, "body": "x" * 3_000} for n in range(_ROWS)])


def test_a_commit_that_defers_its_checkpoint_leaves_its_pages_in_the_log(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    database = tmp_path / "wal.db"
    before = database.stat().st_size

    _write_pages(engine, checkpoint=False)
    after_commit = database.stat().st_size
    checkpoint_wal(engine)

    assert after_commit == before
    assert database.stat().st_size > before + _ROWS * 2_000
    engine.dispose()


def test_an_ordinary_commit_still_checkpoints_a_long_log(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    database = tmp_path / "wal.db"
    before = database.stat().st_size

    _write_pages(engine, checkpoint=True)

    assert database.stat().st_size > before + _ROWS * 2_000
    engine.dispose()


def test_the_connection_checkpoints_again_after_a_deferred_commit(tmp_path: Path) -> None:
    engine = _engine(tmp_path)

    _write_pages(engine, checkpoint=False)

    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
    assert pages == WAL_AUTOCHECKPOINT_PAGES
    assert engine.pool.checkedin() == 1  # the same connection, handed back by the pool
    engine.dispose()
