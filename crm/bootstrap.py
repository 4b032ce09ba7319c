"""The composition root: settings in; the store, projections and command context out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import Connection, Engine

from crm.config import Settings
from crm.lookup import Lookup
from events.connect import open_engine
from events.database import read_transaction
from projections.views import views_current

if TYPE_CHECKING:  # loaded on first use: a read of current views needs none of them
    from crm.commands.context import CommandContext
    from events.envelope import RecordedEvent
    from events.event import Event
    from events.sql_store import SqlEventStore
    from projections.runner import ProjectionRunner

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Read the wall clock (the one place the application does)."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Everything a command needs, wired once per process; the store and the projections
    are built on first use, so a read of current views never loads the event models."""

    settings: Settings
    engine: Engine
    clock: Clock

    @cached_property
    def store(self) -> SqlEventStore:
        """The event store, with every event type registered."""
        import events.schemas  # noqa: F401  (registers every event type)
        from events.sql_store import SqlEventStore

        return SqlEventStore(self.engine, clock=self.clock)

    @cached_property
    def runner(self) -> ProjectionRunner:
        """Every projection, kept current from the store."""
        from projections.catalog import all_projections
        from projections.runner import ProjectionRunner

        return ProjectionRunner(self.store, all_projections())

    def command_context(self, *, correlation_id: UUID | None = None) -> CommandContext:
        """The context a handler runs in: now, who acts, from where."""
        from crm.commands.context import CommandContext

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
        if not views_current(self.engine):
            self.runner.catch_up()
        with read_transaction(self.engine) as conn:
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
        self.engine.dispose()


def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the store named by the settings and wire the services around it."""
    return Services(
        settings=settings, engine=open_engine(settings.database_url), clock=clock or system_clock
    )
