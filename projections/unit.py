"""A unit of work for projections: rows by primary key in memory, written in bulk on flush.

Projections read and change rows by key; the unit keeps what it has seen, coalesces every
change to a row within a batch, and writes inserts, updates and deletes with one executemany
each. A rebuild of a million events issues thousands of statements instead of millions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, delete, insert, select, update

Key = tuple[Any, ...]
Row = dict[str, Any]

_MISSING = object()


class UnitOfWork:
    """Rows of projection tables, loaded once, changed in memory, flushed together."""

    def __init__(self, conn: Connection, tables: Mapping[str, Table], *, empty: bool = False):
        self.conn = conn
        self._tables = tables
        self._known_empty = empty
        """True while filling fresh tables: a key not seen in this unit is not in the table."""
        self._rows: dict[str, dict[Key, Row | None]] = {name: {} for name in tables}
        self._stored: dict[str, set[Key]] = {name: set() for name in tables}
        self._dirty: dict[str, set[Key]] = {name: set() for name in tables}

    def table(self, name: str) -> Table:
        """The physical table behind a logical name (a fresh copy while rebuilding)."""
        return self._tables[name]

    def _key_columns(self, name: str) -> list[str]:
        return [column.name for column in self._tables[name].primary_key.columns]

    def get(self, name: str, *key: Any) -> Row | None:
        """Return the row with this primary key (None if absent); later changes stay in memory."""
        rows = self._rows[name]
        found = rows.get(key, _MISSING)
        if found is _MISSING:
            found = None if self._known_empty else self._load(name, key)
            rows[key] = found
            if found is not None:
                self._stored[name].add(key)
        return found  # type: ignore[return-value]

    def _load(self, name: str, key: Key) -> Row | None:
        table = self._tables[name]
        columns = self._key_columns(name)
        condition = and_(*(table.c[c] == v for c, v in zip(columns, key, strict=True)))
        result = self.conn.execute(select(table).where(condition)).mappings().first()
        return None if result is None else dict(result)

    def put(self, name: str, row: Row) -> Row:
        """Insert or replace a whole row (its key is read from the row)."""
        key = tuple(row[c] for c in self._key_columns(name))
        if key not in self._rows[name]:
            self.get(name, *key)
        self._rows[name][key] = row
        self._dirty[name].add(key)
        return row

    def change(self, name: str, *key: Any, **values: Any) -> Row | None:
        """Set columns of an existing row; a row that does not exist is left absent."""
        row = self.get(name, *key)
        if row is None:
            return None
        row.update(values)
        self._dirty[name].add(key)
        return row

    def remove(self, name: str, *key: Any) -> None:
        """Delete a row, if it exists."""
        if self.get(name, *key) is not None:
            self._rows[name][key] = None
            self._dirty[name].add(key)

    def flush(self) -> None:
        """Write every changed row: deletes, then updates, then inserts, each in bulk."""
        for name, keys in self._dirty.items():
            if keys:
                self._flush_table(name, keys)
                keys.clear()

    def _flush_table(self, name: str, keys: Iterable[Key]) -> None:
        table = self._tables[name]
        columns = self._key_columns(name)
        stored = self._stored[name]
        inserts: list[Row] = []
        updates: list[Row] = []
        deletes: list[Row] = []
        for key in keys:
            row = self._rows[name][key]
            if row is None:
                if key in stored:
                    deletes.append({f"k_{c}": v for c, v in zip(columns, key, strict=True)})
                    stored.discard(key)
            elif key in stored:
                updates.append(row)
            else:
                inserts.append(row)
                stored.add(key)
        match_key = and_(*(table.c[c] == bindparam(f"k_{c}") for c in columns))
        if deletes:
            self.conn.execute(delete(table).where(match_key), deletes)
        if updates:
            self._write_updates(table, columns, updates)
        if inserts:
            self.conn.execute(insert(table), inserts)

    def _write_updates(self, table: Table, columns: list[str], rows: list[Row]) -> None:
        """Rewrite whole rows (simple and correct; updates are the rare case)."""
        match_key = and_(*(table.c[c] == bindparam(f"k_{c}") for c in columns))
        values: dict[str, Any] = {c.name: bindparam(f"v_{c.name}") for c in table.columns}
        params = [
            {**{f"k_{c}": row[c] for c in columns}, **{f"v_{k}": row.get(k) for k in values}}
            for row in rows
        ]
        self.conn.execute(update(table).where(match_key).values(values), params)

    def forget_cache(self) -> None:
        """Drop rows held in memory after a flush (bounded memory across batches)."""
        self._known_empty = False
        for name in self._rows:
            self._rows[name].clear()
            self._stored[name].clear()
