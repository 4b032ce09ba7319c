"""A unit of work for projections: rows by primary key in memory, written in bulk on flush.

Projections read and change rows by key; the unit keeps what it has seen, coalesces every
change to a row within a batch, and writes inserts, updates, upserts and deletes with one
executemany each. A rebuild of a million events issues thousands of statements, not millions,
and a row written without being read first never costs a lookup: it is upserted.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, delete, insert, select, update

from events.database import Prepared
from events.errors import StoreError

Key = tuple[Any, ...]
Row = dict[str, Any]

_UNKNOWN = None
"""Whether a key's row exists in the database: True, False, or not known (never loaded)."""


class _Statements:
    """A table's statements, compiled once per process (catch-up runs after every command)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.keys = [column.name for column in table.primary_key.columns]
        self.columns = [column.name for column in table.columns]
        match_key = and_(*(table.c[k] == bindparam(f"k_{k}") for k in self.keys))
        self.lookup = Prepared(select(table).where(match_key))
        self.deleter = Prepared(delete(table).where(match_key))
        values: dict[str, Any] = {c: bindparam(f"v_{c}") for c in self.columns}
        self.updater = Prepared(update(table).where(match_key).values(values))
        self.inserter = Prepared(insert(table))
        self._upserters: dict[str, Prepared] = {}

    def upserter(self, dialect_name: str) -> Prepared:
        """An insert that replaces the row when its key exists (SQLite and PostgreSQL)."""
        if dialect_name not in self._upserters:
            if dialect_name == "postgresql":
                from sqlalchemy.dialects import postgresql as dialect
            else:
                from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
            statement = dialect.insert(self.table)
            others = {c: statement.excluded[c] for c in self.columns if c not in self.keys}
            if others:
                upsert = statement.on_conflict_do_update(index_elements=self.keys, set_=others)
            else:
                upsert = statement.on_conflict_do_nothing(index_elements=self.keys)
            self._upserters[dialect_name] = Prepared(upsert)
        return self._upserters[dialect_name]


_STATEMENTS: dict[Table, _Statements] = {}


@dataclass
class FedRows:
    """New rows of one table computed elsewhere (a rebuild's helper process), in the order of
    their events: each a tuple of the table's columns, beside its event's position."""

    table: str
    positions: list[int]
    rows: list[tuple[Any, ...]]

    def after(self, position: int) -> FedRows:
        """Only the rows of events after `position` (a resumed rebuild holds the others)."""
        cut = bisect_right(self.positions, position)
        return self if cut == 0 else FedRows(self.table, self.positions[cut:], self.rows[cut:])


class FedRowConflictError(StoreError):
    """An event applied here wrote a row under the key of a row offered to the unit."""


class _Offered:
    """Rows offered to a unit (`UnitOfWork.offer`): written as they are, unless read first."""

    def __init__(self, fed: FedRows, key_at: list[int]) -> None:
        self.fed = fed
        self.key_at = key_at
        self.taken: set[int] = set()
        self._index: dict[Key, int] | None = None

    def find(self, key: Key) -> int | None:
        """Where the row with this key is among the offered ones."""
        return self._keys().get(key)

    def untaken_keys(self) -> list[Key]:
        """The keys of the rows no `get` took: those `flush` inserts as they are."""
        return [key for key, at in self._keys().items() if at not in self.taken]

    def _keys(self) -> dict[Key, int]:
        """Each row's key, built on first use."""
        if self._index is None:
            rows = self.fed.rows
            if len(self.key_at) == 1:
                at = self.key_at[0]
                self._index = {(row[at],): n for n, row in enumerate(rows)}
            else:
                key_of = itemgetter(*self.key_at)
                self._index = {key_of(row): n for n, row in enumerate(rows)}
        return self._index


class _TableCache:
    """What the unit knows about one table in this batch."""

    def __init__(self, table: Table) -> None:
        statements = _STATEMENTS.get(table)
        if statements is None:
            statements = _STATEMENTS[table] = _Statements(table)
        self.sql = statements
        self.table = table
        self.keys = statements.keys
        self.columns = statements.columns
        self.rows: dict[Key, Row | None] = {}
        self.in_db: dict[Key, bool | None] = {}
        self.dirty: set[Key] = set()
        self.offered: _Offered | None = None
        getter = itemgetter(*self.keys)
        self.key_of: Callable[[Row], Key] = (
            getter if len(self.keys) > 1 else lambda row: (getter(row),)
        )


class UnitOfWork:
    """Rows of projection tables, loaded once, changed in memory, flushed together."""

    def __init__(
        self,
        conn: Connection,
        tables: Mapping[str, Table],
        *,
        empty: bool = False,
        bulk: bool = False,
    ):
        self.conn = conn
        self._caches = {name: _TableCache(table) for name, table in tables.items()}
        self._known_empty = empty
        """True while filling fresh tables: a key not seen in this unit is not in the table."""
        self.bulk = bulk
        """True during a rebuild: aggregates may be left to the projection's `finalize`."""
        self.position: int | None = None
        """The position of the event being applied (the runner sets it): rows offered for
        later events are not there yet. None: every offered row is."""

    def offer(self, fed: FedRows) -> None:
        """Take new rows as they are: inserted by the next `flush` in one statement, with no
        dict built for any unless an event applied meanwhile reads it (`get`; their keys are
        indexed by the first read, or by the flush's check that no event wrote one).

        A rebuild's helper computes most rows (`projections.feed`); going through `add` one
        by one cost the rebuild's own thread more than computing them had.
        """
        cache = self._caches[fed.table]
        if cache.offered is not None:
            raise ValueError(f"rows of {fed.table} were offered twice before a flush")
        if fed.rows:
            key_at = [cache.columns.index(k) for k in cache.keys]
            cache.offered = _Offered(fed, key_at)

    def table(self, name: str) -> Table:
        """The physical table behind a logical name (a fresh copy while rebuilding)."""
        return self._caches[name].table

    def get(self, name: str, *key: Any) -> Row | None:
        """Return the row with this primary key (None if absent); later changes stay in memory."""
        cache = self._caches[name]
        if key in cache.rows:
            return cache.rows[key]
        if cache.offered is not None:
            at = cache.offered.find(key)
            if at is not None:
                return self._take_offered(cache, key, at)
        found = None if self._known_empty else self._load(cache, key)
        cache.rows[key] = found
        cache.in_db[key] = found is not None
        return found

    def _take_offered(self, cache: _TableCache, key: Key, at: int) -> Row | None:
        offered = cache.offered
        assert offered is not None
        if self.position is not None and offered.fed.positions[at] >= self.position:
            return None  # a later event's row: not there yet for this one (nor remembered)
        row = dict(zip(cache.columns, offered.fed.rows[at], strict=True))
        offered.taken.add(at)
        cache.rows[key] = row
        cache.in_db[key] = False
        cache.dirty.add(key)
        return row

    def _load(self, cache: _TableCache, key: Key) -> Row | None:
        params = {f"k_{k}": v for k, v in zip(cache.keys, key, strict=True)}
        rows = cache.sql.lookup.rows(self.conn, **params)
        return dict(zip(cache.columns, rows[0], strict=True)) if rows else None

    def put(self, name: str, row: Row) -> Row:
        """Insert or replace a whole row (its key is read from the row), without a lookup."""
        cache = self._caches[name]
        key = cache.key_of(row)
        if key not in cache.in_db:
            cache.in_db[key] = False if self._known_empty else _UNKNOWN
        cache.rows[key] = row
        cache.dirty.add(key)
        return row

    def add(self, name: str, row: Row) -> Row:
        """Insert a row whose key is new by construction (a fresh entry's id): no upsert."""
        cache = self._caches[name]
        key = cache.key_of(row)
        cache.in_db.setdefault(key, False)
        cache.rows[key] = row
        cache.dirty.add(key)
        return row

    def change(self, name: str, *key: Any, **values: Any) -> Row | None:
        """Set columns of an existing row; a row that does not exist is left absent."""
        row = self.get(name, *key)
        if row is None:
            return None
        row.update(values)
        self._caches[name].dirty.add(key)
        return row

    def remove(self, name: str, *key: Any) -> None:
        """Delete a row, if it exists."""
        cache = self._caches[name]
        if cache.in_db.get(key, _UNKNOWN) is not False or cache.rows.get(key) is not None:
            cache.rows[key] = None
            cache.in_db.setdefault(key, _UNKNOWN)
            cache.dirty.add(key)

    def flush(self) -> None:
        """Write every changed row, each kind of write in bulk."""
        for cache in self._caches.values():
            if cache.offered is not None:
                self._insert_offered(cache)
            if cache.dirty:
                self._flush_table(cache)
                cache.dirty.clear()

    def _insert_offered(self, cache: _TableCache) -> None:
        offered, cache.offered = cache.offered, None
        assert offered is not None
        if cache.rows and any(key in cache.rows for key in offered.untaken_keys()):
            raise FedRowConflictError(
                f"an event wrote a row of {cache.table.name} under the key of a new row "
                "computed apart"
            )
        rows = offered.fed.rows
        if offered.taken:
            rows = [row for n, row in enumerate(rows) if n not in offered.taken]
        if rows:
            cache.sql.inserter.run_many(self.conn, cache.columns, rows)
        self._known_empty = False  # the table now holds rows this unit has not seen

    def _flush_table(self, cache: _TableCache) -> None:
        writes: dict[str, list[Row]] = {"delete": [], "update": [], "insert": [], "upsert": []}
        for key in cache.dirty:
            row, known = cache.rows[key], cache.in_db.get(key, _UNKNOWN)
            if row is None:
                if known is not False:
                    writes["delete"].append(
                        {f"k_{k}": v for k, v in zip(cache.keys, key, strict=True)}
                    )
                cache.in_db[key] = False
                continue
            kind = "update" if known is True else "insert" if known is False else "upsert"
            writes[kind].append(row)
            cache.in_db[key] = True
        if writes["delete"]:
            cache.sql.deleter.run_dicts(self.conn, writes["delete"])
        if writes["update"]:
            params = [
                {f"k_{k}": row[k] for k in cache.keys}
                | {f"v_{c}": row.get(c) for c in cache.columns}
                for row in writes["update"]
            ]
            cache.sql.updater.run_dicts(self.conn, params)
        if writes["insert"]:
            cache.sql.inserter.run_dicts(self.conn, writes["insert"])
        if writes["upsert"]:
            cache.sql.upserter(self.conn.dialect.name).run_dicts(self.conn, writes["upsert"])
