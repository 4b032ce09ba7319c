"""Follow-ups as a list: who owns what, due when, open or closed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Boolean, Column, Index, MetaData, String, Table, Text

from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.corrections import EntryCorrected, EntryRetracted
from events.schemas.followups import (
    FollowUpCancelled,
    FollowUpCompleted,
    FollowUpOpened,
    FollowUpReassigned,
    FollowUpRedated,
)
from events.schemas.values import When
from projections.projection import Projection
from projections.timeline import utc_text
from projections.unit import UnitOfWork

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


def due_columns(due: When) -> dict[str, Any]:
    """The due-date columns of a follow-up."""
    return {
        "due_day": due.day.isoformat(),
        "due_time": due.local_time.isoformat() if due.local_time else None,
        "due_zone": due.timezone,
        "due_utc": utc_text(due.start()),
    }


class FollowUpsProjection(Projection):
    """One row per follow-up, current status and due date."""

    name: ClassVar[str] = "followups"
    version: ClassVar[int] = 1
    metadata: ClassVar[MetaData] = metadata

    def apply(self, unit: UnitOfWork, record: RecordedEvent[Event]) -> None:
        """Keep each follow-up's row current."""
        event = record.event
        match event:
            case FollowUpOpened():
                unit.add("followup_items", _opened_row(event, utc_text(record.occurred_at)))
            case FollowUpCompleted() | FollowUpCancelled():
                status = "done" if isinstance(event, FollowUpCompleted) else "cancelled"
                closed = utc_text(record.occurred_at)
                followup_id = str(event.followup_id)
                unit.change("followup_items", followup_id, status=status, closed_utc=closed)
            case FollowUpReassigned():
                unit.change("followup_items", str(event.followup_id), owner_email=event.owner_email)
            case FollowUpRedated():
                unit.change("followup_items", str(event.followup_id), **due_columns(event.due))
            case EntryCorrected() if "text" in event.changes:
                unit.change("followup_items", str(event.entry_id), text=event.changes["text"])
            case EntryRetracted():
                unit.change("followup_items", str(event.entry_id), is_retracted=True)


def _opened_row(event: FollowUpOpened, opened_utc: str) -> dict[str, Any]:
    return {
        "followup_id": str(event.followup_id),
        "text": event.text,
        "owner_email": event.owner_email,
        **due_columns(event.due),
        "status": "open",
        "links": json.dumps([link.model_dump(mode="json") for link in event.links]),
        "opened_utc": opened_utc,
        "closed_utc": None,
        "is_retracted": False,
    }


def parse_utc(text: str) -> datetime:
    """Read a stored UTC text back as an aware moment."""
    return datetime.fromisoformat(text)
