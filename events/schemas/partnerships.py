"""Events of the partnership stream: the relationship between our organisation and another."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from events.event import Event
from events.registry import registry

PartnershipKind = Literal["friendship", "sister_city", "mou", "investment", "institutional"]
PartnershipStatus = Literal["exploring", "negotiating", "active", "dormant", "ended"]


@registry.register
class PartnershipFormed(Event):
    """A partnership between our organisation and a counterpart was opened."""

    partnership_id: UUID
    name: str
    our_organisation_id: UUID
    counterpart_organisation_id: UUID
    kind: PartnershipKind = "friendship"
    sectors: tuple[str, ...] = ()
    owner_email: str | None = None
    status: PartnershipStatus = "exploring"


@registry.register
class PartnershipStatusChanged(Event):
    """A partnership moved to a new status, for a stated reason."""

    partnership_id: UUID
    status: PartnershipStatus
    reason: str
    effective_on: date
