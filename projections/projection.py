"""What a projection is: a name, a version, its tables, and a deterministic `apply`."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import Connection, MetaData, Table

from events.envelope import RecordedEvent
from events.event import Event
from projections.unit import UnitOfWork


class Projection:
    """A read model kept current from the log. Subclasses own tables named `<name>_*`.

    `apply` must be deterministic: times come from the event, never from a clock, so a
    rebuild always yields exactly the rows incremental catch-up produced.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    metadata: ClassVar[MetaData]
    handles: ClassVar[frozenset[type[Event]]]
    """The event types `apply` acts on, as exact classes (the runner looks an event's own
    type up, without subclasses). The runner passes `apply` no other: most events concern
    one or two projections, and matching each against every projection's cases cost a
    twentieth of an import's catch-up."""
    separable: ClassVar[frozenset[type[Event]]] = frozenset()
    """Event types whose whole effect on fresh tables (`unit.bulk`, nothing looked up) is to
    add rows computed from the event alone: a rebuild may have another process compute them
    from their stored JSON (`apply_plain`; see `projections.feed`) while it applies the
    rest."""

    @classmethod
    def tables(cls) -> dict[str, Table]:
        """The canonical tables of this projection, by name."""
        return dict(cls.metadata.tables)

    def apply(self, unit: UnitOfWork, record: RecordedEvent[Event]) -> None:
        """Change the rows this event affects; ignore events this projection does not use."""
        raise NotImplementedError

    def apply_plain(self, unit: UnitOfWork, position: int, kind: type[Event], text: str) -> None:
        """Do what `apply` does with a separable event, from its stored JSON (an event stored
        as its own JSON: of its current schema, nothing sealed), without decoding it."""
        raise NotImplementedError

    def finalize(self, conn: Connection, tables: dict[str, Table]) -> None:
        """Compute, set-wise, what `apply` leaves to the end of a rebuild (`unit.bulk`)."""
