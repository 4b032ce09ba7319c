"""The store's tables (SQLAlchemy Core) and the triggers that keep `events` append-only."""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)

metadata = MetaData()

# On SQLite an INTEGER PRIMARY KEY is the rowid itself: no second index to maintain.
Position = BigInteger().with_variant(Integer(), "sqlite")

events = Table(
    "events",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("stream_id", String(200), nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("type", String(120), nullable=False),
    Column("schema_version", Integer, nullable=False),
    # Times are ISO-8601 text: the business time keeps the offset of the place it happened,
    # and both backends return the exact text the hash chain was computed over.
    Column("occurred_at", String(40), nullable=False),
    Column("recorded_at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("correlation_id", String(36)),
    Column("causation_id", String(36)),
    Column("payload", Text, nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
)
Index("ix_events_correlation_id", events.c.correlation_id)

events_head = Table(
    "events_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("position", Position, nullable=False),
    Column("hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="ck_events_head_single_row"),
)

HEAD_POSITION = select(events_head.c.position).where(events_head.c.id == 1)
"""The position of the newest event (0 for an empty log)."""

subject_keys = Table(
    "subject_keys",
    metadata,
    Column("subject_id", String(200), primary_key=True),
    Column("key", LargeBinary, nullable=False),
)

erased_subjects = Table(
    "erased_subjects",
    metadata,
    Column("subject_id", String(200), primary_key=True),
    Column("erased_at", String(40), nullable=False),
)

store_meta = Table(
    "store_meta",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("value", String(200), nullable=False),
)

GENESIS_HASH: Final = "0" * 64


def _ddl(statement: str) -> DDL:
    return DDL(statement)  # type: ignore[no-untyped-call]  # SQLAlchemy leaves DDL untyped


SQLITE_GUARDS: Final = {
    "events_reject_update": _ddl(
        "CREATE TRIGGER IF NOT EXISTS events_reject_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE rejected'); END"
    ),
    "events_reject_delete": _ddl(
        "CREATE TRIGGER IF NOT EXISTS events_reject_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE rejected'); END"
    ),
}

POSTGRES_GUARD_FUNCTION: Final = _ddl(
    "CREATE OR REPLACE FUNCTION events_reject_change() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION USING MESSAGE = 'events are append-only: ' || TG_OP || ' rejected'; "
    "END $$"
)

POSTGRES_GUARDS: Final = {
    "events_reject_update_delete": _ddl(
        "CREATE TRIGGER events_reject_update_delete BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_reject_change()"
    ),
    "events_reject_truncate": _ddl(
        "CREATE TRIGGER events_reject_truncate BEFORE TRUNCATE ON events "
        "FOR EACH STATEMENT EXECUTE FUNCTION events_reject_change()"
    ),
}
