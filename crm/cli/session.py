"""One command's session: the wired services, the user's clock and zone, and their input parsed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import typer

from crm.cli.console import Format, emit_created
from crm.cli.context import services

if TYPE_CHECKING:  # imported lazily: `crm --help` must not load SQLAlchemy and pydantic
    from sqlalchemy import Connection

    from crm.bootstrap import Services
    from crm.commands.context import CommandContext
    from crm.lookup import Lookup
    from events.envelope import RecordedEvent
    from events.event import Event
    from events.schemas.values import When

T = TypeVar("T")


class Session:
    """What a command needs from its surroundings, read once."""

    def __init__(self, ctx: typer.Context) -> None:
        self.app: Services = services(ctx)
        self.now: datetime = self.app.clock()
        self.zone: str = self.app.settings.timezone

    @property
    def today(self) -> date:
        """Today in the configured zone."""
        from zoneinfo import ZoneInfo

        return self.now.astimezone(ZoneInfo(self.zone)).date()

    def when(self, text: str, zone: str | None = None) -> When:
        """Parse a day or a day and time, in `zone` (the place's) or the configured one."""
        from crm.dates import parse_when

        return parse_when(text, now=self.now, zone=zone or self.zone)

    def day(self, text: str) -> date:
        """Parse a day (ISO, today, +3d, next thursday...)."""
        from crm.dates import parse_day

        return parse_day(text, today=self.today)

    def instant(self, text: str, zone: str | None = None) -> datetime:
        """Parse a moment (a day means its midnight) as an aware datetime."""
        from crm.dates import parse_instant

        return parse_instant(text, now=self.now, zone=zone or self.zone)

    @contextmanager
    def lookup(self) -> Iterator[Lookup[Connection]]:
        """Resolve references against current read models."""
        with self.app.lookup() as lookup:
            yield lookup

    def resolve_id(self, kinds: Sequence[str], text: str) -> UUID:
        """The id of the one entry `text` names."""
        with self.lookup() as lookup:
            return UUID(lookup.resolve(kinds, text).entry_id)

    def context(self, correlation_id: UUID | None = None) -> CommandContext:
        """A command context stamped with this session's clock."""
        return self.app.command_context(correlation_id=correlation_id)

    def run(
        self, handler: Callable[..., list[RecordedEvent[Event]]], *args: Any
    ) -> list[RecordedEvent[Event]]:
        """Run a handler, then bring the read models up to what it wrote."""
        records = handler(self.context(), *args)
        self.app.after_command(records)
        return records

    def created(self, kind: str, entry_id: UUID, fmt: Format, **details: Any) -> None:
        """Report the new entry's id."""
        emit_created(kind, entry_id, fmt, **details)


def place_zone(lookup: Lookup[Any], place: str | None) -> str | None:
    """The time zone of a place: an organisation of that name, or one in that city."""
    if not place:
        return None
    from projections.directory import list_entries, names_of
    from projections.names import name_key

    key = name_key(place)
    words = set(key.split())
    for entry in list_entries(lookup.conn, "organisation"):
        zone = entry.data.get("timezone")
        city = name_key(entry.data.get("city") or "")
        if zone and (
            key in names_of("organisation", entry.data) or (city and set(city.split()) <= words)
        ):
            return str(zone)
    return None
