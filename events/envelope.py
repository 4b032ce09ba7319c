"""The envelope around an event: what the store adds (ids, order, times, actor, hash)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, NamedTuple, TypeVar
from uuid import UUID

from events.event import Event
from events.ids import new_uuid

E_co = TypeVar("E_co", bound=Event, covariant=True)


@dataclass(frozen=True, slots=True)
class PendingEvent(Generic[E_co]):
    """An event about to be appended: its id (fixed up front, so retries are safe) and time."""

    event: E_co
    occurred_at: datetime | None = None
    """Business time, timezone-aware; the append time when left out."""
    event_id: UUID = field(default_factory=new_uuid)


@dataclass(frozen=True, slots=True)
class AppendContext:
    """Who and what caused an append; recorded on every event it writes."""

    actor: str = "system"
    source: str = "api"
    correlation_id: UUID | None = None
    causation_id: UUID | None = None


class RecordedEvent(NamedTuple, Generic[E_co]):
    """An event as stored in the log, decoded into its current class.

    A named tuple, and ids kept as text until asked for: reading a million events builds a
    million envelopes, and a dataclass with parsed UUIDs cost more than decoding the payloads.
    """

    position: int
    event_id_text: str
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    source: str
    correlation_id_text: str | None
    causation_id_text: str | None
    event: E_co
    hash: str
    is_erased: bool = False
    """True when the subject's key is gone and personal fields read as "[erased]"."""
    stored_json: str | None = None
    """The payload as stored, when it is the event's own JSON: its type seals nothing and it
    is stored in its current shape (`PayloadCodec.is_plain`). A read model may keep it as
    the event's data instead of serialising the event again; None otherwise."""

    @property
    def event_id(self) -> UUID:
        """The event's unique id."""
        return UUID(self.event_id_text)

    @property
    def correlation_id(self) -> UUID | None:
        """The id shared by every event one command or import wrote."""
        return None if self.correlation_id_text is None else UUID(self.correlation_id_text)

    @property
    def causation_id(self) -> UUID | None:
        """The id of the event or message that caused this one."""
        return None if self.causation_id_text is None else UUID(self.causation_id_text)


@dataclass(frozen=True, slots=True)
class StreamWrite:
    """Events for one stream, appended only if the stream is at `expected_version`.

    `expected_version` None accepts any version; 0 means the stream must not exist yet.
    """

    stream_id: str
    events: Sequence[Event | PendingEvent[Event]]
    expected_version: int | None
