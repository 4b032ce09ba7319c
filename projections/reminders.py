"""Reminder states: for each occurrence key, whether it was claimed, sent, failed or skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

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
from projections.timeline import utc_text
from projections.unit import UnitOfWork

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


_FOLLOWED = (ReminderClaimed, ReminderHandedOver, ReminderSent, ReminderFailed, ReminderSkipped)


class RemindersProjection(Projection):
    """Where each reminder stands; the engine reads it, the log decides races."""

    name: ClassVar[str] = "reminders"
    version: ClassVar[int] = 2
    metadata: ClassVar[MetaData] = metadata

    def apply(self, unit: UnitOfWork, record: RecordedEvent[Event]) -> None:
        """Follow each reminder stream."""
        event = record.event
        if not isinstance(event, _FOLLOWED):
            return  # nearly every event in the log: spend nothing on it
        at = utc_text(record.recorded_at)
        common = {"version": record.stream_version, "updated_at": at}
        match event:
            case ReminderClaimed():
                previous = unit.get("reminder_states", event.key)
                unit.put(
                    "reminder_states",
                    {
                        "key": event.key,
                        "stream_id": record.stream_id,
                        "rule": event.rule,
                        "subject_id": event.subject_id,
                        "recipient": event.recipient,
                        "due_at": utc_text(event.due_at),
                        "status": "claimed",
                        "message_id": event.message_id,
                        "lease_until": utc_text(event.lease_until),
                        "attempts": previous["attempts"] if previous else 0,
                        "retry_at": None,
                        "last_error": previous["last_error"] if previous else None,
                        **common,
                    },
                )
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
                unit.put(
                    "reminder_states",
                    {
                        "key": event.key,
                        "stream_id": record.stream_id,
                        "rule": event.rule,
                        "subject_id": event.subject_id,
                        "recipient": event.recipient,
                        "due_at": utc_text(event.due_at),
                        "status": "skipped",
                        "message_id": None,
                        "lease_until": None,
                        "attempts": 0,
                        "retry_at": None,
                        "last_error": event.reason,
                        **common,
                    },
                )


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
