"""Events of the interaction stream: meetings, calls, emails, messages, banquets, site visits."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from events.event import Event
from events.registry import registry
from events.schemas.values import Gift, Person
from events.vocabulary import InteractionKind


@registry.register
class InteractionLogged(Event):
    """A meeting or other interaction took place; people are referenced by id, never copied."""

    interaction_id: UUID
    kind: InteractionKind
    held_at: datetime
    timezone: str
    place: str | None = None
    participants: tuple[Person, ...] = ()
    partnership_id: UUID | None = None
    mission_id: UUID | None = None
    subject: str
    summary: str | None = None
    outcomes: tuple[str, ...] = ()
    gifts: tuple[Gift, ...] = ()
