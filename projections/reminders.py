"""Reminder states: for each occurrence key, whether it was claimed, sent, failed or skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)

from projections.timeline import utc_text

metadata = MetaData()

VERSION = 2
"""The shape and content of these tables: a change rebuilds them on first use."""

reminder_states = Table(
    "reminder_states",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("stream_id", String(200), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("rule", String(20), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("due_at", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("message_id", String(120)),
    Column("lease_until", String(40)),
    Column("attempts", Integer, nullable=False),
    Column("retry_at", String(40)),
    Column("last_error", Text),
    Column("updated_at", String(40), nullable=False),
)
Index("ix_reminder_states_due", reminder_states.c.due_at)
Index("ix_reminder_states_status", reminder_states.c.status, reminder_states.c.updated_at)


def states_since(conn: Connection, earliest_due: datetime) -> dict[str, dict[str, Any]]:
    """Every reminder state due at or after a moment, by key."""
    query = select(reminder_states).where(reminder_states.c.due_at >= utc_text(earliest_due))
    return {row["key"]: dict(row) for row in conn.execute(query).mappings()}


def states_with_status(
    conn: Connection, statuses: Sequence[str], limit: int = 50
) -> list[dict[str, Any]]:
    """The latest states with these statuses, newest first."""
    query = (
        select(reminder_states)
        .where(reminder_states.c.status.in_(statuses))
        .order_by(reminder_states.c.updated_at.desc())
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]
