"""FollowUpsProjection: keeps the follow-up list current from the log."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from sqlalchemy import MetaData

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
from projections.followups import VERSION, due_columns
from projections.followups_tables import metadata
from projections.projection import Projection
from projections.timeline import utc_text
from projections.unit import UnitOfWork


class FollowUpsProjection(Projection):
    """One row per follow-up, current status and due date."""

    name: ClassVar[str] = "followups"
    version: ClassVar[int] = VERSION
    metadata: ClassVar[MetaData] = metadata
    handles: ClassVar[frozenset[type[Event]]] = frozenset(
        {
            FollowUpOpened,
            FollowUpCompleted,
            FollowUpCancelled,
            FollowUpReassigned,
            FollowUpRedated,
            EntryCorrected,
            EntryRetracted,
        }
    )

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
