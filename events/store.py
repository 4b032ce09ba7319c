"""The event store contract every backend honours (the tests run it against each)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from events.envelope import AppendContext, PendingEvent, RecordedEvent
from events.event import Event


@dataclass(frozen=True)
class Verification:
    """The outcome of walking the hash chain."""

    checked: int
    first_bad_position: int | None = None
    reason: str | None = None

    @property
    def is_intact(self) -> bool:
        """True when every position and hash matched."""
        return self.first_bad_position is None


class EventStore(Protocol):
    """An append-only log of events in streams, with one global order without gaps."""

    def append(
        self,
        stream_id: str,
        events: Sequence[Event | PendingEvent[Event]],
        expected_version: int | None,
        *,
        context: AppendContext = ...,
        now: datetime | None = None,
    ) -> list[RecordedEvent[Event]]:
        """Append atomically if the stream is at `expected_version` (None: any version)."""
        ...

    def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent[Event]]:
        """Read one stream in version order."""
        ...

    def read_all(
        self, after_position: int = 0, *, up_to: int | None = None
    ) -> Iterator[RecordedEvent[Event]]:
        """Stream the whole log in position order, in bounded memory."""
        ...

    def head_position(self) -> int:
        """Return the position of the newest event (0 for an empty log)."""
        ...

    def verify(self) -> Verification:
        """Walk the hash chain and report the first position that does not match."""
        ...

    def forget_subject(self, subject_id: str) -> bool:
        """Delete a person's key for good, so their personal fields read as erased."""
        ...
