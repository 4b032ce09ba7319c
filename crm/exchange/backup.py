"""A consistent copy of a SQLite store, taken while other processes keep writing."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from crm.errors import BadInputError


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy the store with SQLite's online backup, in one snapshot; return the copy's size.

    The copy is made in one step from a single read transaction, so it is the store as of
    one moment even while writers append (WAL lets them go on meanwhile). The new file is
    readable by its owner only, like the store itself. Nothing is written when the store
    cannot be read, and a copy that fails part-way is removed.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BadInputError(
            "crm backup copies SQLite stores; for PostgreSQL use pg_dump, "
            "or `crm export events FILE.jsonl`"
        )
    if not url.database or url.database == ":memory:":
        raise BadInputError("crm backup needs a SQLite store in a file: sqlite:///path/to/crm.db")
    if target.exists():
        raise BadInputError(f"{target} exists already; choose a new file")
    source = _open_read_only(Path(url.database).expanduser())
    try:
        _copy(source, target)
    finally:
        source.close()
    return target.stat().st_size


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open the store read-only (never creating it), and check it is a database.

    The path goes into a `file:` URI percent-encoded, so `#`, `?` or `%` in a folder's
    name cannot cut it short or add parameters.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        source = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise BadInputError(f"cannot read the store at {path}: {error}") from None
    try:
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        source.close()
        raise BadInputError(f"cannot read the store at {path}: {error}") from None
    return source


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Write the snapshot to a new owner-only file; remove it again if the copy fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode = WAL")
        finally:
            copy.close()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
