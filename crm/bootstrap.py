"""The composition root: settings in, a store and the application's services out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from crm.config import Settings
from events.connect import open_store
from events.sql_store import SqlEventStore

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Read the wall clock (the one place the application does)."""
    return datetime.now(UTC)


@dataclass
class Services:
    """Everything a command needs, wired once per process."""

    settings: Settings
    store: SqlEventStore
    clock: Clock

    def close(self) -> None:
        """Release database connections."""
        self.store.engine.dispose()


def bootstrap(settings: Settings, *, clock: Clock = system_clock) -> Services:
    """Open the store named by the settings and wire the services around it."""
    import events.schemas  # noqa: F401  (registers every event type)

    store = open_store(settings.database_url, clock=clock)
    return Services(settings=settings, store=store, clock=clock)
