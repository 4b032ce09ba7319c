"""The composition root: settings in; the store, projections and command context out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import Connection

from crm.commands.context import CommandContext
from crm.config import Settings
from crm.lookup import Lookup
from events.connect import open_store
from events.database import read_transaction
from events.envelope import RecordedEvent
from events.event import Event
from events.sql_store import SqlEventStore
from projections.catalog import all_projections
from projections.runner import ProjectionRunner

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Read the wall clock (the one place the application does)."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Everything a command needs, wired once per process."""

    settings: Settings
    store: SqlEventStore
    runner: ProjectionRunner
    clock: Clock

    def command_context(self, *, correlation_id: UUID | None = None) -> CommandContext:
        """The context a handler runs in: now, who acts, from where."""
        return CommandContext(
            store=self.store,
            now=self.clock(),
            actor=self.settings.actor,
            source="cli",
            correlation_id=correlation_id,
        )

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """Bring the read models up to the log (a cheap check when current), then read."""
        self.runner.catch_up()
        with read_transaction(self.store.engine) as conn:
            yield conn

    @contextmanager
    def lookup(self) -> Iterator[Lookup]:
        """Resolve references against current read models."""
        with self.reading() as conn:
            yield Lookup(conn)

    def after_command(self, written: Sequence[RecordedEvent[Event]] = ()) -> None:
        """Catch the read models up with what the command just wrote (handed over as is)."""
        self.runner.catch_up(written)

    def close(self) -> None:
        """Release database connections."""
        self.store.engine.dispose()


def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the store named by the settings and wire the services around it."""
    import events.schemas  # noqa: F401  (registers every event type)

    clock = clock or system_clock

    store = open_store(settings.database_url, clock=clock)
    runner = ProjectionRunner(store, all_projections())
    return Services(settings=settings, store=store, runner=runner, clock=clock)
