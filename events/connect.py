"""Open a store from a URL: engine, migrations, and one clear error when that fails."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from events.database import create_store_engine, parse_url
from events.errors import DatabaseUnavailableError
from events.migrations import migrate
from events.registry import EventRegistry, registry
from events.sql_store import Clock, SqlEventStore, utc_now


def open_store(
    url: str,
    *,
    clock: Clock = utc_now,
    create: bool = True,
    event_registry: EventRegistry = registry,
) -> SqlEventStore:
    """Connect to the store at `url`, creating or migrating its schema on first use."""
    engine = create_store_engine(url)
    try:
        if create:
            migrate(engine)
    except DBAPIError as error:
        engine.dispose()
        shown = parse_url(url).render_as_string(hide_password=True)
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise DatabaseUnavailableError(f"cannot use the database at {shown}: {reason}") from None
    except BaseException:
        engine.dispose()
        raise
    return SqlEventStore(engine, clock=clock, event_registry=event_registry)
