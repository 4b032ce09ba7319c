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
    readable by its owner only, like the store itself.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BadInputError(
            "crm backup copies SQLite stores; for PostgreSQL use pg_dump, "
            "or `crm export events FILE.jsonl`"
        )
    if target.exists():
        raise BadInputError(f"{target} exists already; choose a new file")
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode = WAL")
    finally:
        copy.close()
        source.close()
    return target.stat().st_size
