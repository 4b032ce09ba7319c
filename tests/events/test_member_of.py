"""`member_of`: a set of any size, bound as one parameter, selects exactly its members.

Both forms: the SQLAlchemy condition the store writes with, and the SQL text of
`events.reader` that the read models are read with (through SQLAlchemy and through the stdlib
driver alone)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, insert, select

from events.database import create_store_engine, member_of
from events.reader import Reader, SqliteReader, reader_of, sqlite_path

_metadata = MetaData()
_names = Table("member_of_names", _metadata, Column("name", String, primary_key=True))
_STORED = [f"name {i}" for i in range(1_200)] + [
    'quote " and \\ backslash',
    "Zhào 赵",
    "o'brien",
    "a",
]


FORMS = ("core", "text", "stdlib")
Found = Callable[[list[str]], set[str]]


@pytest.fixture(params=FORMS)
def found(request: pytest.FixtureRequest, store_url: str) -> Iterator[Found]:
    """The stored names a membership condition selects, in one of its forms."""
    form = str(request.param)
    path = sqlite_path(store_url)
    if form == "stdlib" and path is None:
        pytest.skip("the stdlib driver reads SQLite only")
    engine = create_store_engine(store_url)
    _metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(_names), [{"name": n} for n in _STORED])

    def through_text(reader: Reader, wanted: list[str]) -> set[str]:
        condition, params = reader.member_of("name", "wanted", wanted)
        rows = reader.rows(f"SELECT name FROM member_of_names WHERE {condition}", params)
        return {row[0] for row in rows}

    def select_members(wanted: list[str]) -> set[str]:
        if form == "stdlib":
            assert path is not None
            with closing(sqlite3.connect(path)) as connection:
                return through_text(SqliteReader(connection), wanted)
        with engine.connect() as conn:
            if form == "text":
                return through_text(reader_of(conn), wanted)
            query = select(_names.c.name).where(member_of(conn, _names.c.name, wanted))
            return set(conn.execute(query).scalars())

    yield select_members
    engine.dispose()


def test_more_values_than_a_backend_binds_separately_are_matched(found: Found) -> None:
    wanted = [*_STORED[::2], *(f"absent {i}" for i in range(70_000))]

    assert found(wanted) == set(_STORED[::2])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(st.sampled_from(_STORED), st.text(max_size=12)), max_size=40))
def test_exactly_the_stored_members_are_selected(
    found: Found, store_url: str, wanted: list[str]
) -> None:
    if sqlite_path(store_url) is None:
        wanted = [w.replace("\x00", "") for w in wanted]  # PostgreSQL's text holds no NUL

    assert found(wanted) == set(wanted) & set(_STORED)


def test_one_value_and_a_value_with_a_nul_match_only_themselves(
    found: Found, store_url: str
) -> None:
    assert found(["Zhào 赵"]) == {"Zhào 赵"}
    if sqlite_path(store_url) is not None:  # PostgreSQL text cannot hold a NUL at all
        assert found(["a\x00x", "o'brien"]) == {"o'brien"}


def test_a_bare_string_is_refused_rather_than_split_into_letters(found: Found) -> None:
    with pytest.raises(TypeError):
        found("name 1")  # type: ignore[arg-type]
