"""RemindersProjection: keeps each reminder's state current from the log."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import MetaData

from events.envelope import RecordedEvent
from events.event import Event
from events.schemas.reminders import (
    ReminderClaimed,
    ReminderFailed,
    ReminderHandedOver,
    ReminderSent,
    ReminderSkipped,
)
from projections.projection import Projection
from projections.reminders import VERSION
from projections.reminders_tables import metadata
from projections.timeline import utc_text
from projections.unit import UnitOfWork

_FOLLOWED = (ReminderClaimed, ReminderHandedOver, ReminderSent, ReminderFailed, ReminderSkipped)


class RemindersProjection(Projection):
    """Where each reminder stands; the engine reads it, the log decides races."""

    name: ClassVar[str] = "reminders"
    version: ClassVar[int] = VERSION
    metadata: ClassVar[MetaData] = metadata
    handles: ClassVar[frozenset[type[Event]]] = frozenset(_FOLLOWED)

    def apply(self, unit: UnitOfWork, record: RecordedEvent[Event]) -> None:
        """Follow each reminder stream."""
        event = record.event
        at = utc_text(record.recorded_at)
        common = {"version": record.stream_version, "updated_at": at}
        match event:
            case ReminderClaimed():
                previous = unit.get("reminder_states", event.key)
                row = _state_row(
                    event,
                    record,
                    status="claimed",
                    message_id=event.message_id,
                    lease_until=utc_text(event.lease_until),
                    attempts=previous["attempts"] if previous else 0,
                    last_error=previous["last_error"] if previous else None,
                )
                unit.put("reminder_states", row | common)
            case ReminderHandedOver():
                unit.change("reminder_states", event.key, status="handed_over", **common)
            case ReminderSent():
                status = "sent" if event.confirmed else "sent_unconfirmed"
                unit.change("reminder_states", event.key, status=status, lease_until=None, **common)
            case ReminderFailed():
                retry = utc_text(event.retry_at) if event.retry_at else None
                unit.change(
                    "reminder_states",
                    event.key,
                    status="failed",
                    attempts=event.attempt,
                    retry_at=retry,
                    last_error=event.error,
                    lease_until=None,
                    **common,
                )
            case ReminderSkipped():
                row = _state_row(
                    event,
                    record,
                    status="skipped",
                    message_id=None,
                    lease_until=None,
                    attempts=0,
                    last_error=event.reason,
                )
                unit.put("reminder_states", row | common)


def _state_row(
    event: ReminderClaimed | ReminderSkipped, record: RecordedEvent[Event], **state: Any
) -> dict[str, Any]:
    """A reminder's whole row as a claim or a skip starts it: what it is, then where it stands."""
    return {
        "key": event.key,
        "stream_id": record.stream_id,
        "rule": event.rule,
        "subject_id": event.subject_id,
        "recipient": event.recipient,
        "due_at": utc_text(event.due_at),
        "retry_at": None,
        **state,
    }
