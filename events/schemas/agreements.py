"""Events of the agreement stream: a signing, with signatories' titles frozen on the day."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from events.event import Event
from events.registry import registry
from events.schemas.values import Person


@registry.register
class AgreementSigned(Event):
    """An agreement was signed; signatories' and witnesses' titles are those of that day."""

    agreement_id: UUID
    partnership_id: UUID
    title: str
    kind: str = "agreement"
    signed_on: date
    signed_at: datetime | None = None
    place: str
    timezone: str
    signatories: tuple[Person, ...]
    witnesses: tuple[Person, ...] = ()
    sectors: tuple[str, ...] = ()
    expires_on: date | None = None
    document_ref: str | None = None
