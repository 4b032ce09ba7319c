"""Events of the organisation stream: city governments, agencies, companies, universities."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from events.event import Event
from events.registry import registry

OrganisationKind = Literal[
    "city_government",
    "foreign_affairs_office",
    "agency",
    "company",
    "university",
    "chamber",
    "other",
]


@registry.register
class OrganisationRegistered(Event):
    """An organisation was added to the directory (ours, or a counterpart abroad)."""

    organisation_id: UUID
    name: str
    native_name: str | None = None
    kind: OrganisationKind = "other"
    country: str | None = None
    city: str | None = None
    timezone: str | None = None
    aliases: tuple[str, ...] = ()
    is_ours: bool = False
