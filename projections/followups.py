"""Follow-ups as a list: who owns what, due when, open or closed.

Its table is in `projections.followups_tables`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from projections.timeline import utc_text

if TYPE_CHECKING:
    from events.schemas.values import When

VERSION = 1
"""The shape and content of these tables: a change rebuilds them on first use."""


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
