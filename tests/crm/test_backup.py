"""Copies of a SQLite store (crm.exchange.backup)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crm.errors import BadInputError
from crm.exchange.backup import backup_sqlite


def a_store(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE log (n INTEGER)")
        conn.executemany("INSERT INTO log VALUES (?)", [(1,), (2,), (3,)])
    conn.close()
    return f"sqlite:///{path}"


def rows(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        count: int = conn.execute("SELECT count(*) FROM log").fetchone()[0]
    finally:
        conn.close()
    return count


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@pytest.mark.parametrize("folder", ["team #2", "50% off", "a b", "中文 #1"])
def test_a_store_in_a_folder_with_uri_characters_in_its_name_is_copied_whole(
    tmp_path: Path, folder: str
) -> None:
    url = a_store(tmp_path / folder / "crm.db")
    before = files_under(tmp_path)

    backup_sqlite(url, tmp_path / "copy.db")

    assert rows(tmp_path / "copy.db") == 3
    assert files_under(tmp_path) == before | {tmp_path / "copy.db"}


def test_a_store_that_does_not_exist_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.db"

    with pytest.raises(BadInputError, match="cannot read the store"):
        backup_sqlite(f"sqlite:///{tmp_path / 'team #2' / 'crm.db'}", target)

    assert files_under(tmp_path) == set()


def test_a_file_that_is_not_a_database_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    source = tmp_path / "notes.db"
    source.write_text("not a database " * 100, encoding="utf-8")

    with pytest.raises(BadInputError, match="cannot read the store"):
        backup_sqlite(f"sqlite:///{source}", tmp_path / "copy.db")

    assert files_under(tmp_path) == {source}


def test_a_store_in_memory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="in a file"):
        backup_sqlite("sqlite://", tmp_path / "copy.db")

    assert files_under(tmp_path) == set()
