"""The follow-ups' table (see `projections.followups`)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, MetaData, String, Table, Text

metadata = MetaData()

followup_items = Table(
    "followup_items",
    metadata,
    Column("followup_id", String(36), primary_key=True),
    Column("text", Text, nullable=False),
    Column("owner_email", String(254), nullable=False),
    Column("due_day", String(10), nullable=False),
    Column("due_time", String(15)),
    Column("due_zone", String(64), nullable=False),
    Column("due_utc", String(40), nullable=False),
    Column("status", String(10), nullable=False),
    Column("links", Text, nullable=False),
    Column("opened_utc", String(40), nullable=False),
    Column("closed_utc", String(40)),
    Column("is_retracted", Boolean, nullable=False),
)
Index("ix_followup_items_status_due", followup_items.c.status, followup_items.c.due_utc)
Index("ix_followup_items_owner", followup_items.c.owner_email, followup_items.c.status)
