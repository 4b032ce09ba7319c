"""The reminder states' table (see `projections.reminders`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

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
