"""Open a store from a URL: engine, migrations, and one clear error when that fails."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from events.database import create_store_engine, parse_url
from events.errors import DatabaseUnavailableError
from events.migrations import migrate

if TYPE_CHECKING:  # the store loads the event models; reading current views needs none
    from events.registry import EventRegistry
    from events.sql_store import Clock, SqlEventStore


def open_engine(url: str, *, create: bool = True) -> Engine:
    """Connect to the database at `url`, creating or migrating the store's schema on first use."""
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
    return engine


def open_store(
    url: str,
    *,
    clock: Clock | None = None,
    create: bool = True,
    event_registry: EventRegistry | None = None,
) -> SqlEventStore:
    """Connect to the store at `url`, creating or migrating its schema on first use."""
    import events.schemas  # noqa: F401  (registers every event type the store may read)
    from events.registry import registry
    from events.sql_store import SqlEventStore, utc_now

    return SqlEventStore(
        open_engine(url, create=create),
        clock=clock or utc_now,
        event_registry=event_registry or registry,
    )
