"""Corrections and retractions: how any logged entry changes without being edited in place."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from events.event import Event, OptionalPersonalText
from events.registry import registry


@registry.register
class EntryCorrected(Event):
    """Fields of an entry were superseded, for a reason; the original stays in the log.

    `changes` holds the new values of ordinary fields; `personal_changes` holds those of
    personal-data fields as JSON text, sealed under the key of `subject_id`.
    """

    subject_field = "subject_id"

    entry_id: UUID
    changes: dict[str, Any] = Field(default_factory=dict)
    personal_changes: OptionalPersonalText = None
    subject_id: UUID | None = None
    reason: str


@registry.register
class EntryRetracted(Event):
    """An entry was withdrawn, for a reason: it leaves current views, and stays in the log."""

    entry_id: UUID
    reason: str
