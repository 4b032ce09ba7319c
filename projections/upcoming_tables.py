"""The tables of dated things ahead (see `projections.upcoming`)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, MetaData, String, Table, Text

metadata = MetaData()

upcoming_visits = Table(
    "upcoming_visits",
    metadata,
    Column("mission_id", String(36), primary_key=True),
    Column("name", Text, nullable=False),
    Column("direction", String(10), nullable=False),
    Column("starts_day", String(10), nullable=False),
    Column("starts_time", String(15)),
    Column("starts_utc", String(40), nullable=False),
    Column("ends_day", String(10), nullable=False),
    Column("ends_time", String(15)),
    Column("timezone", String(64), nullable=False),
    Column("ends_timezone", String(64), nullable=False),
    Column("places", Text, nullable=False),
    Column("partnership_ids", Text, nullable=False),
    Column("participants", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("is_retracted", Boolean, nullable=False),
)
Index("ix_upcoming_visits_start", upcoming_visits.c.starts_utc)

upcoming_agreements = Table(
    "upcoming_agreements",
    metadata,
    Column("agreement_id", String(36), primary_key=True),
    Column("partnership_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("signed_on", String(10), nullable=False),
    Column("expires_on", String(10)),
    Column("place", Text, nullable=False),
    Column("is_retracted", Boolean, nullable=False),
)
Index("ix_upcoming_agreements_expiry", upcoming_agreements.c.expires_on)
Index("ix_upcoming_agreements_partnership", upcoming_agreements.c.partnership_id)
