"""SQLite's write-ahead log: rebuild batches leave it to `checkpoint_wal`, not to each commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, insert, select

from events.database import (
    WAL_AUTOCHECKPOINT_PAGES,
    BackgroundCheckpoints,
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


def _write_pages(engine: Engine, *, checkpoint: bool, first: int = 0) -> None:
    with write_transaction(engine, durable=False, checkpoint=checkpoint) as conn:
        rows = [{"n": n, "body": "x" * 3_000} for n in range(first, first + _ROWS)]
        conn.execute(insert(_pages), rows)


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


def test_background_checkpoints_copy_the_log_while_the_writer_goes_on(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    database = tmp_path / "wal.db"
    before = database.stat().st_size
    checkpoints = BackgroundCheckpoints(engine)

    _write_pages(engine, checkpoint=False)
    checkpoints.start()
    _write_pages(engine, checkpoint=False, first=_ROWS)  # beside the checkpoint under way
    checkpoints.start()  # waits for the first, then copies the second transaction
    checkpoints.wait()

    assert database.stat().st_size > before + 2 * _ROWS * 2_000
    with engine.connect() as conn:
        busy, log_frames, copied = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        assert (busy, copied) == (0, log_frames)  # nothing was left in the log to copy
        assert conn.execute(select(func.count()).select_from(_pages)).scalar_one() == 2 * _ROWS
    engine.dispose()


def test_a_failed_background_checkpoint_is_raised_by_the_next_wait(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    checkpoints = BackgroundCheckpoints(engine)
    engine.dispose()
    (tmp_path / "wal.db").unlink()
    (tmp_path / "wal.db").mkdir()  # the database cannot be opened again: the checkpoint fails

    checkpoints.start()
    with pytest.raises(Exception, match="unable to open"):
        checkpoints.wait()
    checkpoints.wait()  # told once
