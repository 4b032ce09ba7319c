"""The checkpoint table: each projection's live version and position, and any rebuild under way."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table

state_metadata = MetaData()

projection_state = Table(
    "projection_state",
    state_metadata,
    Column("name", String(60), primary_key=True),
    Column("version", Integer, nullable=True),
    Column("position", BigInteger, nullable=False),
    Column("building_version", Integer, nullable=True),
    Column("building_position", BigInteger, nullable=True),
)
