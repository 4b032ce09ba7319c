"""`events.reader`: plain SQL read the same on both backends, and SQLite read without SQLAlchemy."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, Table, insert

from events.database import create_store_engine, read_transaction
from events.reader import reader_of, sqlite_path, sqlite_snapshot
from projections.views import views_current

_metadata = MetaData()
_texts = Table("reader_texts", _metadata, Column("text", String, primary_key=True))
_STORED = ["100% sure", "1000 sure", "snake_case", "snakeXcase", "back\\slash", "backXslash"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("0%", {"100% sure"}),
        ("e_c", {"snake_case"}),
        ("k\\s", {"back\\slash"}),
        ("sure", {"100% sure", "1000 sure"}),
    ],
)
def test_contains_takes_wildcards_and_backslashes_as_themselves(
    store_url: str, word: str, expected: set[str]
) -> None:
    engine = create_store_engine(store_url)
    try:
        _metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(_texts.delete())
            conn.execute(insert(_texts), [{"text": t} for t in _STORED])
        with read_transaction(engine) as conn:
            reader = reader_of(conn)
            condition, params = reader.contains("text", "word", word)
            found = {
                row[0]
                for row in reader.rows(f"SELECT text FROM reader_texts WHERE {condition}", params)
            }
    finally:
        engine.dispose()

    assert found == expected


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///crm.db", Path("crm.db")),
        ("sqlite:////srv/crm/crm.db", Path("/srv/crm/crm.db")),
        ("sqlite+pysqlite:////srv/crm.db", Path("/srv/crm.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///crm.db?mode=ro", None),
        ("sqlite:///with%20space.db", None),
        ("postgresql+psycopg://postgres@127.0.0.1/test", None),
    ],
)
def test_only_a_plain_sqlite_file_url_is_read_directly(url: str, path: Path | None) -> None:
    assert sqlite_path(url) == path


def test_a_missing_or_foreign_file_is_left_to_the_long_way(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    foreign = tmp_path / "foreign.db"
    foreign.write_text("not a database\n" * 400)

    with sqlite_snapshot(missing) as none_there:
        assert none_there is None
    with sqlite_snapshot(foreign) as unreadable:
        assert unreadable is None or not views_current(unreadable)
    assert not missing.exists(), "a read must not create a store"
