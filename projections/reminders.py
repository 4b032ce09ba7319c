"""Reminder states: for each occurrence key, whether it was claimed, sent, failed or skipped.

Its table is in `projections.reminders_tables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from events.reader import reader_of
from projections.timeline import utc_text

if TYPE_CHECKING:
    from events.reader import Readable

VERSION = 2
"""The shape and content of these tables: a change rebuilds them on first use."""

_STATE = (
    "SELECT key, stream_id, version, rule, subject_id, recipient, due_at, status, message_id,"
    " lease_until, attempts, retry_at, last_error, updated_at FROM reminder_states"
)


def states_since(conn: Readable, earliest_due: datetime) -> dict[str, dict[str, Any]]:
    """Every reminder state due at or after a moment, by key."""
    sql = f"{_STATE} WHERE due_at >= :earliest"
    rows = reader_of(conn).dicts(sql, {"earliest": utc_text(earliest_due)})
    return {row["key"]: row for row in rows}


def states_with_status(
    conn: Readable, statuses: Sequence[str], limit: int = 50
) -> list[dict[str, Any]]:
    """The latest states with these statuses, newest first."""
    reader = reader_of(conn)
    member, params = reader.member_of("status", "statuses", statuses)
    sql = f"{_STATE} WHERE {member} ORDER BY updated_at DESC LIMIT :limit"
    return reader.dicts(sql, params | {"limit": limit})
