"""What every handler needs: the store, the moment of the command, and who issued it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from events.envelope import AppendContext
from events.sql_store import SqlEventStore


@dataclass(frozen=True)
class CommandContext:
    """The I/O edge handed to handlers; decisions never see it."""

    store: SqlEventStore
    now: datetime
    actor: str
    source: str = "cli"
    correlation_id: UUID | None = None
    business_time: datetime | None = None
    """When the recorded facts happened, if not now (the demo replays 2015-2016)."""

    def append_context(self) -> AppendContext:
        """The envelope data recorded on every event this command writes."""
        return AppendContext(
            actor=self.actor, source=self.source, correlation_id=self.correlation_id
        )

    def happened_at(self) -> datetime:
        """The business time of events that do not carry their own."""
        return self.business_time or self.now

    def in_batch(self, correlation_id: UUID) -> CommandContext:
        """The same context, tagging events as one batch (an import, say)."""
        return replace(self, correlation_id=correlation_id)
