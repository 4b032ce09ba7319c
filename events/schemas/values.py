"""Value objects shared by several event types: moments, links, people at an event, gifts."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

EntryKind = Literal[
    "organisation", "contact", "partnership", "mission", "interaction", "agreement", "followup"
]


class Value(BaseModel):
    """A frozen value inside an event."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class When(Value):
    """A day, or a day and a time, in a named time zone (how people give dates and times)."""

    day: date
    local_time: time | None = None
    timezone: str

    def start(self) -> datetime:
        """The instant this moment starts: its time, or midnight of its day, in its zone."""
        return datetime.combine(self.day, self.local_time or time(0), ZoneInfo(self.timezone))

    def is_all_day(self) -> bool:
        """True when only the day is known."""
        return self.local_time is None


class Link(Value):
    """A reference from one entry to another (a follow-up about a meeting, say)."""

    kind: EntryKind
    id: UUID


class Gift(Value):
    """A gift given or received at an interaction."""

    description: str
    direction: Literal["given", "received"] = "given"
    value: Decimal | None = None
    currency: str | None = None


class Person(Value):
    """A contact taking part, with the title held at that organisation on that day."""

    contact_id: UUID
    organisation_id: UUID | None = None
    title: str | None = None
    role: str | None = None
