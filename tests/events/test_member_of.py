"""`member_of`: a set of any size, bound as one parameter, selects exactly its members."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, MetaData, String, Table, insert, select

from events.database import create_store_engine, member_of

_metadata = MetaData()
_names = Table("member_of_names", _metadata, Column("name", String, primary_key=True))
_STORED = [f"name {i}" for i in range(1_200)] + [
    'quote " and \\ backslash',
    "Zhào 赵",
    "o'brien",
    "a",
]


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = create_store_engine(store_url)
    _metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(_names), [{"name": n} for n in _STORED])
    yield engine
    engine.dispose()


def _found(engine: Engine, wanted: list[str]) -> set[str]:
    with engine.connect() as conn:
        query = select(_names.c.name).where(member_of(conn, _names.c.name, wanted))
        return set(conn.execute(query).scalars())


def test_more_values_than_a_backend_binds_separately_are_matched(engine: Engine) -> None:
    wanted = [*_STORED[::2], *(f"absent {i}" for i in range(70_000))]

    assert _found(engine, wanted) == set(_STORED[::2])


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(st.sampled_from(_STORED), st.text(max_size=12)), max_size=40))
def test_exactly_the_stored_members_are_selected(engine: Engine, wanted: list[str]) -> None:
    if engine.dialect.name == "postgresql":
        wanted = [w.replace("\x00", "") for w in wanted]  # its text holds no NUL

    assert _found(engine, wanted) == set(wanted) & set(_STORED)


def test_one_value_and_a_value_with_a_nul_match_only_themselves(engine: Engine) -> None:
    assert _found(engine, ["Zhào 赵"]) == {"Zhào 赵"}
    if engine.dialect.name == "sqlite":  # PostgreSQL text cannot hold a NUL at all
        assert _found(engine, ["a\x00x", "o'brien"]) == {"o'brien"}


def test_a_bare_string_is_refused_rather_than_split_into_letters(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(TypeError):
        member_of(conn, _names.c.name, "name 1")
