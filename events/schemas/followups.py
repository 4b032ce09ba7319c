"""Events of the follow-up stream: something someone must do by a date."""

from __future__ import annotations

from uuid import UUID

from events.event import Event
from events.registry import registry
from events.schemas.values import Link, When


@registry.register
class FollowUpOpened(Event):
    """A follow-up was recorded, owned by someone and due on a day (or at a time)."""

    followup_id: UUID
    text: str
    owner_email: str
    due: When
    links: tuple[Link, ...] = ()


@registry.register
class FollowUpCompleted(Event):
    """A follow-up was done."""

    followup_id: UUID
    note: str | None = None


@registry.register
class FollowUpCancelled(Event):
    """A follow-up was dropped."""

    followup_id: UUID
    reason: str


@registry.register
class FollowUpReassigned(Event):
    """A follow-up passed to a new owner."""

    followup_id: UUID
    owner_email: str


@registry.register
class FollowUpRedated(Event):
    """A follow-up got a new due date."""

    followup_id: UUID
    due: When
