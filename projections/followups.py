"""Follow-ups as a list: who owns what, due when, open or closed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Column, Index, MetaData, String, Table, Text

from projections.timeline import utc_text

if TYPE_CHECKING:
    from events.schemas.values import When

metadata = MetaData()

VERSION = 1
"""The shape and content of these tables: a change rebuilds them on first use."""

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


def due_columns(due: When) -> dict[str, Any]:
    """The due-date columns of a follow-up."""
    return {
        "due_day": due.day.isoformat(),
        "due_time": due.local_time.isoformat() if due.local_time else None,
        "due_zone": due.timezone,
        "due_utc": utc_text(due.start()),
    }


def parse_utc(text: str) -> datetime:
    """Read a stored UTC text back as an aware moment."""
    return datetime.fromisoformat(text)
