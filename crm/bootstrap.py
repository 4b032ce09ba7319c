"""The composition root: settings in; the store, projections and command context out."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING
from uuid import UUID

from crm.config import Settings
from crm.lookup import Lookup
from events.reader import Reader, reader_of, sqlite_path, sqlite_snapshot
from projections.views import views_current

if TYPE_CHECKING:  # loaded on first use: a read of current views needs none of them
    from sqlalchemy import Connection, Engine

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
    """Everything a command needs, wired once per process; the engine, the store and the
    projections are built on first use, so a read of current views on SQLite loads none of
    SQLAlchemy, pydantic or the event models."""

    settings: Settings
    clock: Clock

    @cached_property
    def engine(self) -> Engine:
        """The database, its schema created or migrated on first use."""
        from events.connect import open_engine

        return open_engine(self.settings.database_url)

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
        from events.database import read_transaction

        with read_transaction(self.engine) as conn:
            current = views_current(reader_of(conn))
        if not current:
            self.runner.catch_up()
        with read_transaction(self.engine) as conn:
            yield conn

    @contextmanager
    def views(self) -> Iterator[Reader]:
        """Read current read models in one snapshot, through plain SQL (see `events.reader`).

        On a SQLite file whose views are current this loads nothing beyond the stdlib driver;
        otherwise (PostgreSQL, a new or stale store) it reads as `reading` does, which first
        opens the store the long way (creating or migrating it) and catches up.
        """
        path = sqlite_path(self.settings.database_url)
        if path is not None:
            with sqlite_snapshot(path) as reader:
                if reader is not None and views_current(reader):
                    yield reader
                    return
        with self.reading() as conn:
            yield reader_of(conn)

    @contextmanager
    def lookup(self) -> Iterator[Lookup[Connection]]:
        """Resolve references against current read models."""
        with self.reading() as conn:
            yield Lookup(conn)

    @contextmanager
    def view_lookup(self) -> Iterator[Lookup[Reader]]:
        """Resolve references, then read, in one snapshot of current read models (`views`)."""
        with self.views() as reader:
            yield Lookup(reader)

    def after_command(self, written: Sequence[RecordedEvent[Event]] = ()) -> None:
        """Catch the read models up with what the command just wrote (handed over as is)."""
        self.runner.catch_up(written)

    def close(self) -> None:
        """Release database connections (if any were opened)."""
        if "engine" in self.__dict__:
            self.engine.dispose()


def bootstrap(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Open the store named by the settings and wire the services around it."""
    return Services(settings=settings, clock=clock or system_clock)
