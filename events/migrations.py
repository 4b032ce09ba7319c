"""Versioned, ordered schema migrations of the store; a newer database is refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, inspect, select, update

from events.database import installed_guards, read_transaction, write_transaction
from events.errors import SchemaTooNewError
from events.schema_version import LATEST, SCHEMA_VERSION_KEY
from events.tables import (
    GENESIS_HASH,
    POSTGRES_GUARD_FUNCTION,
    POSTGRES_GUARDS,
    SQLITE_GUARDS,
    events_head,
    metadata,
    store_meta,
)

_PG_MIGRATION_LOCK = 0x63726D  # "crm": serialises concurrent first starts on one server


@dataclass(frozen=True)
class Migration:
    """One step of the schema, applied once, in order."""

    version: int
    name: str
    apply: Callable[[Connection], None]


def _create_log(conn: Connection) -> None:
    metadata.create_all(conn)
    conn.execute(insert(events_head).values(id=1, position=0, hash=GENESIS_HASH))
    install_guards(conn)


MIGRATIONS: tuple[Migration, ...] = (Migration(1, "create the event log", _create_log),)
if MIGRATIONS[-1].version != LATEST:  # pragma: no cover - caught by any test run
    raise RuntimeError("events.schema_version.LATEST must name the last migration")


def install_guards(conn: Connection) -> None:
    """Create the triggers that make `events` append-only (missing ones only)."""
    present = installed_guards(conn)
    if conn.dialect.name == "sqlite":
        guards = SQLITE_GUARDS
    else:
        conn.execute(POSTGRES_GUARD_FUNCTION)
        guards = POSTGRES_GUARDS
    for name, ddl in guards.items():
        if name not in present:
            conn.execute(ddl)


def expected_guards(dialect: str) -> set[str]:
    """Name the triggers a healthy store has on this backend."""
    return set(SQLITE_GUARDS if dialect == "sqlite" else POSTGRES_GUARDS)


def current_version(conn: Connection) -> int:
    """Read the schema version of a database; 0 when it holds no store yet."""
    if not inspect(conn).has_table(store_meta.name):
        return 0
    value = conn.execute(
        select(store_meta.c.value).where(store_meta.c.name == SCHEMA_VERSION_KEY)
    ).scalar_one_or_none()
    return 0 if value is None else int(value)


def migrate(engine: Engine) -> int:
    """Bring the schema up to date, serialised against other processes; return its version."""
    found = read_version(engine)
    if found > LATEST:
        raise SchemaTooNewError(found, LATEST)
    if found == LATEST:
        return found
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
        found = current_version(conn)
        if found > LATEST:
            raise SchemaTooNewError(found, LATEST)
        for step in MIGRATIONS:
            if step.version > found:
                step.apply(conn)
                _record_version(conn, step.version, first=found == 0 and step.version == 1)
        return max(found, LATEST)


def _record_version(conn: Connection, version: int, *, first: bool) -> None:
    if first:
        conn.execute(insert(store_meta).values(name=SCHEMA_VERSION_KEY, value=str(version)))
    else:
        conn.execute(
            update(store_meta)
            .where(store_meta.c.name == SCHEMA_VERSION_KEY)
            .values(value=str(version))
        )


def read_version(engine: Engine) -> int:
    """Read the schema version without changing anything."""
    with read_transaction(engine) as conn:
        return current_version(conn)
