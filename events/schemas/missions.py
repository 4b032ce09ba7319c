"""Events of the mission stream: outbound trade missions and inbound delegations."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from events.event import Event
from events.registry import registry
from events.schemas.values import Value, When

Direction = Literal["inbound", "outbound"]
MissionRole = Literal["head_of_delegation", "member", "interpreter", "host", "organiser"]


class Place(Value):
    """A place a mission visits, with the time zone its local times are in."""

    name: str
    timezone: str


class MissionParticipant(Value):
    """A contact on a mission, with a role and a protocol precedence (1 leads)."""

    contact_id: UUID
    role: MissionRole = "member"
    precedence: int = 0


@registry.register
class MissionPlanned(Event):
    """A trade mission or delegation visit was planned."""

    mission_id: UUID
    name: str
    direction: Direction
    starts: When
    ends: When
    places: tuple[Place, ...] = ()
    partnership_ids: tuple[UUID, ...] = ()
    participants: tuple[MissionParticipant, ...] = ()


@registry.register
class MissionParticipantAdded(Event):
    """A contact joined a mission."""

    mission_id: UUID
    participant: MissionParticipant


@registry.register
class MissionRescheduled(Event):
    """A mission moved to new dates."""

    mission_id: UUID
    starts: When
    ends: When
    reason: str | None = None


@registry.register
class MissionCancelled(Event):
    """A mission was called off."""

    mission_id: UUID
    reason: str
